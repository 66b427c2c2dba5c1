/**
 * Shared JSON pieces: exact-number tokenizing and turning @streamparser/json's
 * errors into words an analyst understands plus the byte offset they concern.
 */
import { Tokenizer, TokenParser } from '@streamparser/json';

/** Keeps numbers as written, so "96.00" and 19-digit ids survive exactly. */
export class ExactNumberTokenizer extends Tokenizer {
  protected override parseNumber(numberStr: string): number {
    return numberStr as unknown as number;
  }
}

/** What is wrong with a JSON text and where (UTF-8 byte offset from its start). */
export interface JsonProblem {
  message: string;
  offset?: number;
}

/** A JSON text that could not be parsed. */
export class JsonSyntaxError extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.message);
  }
}

const EXPECTED: Record<string, string> = {
  VALUE: 'a value',
  KEY: 'a field name in quotes',
  COLON: '":"',
  COMMA: '"," or a closing bracket',
  ENDED: 'nothing more (the document had already ended)',
  SEPARATOR: 'nothing more',
};

const TOKEN_TEXT: Record<string, string> = {
  LEFT_BRACE: '"{"',
  RIGHT_BRACE: '"}"',
  LEFT_BRACKET: '"["',
  RIGHT_BRACKET: '"]"',
  COLON: '":"',
  COMMA: '","',
  TRUE: 'true',
  FALSE: 'false',
  NULL: 'null',
};

/** Words and offset for an error thrown by the tokenizer or token parser. */
export function describeJsonError(err: unknown, lastTokenOffset: number): JsonProblem {
  const raw = err instanceof Error ? err.message : String(err);
  const char = /^Unexpected "([\s\S]*?)" at chunk position "\d+" \(absolute position "(\d+)"\) in state (\w+)/.exec(raw);
  if (char) {
    const after = char[3] === 'ENDED' ? ' after the end of the document' : '';
    return { message: `unexpected character ${JSON.stringify(char[1])}${after}`, offset: Number(char[2]) };
  }
  const token = /^Unexpected (\w+) \(([\s\S]*)\) in state (\w+)/.exec(raw);
  if (token) {
    const expected = EXPECTED[token[3]];
    const what = token[1] === 'STRING' || token[1] === 'NUMBER' ? token[2] : (TOKEN_TEXT[token[1]] ?? token[1]);
    return { message: `unexpected ${what}${expected ? `; expected ${expected}` : ''}`, offset: lastTokenOffset };
  }
  if (/ended in the middle|ended in mid-parsing|ends before/.test(raw)) {
    return { message: 'the JSON ends too early (is it truncated?)' };
  }
  return { message: `not valid JSON (${raw})`, offset: lastTokenOffset };
}

/**
 * Parses one complete JSON text (e.g. a JSON Lines line). With `exactNumbers`,
 * numbers stay strings as written. Throws a JsonSyntaxError saying where.
 */
export function parseJsonText(text: string, exactNumbers = false): unknown {
  if (!exactNumbers) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: the streaming parser says where the problem is
    }
  }
  const tokenizer = exactNumbers ? new ExactNumberTokenizer() : new Tokenizer();
  const parser = new TokenParser({ paths: ['$'] });
  let result: unknown;
  let lastTokenOffset = 0;
  tokenizer.onToken = (info) => {
    lastTokenOffset = info.offset;
    parser.write(info);
  };
  parser.onValue = ({ value }) => {
    result = value;
  };
  parser.onEnd = () => {
    if (!tokenizer.isEnded) tokenizer.end();
  };
  try {
    tokenizer.write(text);
    if (!tokenizer.isEnded) tokenizer.end();
    if (!parser.isEnded) throw new Error('the text ends before the JSON value is complete');
  } catch (err) {
    throw new JsonSyntaxError(describeJsonError(err, lastTokenOffset));
  }
  return result;
}
