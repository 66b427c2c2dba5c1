/**
 * Direct routes for the built-ins mappings call most, used when the call's
 * argument count is one listed here and no binding shadows the built-in. Each
 * handles only argument types for which jsonata's signature check passes
 * unchanged (no context substitution, no coercion) and otherwise defers to
 * the full validated call, so results and errors stay the reference's.
 */
import { charge, joinedSize } from '../../output-limit.ts';
import { builtins } from './builtins.ts';
import type { EvalState } from './state.ts';
import { jsonString } from './strings.ts';
import { toBoolean } from './values.ts';
import { validateArguments } from './signature-check.ts';

function generic(name: string, args: unknown[], ctx: unknown, st: EvalState): unknown {
  const def = builtins()[name];
  const validated = def.signature ? validateArguments(def.signature, args, ctx) : args;
  st.focus.input = ctx;
  return def.implementation.apply(st.focus, validated);
}

function impl(name: string): (...args: any[]) => any {
  return builtins()[name].implementation as (...args: any[]) => any;
}

function allNumbers(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

function allStrings(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string') return false;
  return true;
}

type Fast = (...args: any[]) => unknown;

/** Counts `size` against the evaluation's output budget before building the result. */
function charged(st: EvalState, size: number, build: () => string): string {
  charge(st.budget, size, 'join');
  return build();
}

// Strings without surrogates have one code unit per character, so jsonata's
// code-point substring equals String.prototype.slice.
const SURROGATE = /[\uD800-\uDFFF]/;

function substring(str: string, start: number, length?: number): string {
  if (SURROGATE.test(str) || start !== start || (length !== undefined && length !== length)) return impl('substring')(str, start, length);
  const strLength = str.length;
  if (strLength + start < 0) start = 0;
  if (length !== undefined) {
    if (length <= 0) return '';
    const end = start >= 0 ? start + length : strLength + start + length;
    return str.slice(start, end);
  }
  return str.slice(start);
}

// Pictures whose output is a prefix of toISOString() (UTC, years 0000–9999).
const ISO_PREFIX = new Map<string, number>([
  ['[Y0001]-[M01]-[D01]', 10],
  ['[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]', 19],
  ['[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001]Z', 24],
]);
const MIN_ISO = -62167219200000; // 0000-01-01T00:00:00Z
const MAX_ISO = 253402300800000; // 10000-01-01T00:00:00Z

/**
 * jsonata's $round(x, p) shifts the decimal point through strings, which is
 * slow. When x·10^p is small and not near a .5 tie, the float product rounds
 * to the same integer as the exact decimal shift (they differ by a few ulps),
 * and dividing that integer by 10^p is what parsing "…e-p" gives.
 */
function round(arg: number, precision: number | undefined): number {
  if (precision !== undefined && precision !== 0 && Number.isInteger(precision) && precision > 0 && precision <= 15) {
    const scale = POWERS[precision];
    const y = arg * scale;
    const abs = y < 0 ? -y : y;
    if (abs < 1e9) {
      const frac = abs - Math.floor(abs);
      if (frac - 0.5 > 1e-6 || 0.5 - frac > 1e-6) {
        const result = Math.round(y) / scale;
        return result === 0 ? 0 : result;
      }
    }
  }
  return impl('round')(arg, precision);
}
const POWERS = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

function fromMillis(millis: number, picture?: string, timezone?: string): string | undefined {
  if (timezone === undefined && millis >= MIN_ISO && millis < MAX_ISO && Number.isInteger(millis)) {
    if (picture === undefined) return new Date(millis).toISOString();
    const n = ISO_PREFIX.get(picture);
    if (n !== undefined) return new Date(millis).toISOString().slice(0, n);
  }
  return undefined;
}

const string1 = (name: string, f: (s: string) => unknown): Fast =>
  (a: any, ctx: unknown, st: EvalState) => {
    if (typeof a === 'string') return f(a);
    if (a === undefined) return undefined;
    return generic(name, [a], ctx, st);
  };

const number1 = (name: string): Fast =>
  (a: any, ctx: unknown, st: EvalState) => {
    if (typeof a === 'number' || a === undefined) return impl(name)(a);
    return generic(name, [a], ctx, st);
  };

const numbers1 = (name: string): Fast =>
  (a: any, ctx: unknown, st: EvalState) => {
    if (Array.isArray(a) && allNumbers(a)) return impl(name)(a);
    if (typeof a === 'number') return impl(name)([a]);
    if (a === undefined) return impl(name)(undefined);
    return generic(name, [a], ctx, st);
  };

/** Fast routes by built-in name: the argument counts they take and the function. */
export const FAST_BUILTINS: Record<string, { arities: number[]; fn: Fast }> = {
  // Objects go the counted way: a list holding itself many times over has an enormous JSON.
  string: { arities: [1], fn: (a: any, ctx: unknown, st: EvalState) => (a !== null && typeof a === 'object' ? generic('string', [a], ctx, st) : jsonString(a)) },
  uppercase: { arities: [1], fn: string1('uppercase', (s) => s.toUpperCase()) },
  lowercase: { arities: [1], fn: string1('lowercase', (s) => s.toLowerCase()) },
  trim: { arities: [1], fn: string1('trim', (s) => impl('trim')(s)) },
  length: { arities: [1], fn: string1('length', (s) => impl('length')(s)) },
  substring: {
    arities: [2, 3],
    fn(a: any, b: any, c: any, ctx?: unknown, st?: EvalState) {
      if (arguments.length === 4) {
        st = ctx as EvalState;
        ctx = c;
        c = undefined;
        if (typeof a === 'string' && typeof b === 'number') return substring(a, b);
        return generic('substring', [a, b], ctx, st);
      }
      if (typeof a === 'string' && typeof b === 'number' && (typeof c === 'number' || c === undefined)) return substring(a, b, c);
      return generic('substring', [a, b, c], ctx, st!);
    },
  },
  substringBefore: {
    arities: [2],
    fn: (a: any, b: any, ctx: unknown, st: EvalState) =>
      typeof a === 'string' && typeof b === 'string' ? impl('substringBefore')(a, b) : generic('substringBefore', [a, b], ctx, st),
  },
  substringAfter: {
    arities: [2],
    fn: (a: any, b: any, ctx: unknown, st: EvalState) =>
      typeof a === 'string' && typeof b === 'string' ? impl('substringAfter')(a, b) : generic('substringAfter', [a, b], ctx, st),
  },
  number: {
    arities: [1],
    fn(a: any, ctx: unknown, st: EvalState) {
      if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean' || a === undefined) return impl('number')(a);
      return generic('number', [a], ctx, st);
    },
  },
  round: {
    arities: [1, 2],
    fn(a: any, b: any, ctx?: unknown, st?: EvalState) {
      if (arguments.length === 3) {
        st = ctx as EvalState;
        ctx = b;
        if (typeof a === 'number' || a === undefined) return impl('round')(a);
        return generic('round', [a], ctx, st);
      }
      if (typeof a === 'number' && (typeof b === 'number' || b === undefined)) return round(a, b);
      if (a === undefined && (typeof b === 'number' || b === undefined)) return undefined;
      return generic('round', [a, b], ctx, st!);
    },
  },
  floor: { arities: [1], fn: number1('floor') },
  ceil: { arities: [1], fn: number1('ceil') },
  abs: { arities: [1], fn: number1('abs') },
  sum: { arities: [1], fn: numbers1('sum') },
  max: { arities: [1], fn: numbers1('max') },
  min: { arities: [1], fn: numbers1('min') },
  average: { arities: [1], fn: numbers1('average') },
  count: {
    arities: [1],
    fn: (a: any) => (a === undefined ? 0 : Array.isArray(a) ? a.length : 1),
  },
  exists: { arities: [1], fn: (a: any) => a !== undefined },
  type: { arities: [1], fn: (a: any) => impl('type')(a) },
  append: { arities: [2], fn: (a: any, b: any, _ctx: unknown, st: EvalState) => impl('append').call(st.focus, a, b) },
  distinct: { arities: [1], fn: (a: any, _ctx: unknown, st: EvalState) => impl('distinct').call(st.focus, a) },
  keys: { arities: [1], fn: (a: any, _ctx: unknown, st: EvalState) => impl('keys').call(st.focus, a) },
  contains: {
    arities: [2],
    fn: (a: any, b: any, ctx: unknown, st: EvalState) =>
      typeof a === 'string' && typeof b === 'string' ? a.indexOf(b) !== -1 : generic('contains', [a, b], ctx, st),
  },
  formatNumber: {
    arities: [2],
    fn: (a: any, b: any, ctx: unknown, st: EvalState) =>
      typeof a === 'number' && typeof b === 'string' ? impl('formatNumber')(a, b) : generic('formatNumber', [a, b], ctx, st),
  },
  boolean: { arities: [1], fn: (a: any) => toBoolean(a) },
  not: { arities: [1], fn: (a: any) => (a === undefined ? undefined : !toBoolean(a)) },
  join: {
    arities: [1, 2],
    fn(a: any, b: any, ctx?: unknown, st?: EvalState) {
      if (arguments.length === 3) {
        st = ctx as EvalState;
        ctx = b;
        b = undefined;
        if (Array.isArray(a) && allStrings(a)) return charged(st, joinedSize(a, ''), () => a.join(''));
        return generic('join', [a], ctx, st);
      }
      if (Array.isArray(a) && allStrings(a) && (typeof b === 'string' || b === undefined)) {
        return charged(st!, joinedSize(a, b), () => a.join(b === undefined ? '' : b));
      }
      return generic('join', [a, b], ctx, st!);
    },
  },
  lookup: {
    arities: [2],
    fn(a: any, b: any, ctx: unknown, st: EvalState) {
      if (typeof b === 'string' && a !== null && typeof a === 'object' && !Array.isArray(a)) return impl('lookup').call(st.focus, a, b);
      return generic('lookup', [a, b], ctx, st);
    },
  },
  fromMillis: {
    arities: [1, 2, 3],
    fn(...args: any[]) {
      const st = args.pop() as EvalState;
      const ctx = args.pop();
      if (typeof args[0] === 'number' && args.every((x, i) => i === 0 || typeof x === 'string' || x === undefined)) {
        return fromMillis(args[0], args[1], args[2]) ?? impl('fromMillis').apply(st.focus, args);
      }
      return generic('fromMillis', args, ctx, st);
    },
  },
  toMillis: {
    arities: [1, 2],
    fn(...args: any[]) {
      const st = args.pop() as EvalState;
      const ctx = args.pop();
      if (typeof args[0] === 'string' && (args.length === 1 || typeof args[1] === 'string' || args[1] === undefined)) {
        return impl('toMillis').apply(st.focus, args);
      }
      return generic('toMillis', args, ctx, st);
    },
  },
};

/** The fast routes as called from generated code: `rt.fast.name(args…, ctx, st)`. */
export const fast: Record<string, Fast> = Object.assign(Object.create(null), Object.fromEntries(Object.entries(FAST_BUILTINS).map(([k, v]) => [k, v.fn])));
