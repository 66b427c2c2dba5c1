/**
 * Exact shortcuts for the tiny expressions the engine evaluates on every
 * record besides the mapping (record key, business key, route conditions):
 * a dotted field path, a single `$variable`, a literal, and `path = literal` /
 * `path != literal`. Each gives jsonata's result or declines (FALLBACK), in
 * which case the caller evaluates with jsonata. They decline whenever jsonata's
 * sequence rules could make a difference (arrays anywhere, a non-object input).
 * test/nodes/expression/fast-path.test.ts checks them against jsonata.
 */
import type { Bindings } from './evaluator.ts';

/** Returned when the shortcut cannot decide; evaluate with jsonata instead. */
export const FALLBACK: unique symbol = Symbol('fallback');

export type FastEvaluate = (input: unknown, bindings: Bindings | undefined) => unknown;

export interface FastPath {
  kind: 'path' | 'variable' | 'literal' | 'equals' | 'not-equals';
  evaluate: FastEvaluate;
}

// Words jsonata reads as operators or values where a name could stand.
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const PATH_RE = new RegExp(`^${NAME}(?:\\s*\\.\\s*${NAME})*$`);
const VARIABLE_RE = new RegExp(`^\\$(${NAME})$`);
const NUMBER_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const STRING_RE = /^(?:'([^'\\]*)'|"([^"\\]*)")$/;
const COMPARE_RE = /^(.*?)\s*(!=|=)\s*('[^'\\]*'|"[^"\\]*"|-?[0-9][0-9.eE+-]*|true|false|null)$/s;

const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A literal's value, or FALLBACK when the text is not a literal we handle. */
function parseLiteral(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  const str = STRING_RE.exec(text);
  if (str) return str[1] ?? str[2];
  if (NUMBER_RE.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : FALLBACK;
  }
  return FALLBACK;
}

function parsePath(text: string): string[] | null {
  if (!PATH_RE.test(text)) return null;
  const steps = text.split('.').map((s) => s.trim());
  return steps.some((s) => RESERVED.has(s)) ? null : steps;
}

/** jsonata's field lookup along `steps`, or FALLBACK where arrays or functions are involved. */
function walk(input: unknown, steps: string[]): unknown {
  if (!isPlainObject(input)) return FALLBACK;
  let value: unknown = input;
  for (let i = 0; i < steps.length; i++) {
    if (Array.isArray(value) || typeof value === 'function') return FALLBACK;
    if (!isPlainObject(value)) return undefined;
    value = hasOwn.call(value, steps[i]) ? value[steps[i]] : undefined;
  }
  if (Array.isArray(value) || typeof value === 'function') return FALLBACK;
  return value;
}

function walker(steps: string[]): FastEvaluate {
  if (steps.length === 1) {
    const [name] = steps;
    // The most common case (`poNumber`), kept free of the loop.
    return (input) => {
      if (!isPlainObject(input)) return FALLBACK;
      const value = hasOwn.call(input, name) ? input[name] : undefined;
      return Array.isArray(value) || typeof value === 'function' ? FALLBACK : value;
    };
  }
  return (input) => walk(input, steps);
}

/** The shortcut for `source`, or null when it has none. */
export function fastPathFor(source: string): FastPath | null {
  const text = source.trim();
  if (text === '') return null;

  const literal = parseLiteral(text);
  if (literal !== FALLBACK) return { kind: 'literal', evaluate: () => literal };

  const variable = VARIABLE_RE.exec(text);
  if (variable) {
    const name = variable[1];
    return {
      kind: 'variable',
      evaluate: (_input, bindings) => {
        if (!bindings || !hasOwn.call(bindings, name)) return FALLBACK;
        const value = bindings[name];
        // Undefined bindings fall through to outer scopes in jsonata; arrays and functions keep their own rules.
        if (value === undefined || Array.isArray(value) || typeof value === 'function') return FALLBACK;
        return value;
      },
    };
  }

  const steps = parsePath(text);
  if (steps) return { kind: 'path', evaluate: walker(steps) };

  const compare = COMPARE_RE.exec(text);
  if (compare) {
    const lhs = parsePath(compare[1].trim());
    const rhs = parseLiteral(compare[3]);
    if (lhs && rhs !== FALLBACK) {
      const get = walker(lhs);
      const negate = compare[2] === '!=';
      return {
        kind: negate ? 'not-equals' : 'equals',
        evaluate: (input) => {
          const value = get(input, undefined);
          if (value === FALLBACK) return FALLBACK;
          // jsonata: either side undefined → false, for `=` and `!=` alike.
          if (value === undefined) return false;
          // The literal is never an object, so deep equality reduces to identity.
          return negate ? value !== rhs : value === rhs;
        },
      };
    }
  }
  return null;
}
