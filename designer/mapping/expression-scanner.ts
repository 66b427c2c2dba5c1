/**
 * A small lexical scanner for JSONata text: splits at top-level separators
 * while skipping strings, `backtick names`, comments and regex literals, so
 * the mapper can lift each field's expression out of an object constructor
 * exactly as written (the AST only keeps end positions).
 */

const OPENERS = '([{';
const CLOSERS = ')]}';
// A "/" after one of these (or at the start) begins a regex literal, not a division.
const BEFORE_REGEX = '([{,:;=!&|?+-*%<>~';

/** Splits `text` at `separator` characters that are outside any bracket, string or comment. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let lastSignificant = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipQuoted(text, i, ch);
      lastSignificant = ch;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (ch === '/' && (lastSignificant === '' || BEFORE_REGEX.includes(lastSignificant))) {
      i = skipQuoted(text, i, '/');
      lastSignificant = '/';
      continue;
    }
    if (OPENERS.includes(ch)) depth++;
    else if (CLOSERS.includes(ch)) depth--;
    else if (depth === 0 && ch === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
      lastSignificant = ch;
      continue;
    }
    if (!/\s/.test(ch)) lastSignificant = ch;
  }
  parts.push(text.slice(start));
  return parts;
}

/** Index of the closing quote of a quoted run starting at `start` (backslash escapes honoured). */
function skipQuoted(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\' && quote !== '`') i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

/** Reads a JSONata string literal ("…" or '…'); null when `text` is not exactly one. */
export function readStringLiteral(text: string): string | null {
  const t = text.trim();
  if (t.length < 2) return null;
  const q = t[0];
  if ((q !== '"' && q !== "'") || t[t.length - 1] !== q || skipQuoted(t, 0, q) !== t.length - 1) return null;
  const body = q === '"' ? t : `"${t.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`;
  try {
    return JSON.parse(body) as string;
  } catch {
    return null;
  }
}

/** Removes the indentation common to the second and later lines, so re-indenting is stable. */
export function dedentContinuation(text: string): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const rest = lines.slice(1);
  const indents = rest.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return [lines[0], ...rest.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length)))].join('\n');
}

/** Indents the second and later lines by `indent` spaces. */
export function indentContinuation(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return text
    .split('\n')
    .map((line, i) => (i === 0 || line.trim() === '' ? line : pad + line))
    .join('\n');
}
