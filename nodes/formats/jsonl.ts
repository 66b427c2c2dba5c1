/**
 * JSON Lines / NDJSON → records: one JSON value per non-empty line. Only the
 * current line is held in memory.
 */
import { decodeText } from './bytes.ts';
import { formatError } from './format-error.ts';
import { JsonSyntaxError, parseJsonText } from './json-syntax.ts';

export interface JsonlOptions {
  /** Keep numbers as their exact source text ("96.00"); default false. */
  exactNumbers?: boolean;
  /** Text encoding; default utf-8. */
  encoding?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Parses a JSON Lines byte stream; an unreadable line stops the read naming its line number. */
export async function* parseJsonl(
  chunks: AsyncIterable<Uint8Array>,
  fileName: string,
  options: JsonlOptions = {},
): AsyncIterable<unknown> {
  const exact = options.exactNumbers ?? false;
  let lineNumber = 0;
  const parse = (line: string): unknown => {
    try {
      return parseJsonText(line, exact);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      const { message, offset } = err.problem;
      // The offset counts UTF-8 bytes; the column counts characters.
      const column = offset === undefined ? undefined : decoder.decode(encoder.encode(line).subarray(0, offset)).length + 1;
      throw formatError(fileName, message, { cause: err }, { line: lineNumber, column });
    }
  };
  let carry = '';
  for await (const text of decodeText(chunks, fileName, options.encoding)) {
    const data = carry + text;
    let start = 0;
    for (let nl = data.indexOf('\n'); nl !== -1; nl = data.indexOf('\n', start)) {
      lineNumber++;
      const line = data.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield parse(line);
    }
    carry = data.slice(start);
  }
  if (carry.trim() !== '') {
    lineNumber++;
    yield parse(carry);
  }
}
