/**
 * The fast path of the money functions: a decimal as an integer mantissa and
 * a scale (value = m / 10^s), computed with plain doubles while every integer
 * involved stays within 2^53 and is therefore exact. Most amounts, quantities,
 * prices and rates are like that ("1234.56", 0.9132, 17). Anything else —
 * exponents, more than 15 digits, a result that would leave the safe range —
 * returns null, and the caller computes it with decimal.js instead, so a
 * result is the same whichever path gave it.
 */

/** m / 10^s, m a safe integer (never -0), 0 ≤ s ≤ MAX_SCALE. */
export interface SmallDecimal {
  m: number;
  s: number;
}

const MAX_DIGITS = 15;
const MAX_SCALE = 22;
// 10^0 … 10^22 are exact doubles.
const POW10 = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);
const PLAIN = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;

/** A number or plain decimal string as a small decimal, or null when it is not one. */
export function smallDecimal(value: unknown): SmallDecimal | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    if (Number.isSafeInteger(value)) return { m: value || 0, s: 0 };
    text = String(value); // the shortest text that reads back as this double, as decimal.js takes it
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return null;
  }
  const match = PLAIN.exec(text);
  if (!match) return null;
  const whole = match[2];
  const fraction = match[3] ?? '';
  if (whole.length === 0 && fraction.length === 0) return null;
  if (fraction.length > MAX_SCALE) return null;
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits.length > MAX_DIGITS) return null;
  const m = digits.length === 0 ? 0 : Number(digits);
  return { m: match[1] === '-' && m !== 0 ? -m : m, s: fraction.length };
}

function scaled(m: number, by: number): number | null {
  if (by === 0) return m;
  const r = m * POW10[by];
  return Number.isSafeInteger(r) ? r : null;
}

/** a + b, or null when it would leave the exact range. */
export function addSmall(a: SmallDecimal, b: SmallDecimal): SmallDecimal | null {
  const s = Math.max(a.s, b.s);
  const am = scaled(a.m, s - a.s);
  const bm = scaled(b.m, s - b.s);
  if (am === null || bm === null) return null;
  const m = am + bm;
  return Number.isSafeInteger(m) ? { m: m || 0, s } : null;
}

/** a − b, or null. */
export function subSmall(a: SmallDecimal, b: SmallDecimal): SmallDecimal | null {
  return addSmall(a, { m: -b.m || 0, s: b.s });
}

/** a × b, or null. */
export function mulSmall(a: SmallDecimal, b: SmallDecimal): SmallDecimal | null {
  const s = a.s + b.s;
  if (s > MAX_SCALE) return null;
  const m = a.m * b.m;
  return Number.isSafeInteger(m) ? { m: m || 0, s } : null;
}

/** `a` rounded half-even to `places` decimals. */
export function roundSmall(a: SmallDecimal, places: number): SmallDecimal {
  if (a.s <= places) return a;
  const divisor = POW10[a.s - places];
  const r = a.m % divisor; // exact for doubles; the sign of m
  let q = (a.m - r) / divisor; // an exact multiple, so an exact integer
  const twice = 2 * Math.abs(r);
  if (twice > divisor || (twice === divisor && q % 2 !== 0)) q += a.m < 0 ? -1 : 1;
  return { m: q || 0, s: places };
}

/** Plain text with `a.s` decimals, or `scale` when given and larger (as `decimalAtScale`): "1000.00" stays "1000.00". */
export function formatSmall(a: SmallDecimal, scale = 0): string {
  const { m, s } = a;
  const digits = String(Math.abs(m));
  const sign = m < 0 ? '-' : '';
  let text: string;
  if (s === 0) text = sign + digits;
  else if (digits.length > s) text = `${sign}${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s)}`;
  else text = `${sign}0.${'0'.repeat(s - digits.length)}${digits}`;
  return scale > s ? `${text}${s === 0 ? '.' : ''}${'0'.repeat(scale - s)}` : text;
}
