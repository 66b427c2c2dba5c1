/**
 * JSON Lines / NDJSON → records: one JSON value per non-empty line. Only the
 * current line is held in memory, and at most the record size limit of it: a
 * longer line is refused as soon as it passes the limit. Each piece of text is
 * scanned for newlines once, so parsing is linear in the input size.
 */
import { byteTextLength, decodeByteText, decodeText, utf8ByteTexts } from './bytes.ts';
import { formatError } from './format-error.ts';
import { JsonSyntaxError, isCleanJsonText, parseJsonText } from './json-syntax.ts';
import { recordLimitsOf, recordProblem, textKeepsLimits, tooLargeMessage, type RecordLimits } from './record-limits.ts';

export interface JsonlOptions {
  /** Keep numbers as their exact source text ("96.00"); default false. */
  exactNumbers?: boolean;
  /** Text encoding; default utf-8. */
  encoding?: string;
  /** Depth and size limits of a record (see record-limits.ts). */
  limits?: Partial<RecordLimits>;
  /**
   * Only check the lines (a run's precheck): a line that is plainly valid JSON
   * within the limits is neither parsed nor yielded; any other line is parsed
   * as usual, so what is wrong is reported the same way.
   */
  checkOnly?: boolean;
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
  const limits = recordLimitsOf(options.limits);
  // Lines short enough that their parsed size cannot pass the limit (a value counts at most 6 characters per character of text).
  const checkBelow = options.checkOnly && !exact ? Math.floor(limits.maxRecordSize / 6) : 0;
  // A check of UTF-8 reads the bytes as they are (validated, not decoded): only a line that is not plainly clean is decoded.
  const byteTexts = checkBelow > 0 && /^utf-?8$/i.test((options.encoding ?? 'utf-8').trim()) ? utf8ByteTexts(chunks, fileName) : undefined;
  const textOf = byteTexts ? decodeByteText : (text: string) => text;
  const lengthOf = byteTexts ? byteTextLength : (_text: string, from: number, to: number) => to - from;
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
  // The current line's pieces: joined once, when its newline arrives.
  let pieces: string[] = [];
  let carried = 0;
  const tooLarge = () => formatError(fileName, tooLargeMessage(limits), { code: 'RECORD_TOO_LARGE' }, { line: lineNumber + 1 });
  const take = (piece: string): unknown => {
    lineNumber++;
    const line = textOf(pieces.length ? pieces.join('') + piece : piece);
    pieces = [];
    carried = 0;
    if (line.trim() === '') return undefined;
    if (line.length <= checkBelow && isCleanJsonText(line, limits.maxDepth)) return undefined;
    const value = parse(line);
    // Most lines show by their text alone that they keep the limits: only the others have their value walked.
    if (textKeepsLimits(line, limits)) return value;
    const problem = recordProblem(value, limits);
    if (problem) throw formatError(fileName, problem, { code: 'RECORD_LIMIT' }, { line: lineNumber });
    return value;
  };
  for await (const text of byteTexts ?? decodeText(chunks, fileName, options.encoding)) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      // (A byte text's length is at least its characters': they are counted only when it matters.)
      if (carried + nl - start > limits.maxRecordSize && carried + lengthOf(text, start, nl) > limits.maxRecordSize) throw tooLarge();
      // A whole line in this piece that is plainly clean is checked where it lies, without being cut out.
      if (carried === 0 && nl - start <= checkBelow && isCleanJsonText(text, limits.maxDepth, start, nl)) {
        lineNumber++;
        start = nl + 1;
        continue;
      }
      const value = take(text.slice(start, nl));
      start = nl + 1;
      if (value !== undefined) yield value;
    }
    if (start < text.length) {
      carried += lengthOf(text, start, text.length);
      if (carried > limits.maxRecordSize) throw tooLarge();
      pieces.push(text.slice(start));
    }
  }
  if (pieces.length) {
    const value = take('');
    if (value !== undefined) yield value;
  }
}
