/**
 * Exact-decimal money functions for expressions. JSONata numbers are binary
 * floats (0.1 + 0.2 = 0.30000000000000004); these work on decimal.js values
 * and return decimal strings that keep the scale (number of decimals) of
 * their operands, as SQL numeric and Java's BigDecimal do: no exponent, no
 * "-0", and "1000.00" stays "1000.00" (`$decNeg("1000.00")` = "-1000.00").
 * Sums and differences have the largest scale of their operands, products the
 * sum of the scales, negation and absolute value the operand's scale; rounding,
 * formatting and division to a scale have exactly that scale; division
 * without one has at least the dividend's scale ("10.00" ÷ 4 = "2.50").
 *
 * Inputs are numbers or decimal strings ("1234.56", "-0.5", " 7 "); a missing
 * (undefined) input gives an undefined result, as jsonata's own functions do —
 * except `$decSum` (missing list → "0") and `$decEq` (→ false, like `=`).
 * Anything else (null, "1,234.56", an object) is a mapping error naming the
 * function and the argument. Rounding is ROUND_HALF_EVEN (banker's rounding).
 *
 * Add, subtract, multiply, sum, round and compare first try `small-decimal.ts`
 * (exact integer arithmetic in doubles, several times faster); whatever it
 * declines is computed here with decimal.js, to the same result.
 */
import Decimal from 'decimal.js';
import { FlowError } from '../errors.ts';
import { signed } from './signed-function.ts';
import { addInto, formatSmall, mulInto, readSmall, roundSmall, type SmallDecimal } from './small-decimal.ts';

/**
 * Exact decimals as the project computes them: 50 significant digits (room for any amount ×
 * any rate, or any sum of amounts, without rounding), half-even, never written with an exponent.
 */
export const ExactDecimal = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
const Dec = ExactDecimal;
// Quotients that do not terminate are cut at 34 significant digits (as IEEE decimal128).
const DivDec = Dec.clone({ precision: 34 });
type D = InstanceType<typeof Dec>;

const DECIMAL_STRING = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MAX_SCALE = 50;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `a list of ${value.length} values`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function fail(fn: string, message: string): never {
  throw new FlowError('mapping', `$${fn}: ${message}`);
}

/** Parses a number or decimal string; `what` names the argument in errors. */
function toDec(value: unknown, fn: string, what: string): D {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(fn, `${what} is ${value}, not a finite number`);
    return new Dec(value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (DECIMAL_STRING.test(text)) return new Dec(text);
  }
  return fail(fn, `${what} is ${describe(value)}, not a number or decimal string`);
}

function toScale(value: unknown, fn: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SCALE) {
    fail(fn, `the scale (number of decimals) must be a whole number from 0 to ${MAX_SCALE}, got ${describe(value)}`);
  }
  return value;
}

/** Canonical text of a decimal: plain notation, no trailing zeros, no negative zero. */
export function canonicalDecimal(d: Decimal): string {
  return d.isZero() ? '0' : d.toFixed();
}

const SCALE_OF = /^[+-]?\d*(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The decimals an operand is written with: "1000.00" → 2, 1.5 → 1, 17 → 0, "1.50e1" → 1, "1e-3" → 3. */
export function scaleOf(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return 0;
  const match = SCALE_OF.exec(typeof value === 'number' ? String(value) : String(value).trim());
  if (!match) return 0;
  return Math.max(0, (match[1]?.length ?? 0) - Number(match[2] ?? 0));
}

/** `d` written with `scale` decimals (more only if it has more), never "-0". */
export function decimalAtScale(d: Decimal, scale: number): string {
  return (d.isZero() ? d.abs() : d).toFixed(Math.max(scale, d.decimalPlaces()));
}

const largestScale = (values: readonly unknown[]) => values.reduce<number>((max, v) => Math.max(max, scaleOf(v)), 0);

const ordinal = (i: number) => `argument ${i + 1}`;

// Working space of the small-decimal paths: nothing they call runs an expression, so one set serves every call.
const X: SmallDecimal = { m: 0, s: 0 };
const Y: SmallDecimal = { m: 0, s: 0 };

/** Both as small decimals, in X and Y; false when either is not one. */
function readPair(a: unknown, b: unknown): boolean {
  return readSmall(a, X) && readSmall(b, Y);
}

/** Sign of a − b from small decimals, or null. */
function compareSmall(a: unknown, b: unknown): number | null {
  if (!readPair(a, b)) return null;
  Y.m = -Y.m || 0;
  return addInto(X, Y, X) ? Math.sign(X.m) : null;
}

/** `$decAdd(a, b, …)`: exact sum of two or more values, at their largest scale. */
export const decAdd = signed(function decAdd(...values: unknown[]): string | undefined {
  if (values.some((v) => v === undefined)) return undefined;
  if (values.length < 2) fail('decAdd', 'needs at least two values to add');
  let small = readSmall(values[0], X);
  for (let i = 1; i < values.length && small; i++) small = readSmall(values[i], Y) && addInto(X, Y, X);
  if (small) return formatSmall(X);
  let total = toDec(values[0], 'decAdd', ordinal(0));
  for (let i = 1; i < values.length; i++) total = total.plus(toDec(values[i], 'decAdd', ordinal(i)));
  return decimalAtScale(total, largestScale(values));
}, '<(ns)(ns)+:s>');

/** `$decSub(a, b)`: exact a − b. */
export const decSub = signed(function decSub(a: unknown, b: unknown): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (readPair(a, b)) {
    Y.m = -Y.m || 0;
    if (addInto(X, Y, X)) return formatSmall(X);
  }
  return decimalAtScale(toDec(a, 'decSub', ordinal(0)).minus(toDec(b, 'decSub', ordinal(1))), Math.max(scaleOf(a), scaleOf(b)));
}, '<(ns)(ns):s>');

