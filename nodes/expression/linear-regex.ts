/**
 * Regular expressions of JSONata (`/…/i`) run on re2js, a pure-JavaScript
 * port of RE2: matching takes time linear in the text, so a pattern like
 * `/^(a+)+$/` cannot freeze the process by backtracking. The price is RE2's
 * syntax: no backreferences (`\1`) and no lookaround (`(?=…)`, `(?<!…)`);
 * such a pattern is refused with a message saying so, when the expression is
 * compiled (checkRegexLiterals) and, for `$eval`, when it runs.
 *
 * `LinearRegExp` has the part of RegExp's interface jsonata's evaluator uses
 * (`new RegexEngine(regexLiteral)`, `lastIndex`, `exec` with the `g` flag),
 * so it is handed to jsonata as its `RegexEngine` option.
 */
import { RE2JS } from 're2js';

/** Code of a regular expression the linear-time engine cannot run. */
export const UNSUPPORTED_REGEX_CODE = 'U1004';

const compiled = new Map<string, RE2JS>();
const MAX_CACHED = 500;

// JavaScript's \uXXXX escape is \x{XXXX} in RE2; every other escape we accept means the same in both.
function toRe2Syntax(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const hex = source.slice(i + 2, i + 6);
    if (source[i + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
      out += `\\x{${hex}}`;
      i += 5;
    } else {
      out += source.slice(i, i + 2);
      i++;
    }
  }
  return out;
}

/** The re2js program of a pattern, or a jsonata-style error naming what RE2 does not support. */
export function compileLinear(source: string, flags: string, position?: number): RE2JS {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (re) return re;
  try {
    re = RE2JS.compile(toRe2Syntax(source), (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? RE2JS.MULTILINE : 0));
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw {
      code: UNSUPPORTED_REGEX_CODE,
      position,
      message: `the regular expression /${source}/ cannot be used: ${why}. Regular expressions run on a linear-time engine (RE2 syntax), which has no backreferences (\\1) and no lookahead or lookbehind ((?=…), (?!…), (?<=…), (?<!…))`,
    };
  }
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, re);
  return re;
}

/** A RegExp look-alike with the global flag's `exec`, matching in linear time. */
export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly re: RE2JS;

  constructor(pattern: RegExp | string, flags?: string) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    this.re = compileLinear(this.source, this.flags);
  }

  exec(str: string): RegExpExecArray | null {
    const from = this.lastIndex;
    if (from > str.length) {
      this.lastIndex = 0;
      return null;
    }
    const m = this.re.matcher(str);
    if (!m.find(from)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? undefined);
    const result = groups as unknown as RegExpExecArray;
    result.index = m.start();
    result.input = str;
    this.lastIndex = m.end();
    return result;
  }
}

/** jsonata's `RegexEngine` option. */
export const linearRegexEngine = LinearRegExp as unknown as RegExpConstructor;

/** Throws (jsonata-style, with the position) on the first regex literal of `ast` that RE2 cannot run. */
export function checkRegexLiterals(ast: unknown): void {
  const seen = new Set<unknown>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof RegExp) continue;
    const n = node as { type?: unknown; value?: unknown; position?: number };
    if (n.type === 'regex' && n.value instanceof RegExp) compileLinear(n.value.source, n.value.flags, n.position);
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push(child);
  }
}
