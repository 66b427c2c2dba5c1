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

const OBJECT = 1;
const ARRAY = 2;
let containers = new Uint8Array(64);

/** A JSON control character (U+0000 to U+001F), which a string may not hold raw; found natively from `lastIndex`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids control characters in strings; this is that rule.
const CONTROL = /[\u0000-\u001f]/g;

// The text being checked ends at `scanEnd` (its length, or a line's end within a larger text). Where it holds its
// next backslash and its next control character, at or after where they were last looked for (-1: none left):
// strings are then skipped with native searches for their closing quote (most hold neither), one search per string
// instead of a character-by-character match. The backslash found is kept for the next line of the same text
// (`searchedText` from `searchedFrom` on), so a text of many lines is searched for backslashes once.
let scanEnd = 0;
let backslashAt = -1;
let controlAt = -1;
let searchedText: string | undefined;
let searchedFrom = 0;

/** Index of the first control character at or after `i`; -1 when there is none. */
function controlFrom(text: string, i: number): number {
  CONTROL.lastIndex = i;
  return CONTROL.test(text) ? CONTROL.lastIndex - 1 : -1;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);

/** Index after the escape at `i` (its backslash); -1 when it is not a JSON escape or it is \u0000 (NUL). */
function escapeEnd(text: string, i: number): number {
  const c = text.charCodeAt(i + 1);
  if (c === 34 || c === 92 || c === 47 || c === 98 || c === 102 || c === 110 || c === 114 || c === 116) return i + 2;
  if (c !== 117) return -1;
  for (let k = i + 2; k < i + 6; k++) if (!isHex(text.charCodeAt(k))) return -1;
  return text.startsWith('0000', i + 2) ? -1 : i + 6;
}

/** Index after the string starting (with its quote) at `i`; -1 when it is not a valid JSON string or holds a NUL (\u0000). */
function stringEnd(text: string, i: number): number {
  let at = i + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0 || quote >= scanEnd) return -1;
    if (controlAt !== -1 && controlAt < at) controlAt = controlFrom(text, at);
    // Everything up to the next quote is inside the string (an escaped quote only moves its end further).
    if (controlAt !== -1 && controlAt < quote) return -1;
    if (backslashAt !== -1 && backslashAt < at) {
      backslashAt = text.indexOf('\\', at);
      searchedFrom = at;
    }
    if (backslashAt === -1 || backslashAt > quote) return quote + 1;
    at = escapeEnd(text, backslashAt);
    if (at < 0) return -1;
  }
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Index of the first character at or after `i` that is not JSON whitespace, or the end of the text. */
function afterSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  if (c > 32) return i;
  for (; (c === 32 || c === 10 || c === 13 || c === 9) && i < scanEnd; c = text.charCodeAt(++i));
  return i;
}

/** At a field name in an object: index after the name and its colon; -1 when they are not there. */
function afterName(text: string, i: number): number {
  i = afterSpace(text, i);
  if (text.charCodeAt(i) !== 34) return -1;
  i = stringEnd(text, i);
  if (i < 0) return -1;
  i = afterSpace(text, i);
  return text.charCodeAt(i) === 58 ? i + 1 : -1;
}

/** Index after the number starting at `i` (RFC 8259 grammar); -1 when it is not one. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === 45) i++;
  const first = text.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) while (isDigit(text.charCodeAt(++i)));
  else return -1;
  if (text.charCodeAt(i) === 46) {
    if (!isDigit(text.charCodeAt(++i))) return -1;
    while (isDigit(text.charCodeAt(++i)));
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    const s = text.charCodeAt(++i);
    if (s === 43 || s === 45) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(++i)));
  }
  return i;
}

/**
 * True when `text` (or its part from `start` to `end`, e.g. one line of many)
 * is exactly one JSON value (RFC 8259, as `JSON.parse` reads it, whitespace
 * around it allowed), nested at most `maxDepth` levels, with no NUL character
 * in any string or name — found without building the value, for checking a
 * document before a run (no allocation, no garbage). False means "not sure":
 * parse the text to learn what is wrong, if anything.
 */
export function isCleanJsonText(text: string, maxDepth: number, start = 0, end = text.length): boolean {
  const n = end;
  scanEnd = end;
  if (text !== searchedText || searchedFrom > start || (backslashAt !== -1 && backslashAt < start)) {
    backslashAt = text.indexOf('\\', start);
    searchedText = text;
    searchedFrom = start;
  }
  controlAt = controlFrom(text, start);
  let i = start;
  let depth = 0;
  for (;;) {
    // A value.
    i = afterSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) {
      if (++depth > maxDepth) return false;
      if (depth >= containers.length) {
        const grown = new Uint8Array(containers.length * 2);
        grown.set(containers);
        containers = grown;
      }
      containers[depth] = c === 123 ? OBJECT : ARRAY;
      i = afterSpace(text, i + 1);
      const close = text.charCodeAt(i);
      if ((c === 123 && close === 125) || (c === 91 && close === 93)) {
        i++;
        depth--;
      } else {
        if (c === 123 && (i = afterName(text, i)) < 0) return false;
        continue;
      }
    } else if (c === 34) i = stringEnd(text, i);
    else if (c === 45 || isDigit(c)) i = numberEnd(text, i);
    else if (c === 116 && text.startsWith('true', i)) i += 4;
    else if (c === 102 && text.startsWith('false', i)) i += 5;
    else if (c === 110 && text.startsWith('null', i)) i += 4;
    else return false;
    if (i < 0) return false;
    // After a value: the end, a comma, or closing brackets.
    for (;;) {
      i = afterSpace(text, i);
      if (depth === 0) return i === n;
      const next = text.charCodeAt(i);
      const kind = containers[depth];
      if (next === 44) {
        i++;
        if (kind === OBJECT && (i = afterName(text, i)) < 0) return false;
        break;
      }
      if ((next === 93 && kind === ARRAY) || (next === 125 && kind === OBJECT)) {
        i++;
        depth--;
        continue;
      }
      return false;
    }
  }
}