/** `$decMul(a, b)`: exact a × b, at the sum of their scales ("19.99" × 3 = "59.97", "1.1" × "1.1" = "1.21"). */
export const decMul = signed(function decMul(a: unknown, b: unknown): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (readPair(a, b) && mulInto(X, Y, X)) return formatSmall(X);
  return decimalAtScale(toDec(a, 'decMul', ordinal(0)).times(toDec(b, 'decMul', ordinal(1))), scaleOf(a) + scaleOf(b));
}, '<(ns)(ns):s>');

/** `$decDiv(a, b, scale?)`: a ÷ b, rounded half-even to `scale` decimals when given. */
export const decDiv = signed(function decDiv(a: unknown, b: unknown, scale?: unknown): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  const dividend = toDec(a, 'decDiv', ordinal(0));
  const divisor = toDec(b, 'decDiv', ordinal(1));
  if (divisor.isZero()) fail('decDiv', `cannot divide ${canonicalDecimal(dividend)} by zero`);
  if (scale === undefined) return decimalAtScale(new DivDec(dividend).div(divisor), scaleOf(a));
  const places = toScale(scale, 'decDiv');
  return decimalAtScale(dividend.div(divisor).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN), places);
}, '<(ns)(ns)n?:s>');

/** `$decRound(a, scale)`: rounds half-even to `scale` decimals ("2.345", 2 → "2.34"; "2.5", 2 → "2.50"). */
export const decRound = signed(function decRound(a: unknown, scale: unknown): string | undefined {
  if (a === undefined) return undefined;
  const places = toScale(scale, 'decRound');
  if (readSmall(a, X)) return formatSmall(roundSmall(X, places), places);
  return decimalAtScale(toDec(a, 'decRound', ordinal(0)).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN), places);
}, '<(ns)n:s>');

/** `$decFormat(a, scale)`: fixed `scale` decimals, rounded half-even ("2.5", 2 → "2.50"). */
export const decFormat = signed(function decFormat(a: unknown, scale: unknown): string | undefined {
  if (a === undefined) return undefined;
  const places = toScale(scale, 'decFormat');
  return decimalAtScale(toDec(a, 'decFormat', ordinal(0)).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN), places);
}, '<(ns)n:s>');

/** `$decCmp(a, b)`: -1, 0 or 1 as a is less than, equal to or greater than b. */
export const decCmp = signed(function decCmp(a: unknown, b: unknown): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  return compareSmall(a, b) ?? toDec(a, 'decCmp', ordinal(0)).comparedTo(toDec(b, 'decCmp', ordinal(1)));
}, '<(ns)(ns):n>');

/** `$decEq(a, b)`: true when a and b are the same amount ("1.50" = 1.5); false when either is missing. */
export const decEq = signed(function decEq(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  const sign = compareSmall(a, b);
  if (sign !== null) return sign === 0;
  return toDec(a, 'decEq', ordinal(0)).equals(toDec(b, 'decEq', ordinal(1)));
}, '<(ns)(ns):b>');

/** `$decSum(list)`: exact sum of a list of amounts at their largest scale; "0" for an empty or missing list. */
export const decSum = signed(function decSum(values: unknown): string {
  if (values === undefined) return '0';
  const list = Array.isArray(values) ? values : [values];
  X.m = 0;
  X.s = 0;
  let small = true;
  for (let i = 0; i < list.length && small; i++) small = readSmall(list[i], Y) && addInto(X, Y, X);
  if (small) return formatSmall(X);
  let total = new Dec(0);
  for (let i = 0; i < list.length; i++) total = total.plus(toDec(list[i], 'decSum', `item ${i + 1} of the list`));
  return decimalAtScale(total, largestScale(list));
}, '<a:s>');

/** `$decNeg(a)`: −a, at a's scale. */
export const decNeg = signed(function decNeg(a: unknown): string | undefined {
  if (a === undefined) return undefined;
  return decimalAtScale(toDec(a, 'decNeg', ordinal(0)).negated(), scaleOf(a));
}, '<(ns):s>');

/** `$decAbs(a)`: |a|, at a's scale. */
export const decAbs = signed(function decAbs(a: unknown): string | undefined {
  if (a === undefined) return undefined;
  return decimalAtScale(toDec(a, 'decAbs', ordinal(0)).abs(), scaleOf(a));
}, '<(ns):s>');

/** The money functions by the name they are bound under (without `$`). */
export const moneyFunctions = {
  decAdd,
  decSub,
  decMul,
  decDiv,
  decRound,
  decFormat,
  decCmp,
  decEq,
  decSum,
  decNeg,
  decAbs,
} as const;
