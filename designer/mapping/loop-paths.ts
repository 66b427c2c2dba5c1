/**
 * Paths inside loops. A field dropped into a for-each is read from the loop's
 * item, so the dragged path (from the record root) is rewritten relative to
 * it: below the item it is a plain relative path, below an enclosing loop's
 * item it climbs with JSONata's parent operator `%`, and anything else is
 * read from the record root (`$$`).
 */
import { pathExpression } from './expression-mapping.ts';
import { splitTopLevel } from './expression-scanner.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Removes `[…]` filters and index stages from a path, honouring quotes and back-quoted names. */
function withoutFilters(text: string): string {
  let out = '';
  let depth = 0;
  let quote = '';
  for (const ch of text) {
    if (quote) {
      if (depth === 0) out += ch;
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
      if (depth === 0) out += ch;
    } else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/** The field names a loop source walks (filters dropped), or null when it is no plain path (a variable, a function call). */
export function sourceSegments(source: string): string[] | null {
  const parts = splitTopLevel(withoutFilters(source.trim()), '.').map((p) => p.trim());
  const names: string[] = [];
  for (const p of parts) {
    if (NAME.test(p)) names.push(p);
    else if (/^`[^`]+`$/.test(p)) names.push(p.slice(1, -1));
    else return null;
  }
  return names.length ? names : null;
}

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.every((s, i) => path[i] === s);

/**
 * The expression reading `dragged` (names from the record root) inside the loops `loops`
 * (their sources, outermost first; each relative to the item of the one before).
 */
export function pathInLoops(loops: readonly string[], dragged: readonly string[]): string {
  if (loops.length === 0) return pathExpression(dragged);
  const prefixes: string[][] = [];
  let absolute: string[] = [];
  for (const source of loops) {
    const names = sourceSegments(source);
    if (!names) break;
    absolute = [...absolute, ...names];
    prefixes.push(absolute);
  }
  const innermost = prefixes.length === loops.length ? prefixes[prefixes.length - 1] : null;
  if (innermost && startsWith(dragged, innermost)) {
    const rest = dragged.slice(innermost.length);
    return rest.length ? pathExpression(rest) : '$';
  }
  if (innermost) {
    for (let k = prefixes.length - 2; k >= 0; k--) {
      if (!startsWith(dragged, prefixes[k])) continue;
      const ups = Array(innermost.length - prefixes[k].length).fill('%').join('.');
      const rest = dragged.slice(prefixes[k].length);
      return rest.length ? `${ups}.${pathExpression(rest)}` : ups;
    }
  }
  return `$$.${pathExpression(dragged)}`;
}
