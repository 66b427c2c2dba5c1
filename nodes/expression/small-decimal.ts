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
// '', '0', '00' … up to MAX_SCALE zeros.
const ZEROS = Array.from({ length: MAX_SCALE + 1 }, (_, i) => '0'.repeat(i));
const PLAIN = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;

/** A number or plain decimal string as a small decimal, or null when it is not one. */
export function smallDecimal(value: unknown): SmallDecimal | null {
  const d = { m: 0, s: 0 };
  return readSmall(value, d) ? d : null;
}

/**
 * `smallDecimal` into a given object, for loops that should not allocate one per value:
 * true when `value` is a small decimal (now in `into`), false when not (`into` is then unspecified).
 */
export function readSmall(value: unknown, into: SmallDecimal): boolean {
  if (typeof value === 'string') return parsePlain(value, into);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (Number.isSafeInteger(value)) {
    into.m = value || 0;
    into.s = 0;
    return true;
  }
  return parsePlain(String(value), into); // the shortest text that reads back as this double, as decimal.js takes it
}

/**
 * `PLAIN` read with a character loop (most amounts pass here on every record):
 * sign, whole digits, point, fraction digits, nothing else. Text that starts
 * or ends with anything that may be white space goes to the regular expression.
 */
function parsePlain(text: string, into: SmallDecimal): boolean {
  const n = text.length;
  if (n === 0) return false;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  if (first <= 32 || first >= 127 || last <= 32 || last >= 127) return parseSpaced(text, into);
  let i = 0;
  if (first === 43 || first === 45) i = 1; // + -
  let m = 0;
  let digits = 0; // significant digits so far (leading zeros do not count)
  let s = 0;
  let any = false;
  let c = 0;
  for (; i < n; i++) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    any = true;
    if (digits > 0 || c !== 0) {
      if (++digits > MAX_DIGITS) return false;
      m = m * 10 + c;
    }
  }
  if (i < n && c === -2) {
    // '.' (46 − 48)
    for (i++; i < n; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return false;
      any = true;
      if (++s > MAX_SCALE) return false;
      if (digits > 0 || c !== 0) {
        if (++digits > MAX_DIGITS) return false;
        m = m * 10 + c;
      }
    }
  }
  if (i < n || !any) return false;
  into.m = first === 45 && m !== 0 ? -m : m;
  into.s = s;
  return true;
}

/** `PLAIN` by regular expression: text with white space around it. */
function parseSpaced(text: string, into: SmallDecimal): boolean {
  const match = PLAIN.exec(text);
  if (!match) return false;
  const whole = match[2];
  const fraction = match[3] ?? '';
  if (whole.length === 0 && fraction.length === 0) return false;
  if (fraction.length > MAX_SCALE) return false;
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits.length > MAX_DIGITS) return false;
  const m = digits.length === 0 ? 0 : Number(digits);
  into.m = match[1] === '-' && m !== 0 ? -m : m;
  into.s = fraction.length;
  return true;
}

function scaled(m: number, by: number): number | null {
  if (by === 0) return m;
  const r = m * POW10[by];
  return Number.isSafeInteger(r) ? r : null;
}

/** a + b, or null when it would leave the exact range. */
export function addSmall(a: SmallDecimal, b: SmallDecimal): SmallDecimal | null {
  const out = { m: 0, s: 0 };
  return addInto(a, b, out) ? out : null;
}

/** a + b into `out` (which may be `a` or `b`): false, `out` untouched, when it would leave the exact range. */
export function addInto(a: SmallDecimal, b: SmallDecimal, out: SmallDecimal): boolean {
  const s = Math.max(a.s, b.s);
  const am = scaled(a.m, s - a.s);
  const bm = scaled(b.m, s - b.s);
  if (am === null || bm === null) return false;
  const m = am + bm;
  if (!Number.isSafeInteger(m)) return false;
  out.m = m || 0;
  out.s = s;
  return true;
}

/** a − b, or null. */
export function subSmall(a: SmallDecimal, b: SmallDecimal): SmallDecimal | null {
  return addSmall(a, { m: -b.m || 0, s: b.s });
}

/** a × b, or null. */
export function mulSmall(a: SmallDecimal, b: SmallDecimal): SmallDecimal | null {
  const out = { m: 0, s: 0 };
  return mulInto(a, b, out) ? out : null;
}

/** a × b into `out` (which may be `a` or `b`): false, `out` untouched, when it would leave the exact range. */
export function mulInto(a: SmallDecimal, b: SmallDecimal, out: SmallDecimal): boolean {
  const s = a.s + b.s;
  if (s > MAX_SCALE) return false;
  const m = a.m * b.m;
  if (!Number.isSafeInteger(m)) return false;
  out.m = m || 0;
  out.s = s;
  return true;
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
  const digits = String(m < 0 ? -m : m);
  let text = digits;
  if (s > 0) {
    const cut = digits.length - s;
    text = cut > 0 ? `${digits.substring(0, cut)}.${digits.substring(cut)}` : `0.${ZEROS[-cut]}${digits}`;
  }
  if (m < 0) text = `-${text}`;
  return scale > s ? `${text}${s === 0 ? '.' : ''}${'0'.repeat(scale - s)}` : text;
}
