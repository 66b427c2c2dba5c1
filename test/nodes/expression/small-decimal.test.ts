import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decAdd, decCmp, decEq, decMul, decRound, decSub, decSum } from '../../../nodes/expression/money.ts';
import { formatSmall, roundSmall, smallDecimal } from '../../../nodes/expression/small-decimal.ts';

// decimal.js alone, configured as money.ts configures it: what every result must equal.
const Dec = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
const dec = (v: string | number) => new Dec(typeof v === 'string' ? v.trim() : v);
// The decimals a value is written with (its digits after the point, less its exponent).
const scale = (v: string | number) => {
  if (typeof v === 'number' && Number.isInteger(v)) return 0;
  const [mantissa, exponent = '0'] = String(v).trim().toLowerCase().split('e');
  return Math.max(0, (mantissa.split('.')[1] ?? '').length - Number(exponent));
};
const atScale = (d: Decimal, s: number) => (d.isZero() ? d.abs() : d).toFixed(Math.max(s, d.decimalPlaces()));
const reference = {
  add: (a: string | number, b: string | number) => atScale(dec(a).plus(dec(b)), Math.max(scale(a), scale(b))),
  sub: (a: string | number, b: string | number) => atScale(dec(a).minus(dec(b)), Math.max(scale(a), scale(b))),
  mul: (a: string | number, b: string | number) => atScale(dec(a).times(dec(b)), scale(a) + scale(b)),
  round: (a: string | number, p: number) => atScale(dec(a).toDecimalPlaces(p, Decimal.ROUND_HALF_EVEN), p),
  cmp: (a: string | number, b: string | number) => dec(a).comparedTo(dec(b)),
};

// Amounts as systems send them: signs, leading and trailing zeros, long fractions, big and tiny values, exponents.
const decimalText = fc
  .tuple(
    fc.constantFrom('', '-', '+'),
    fc.stringMatching(/^[0-9]{0,18}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,24}$/), { nil: undefined }),
    fc.option(fc.integer({ min: -30, max: 30 }), { nil: undefined, freq: 8 }),
  )
  .filter(([, whole, fraction]) => whole.length > 0 || (fraction ?? '').length > 0)
  .map(([sign, whole, fraction, exponent]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `e${exponent}`}`);
const amount = fc.oneof(
  decimalText,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom('0.5', '-0.5', '2.5', '-2.5', '0.005', '9007199254740993', '999999999999999', '0.0000000000000000000001', -0, '-0.00'),
);

describe('the small-decimal fast path gives decimal.js results', () => {
  const runs = { numRuns: 3000 };

  it('adds, subtracts and multiplies', () => {
    fc.assert(fc.property(amount, amount, (a, b) => {
      expect(decAdd(a, b)).toBe(reference.add(a, b));
      expect(decSub(a, b)).toBe(reference.sub(a, b));
      expect(decMul(a, b)).toBe(reference.mul(a, b));
    }), runs);
  });

  it('sums lists', () => {
    fc.assert(fc.property(fc.array(amount, { maxLength: 12 }), (list) => {
      const expected = atScale(list.reduce<Decimal>((t, v) => t.plus(dec(v)), new Dec(0)), Math.max(0, ...list.map(scale)));
      expect(decSum(list)).toBe(expected);
    }), runs);
  });

  it('rounds half-even', () => {
    fc.assert(fc.property(amount, fc.integer({ min: 0, max: 30 }), (a, places) => {
      expect(decRound(a, places)).toBe(reference.round(a, places));
    }), runs);
  });

  it('compares', () => {
    fc.assert(fc.property(amount, amount, (a, b) => {
      expect(decCmp(a, b)).toBe(reference.cmp(a, b));
      expect(decEq(a, b)).toBe(reference.cmp(a, b) === 0);
      expect(decEq(a, a)).toBe(true);
    }), runs);
  });

  it('reads text as the pattern sign, digits, point, digits (white space around it allowed) says', () => {
    // The definition the character loop implements, written as a regular expression.
    const PLAIN = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;
    const expected = (text: string) => {
      const match = PLAIN.exec(text);
      if (!match || (match[2] === '' && match[3] === undefined) || (match[2] === '' && match[3] === '')) return null;
      const fraction = match[3] ?? '';
      const digits = (match[2] + fraction).replace(/^0+/, '');
      if (fraction.length > 22 || digits.length > 15) return null;
      const m = Number(digits || '0');
      return { m: match[1] === '-' && m !== 0 ? -m : m, s: fraction.length };
    };
    const text = fc.array(fc.constantFrom('0', '0', '1', '7', '9', '.', '-', '+', ' ', '\t', '\u00a0', '\ufeff', 'e', 'x'), { maxLength: 28 }).map((a) => a.join(''));
    const digits = fc
      .tuple(fc.constantFrom('', '-', '+', ' ', '\u00a0-'), fc.stringMatching(/^[0-9]{0,17}$/), fc.option(fc.stringMatching(/^[0-9]{0,24}$/)), fc.constantFrom('', ' ', '\n', 'x'))
      .map(([sign, whole, fraction, after]) => `${sign}${whole}${fraction === null ? '' : `.${fraction}`}${after}`);
    fc.assert(fc.property(fc.oneof(text, digits), (t) => {
      expect(smallDecimal(t)).toEqual(expected(t));
    }), runs);
    for (const t of ['+.5', '5.', '-0.00', '000000000000000000012.5', '0.0000000000000000000001', '\u00a01.5\u2028']) expect(smallDecimal(t)).toEqual(expected(t));
    expect(smallDecimal('-0.00')!.m).not.toBe(-0);
  });

  it('takes the fast path for everyday amounts and declines what it cannot hold exactly', () => {
    expect(smallDecimal('1234.56')).toEqual({ m: 123456, s: 2 });
    expect(smallDecimal(' -0.50 ')).toEqual({ m: -50, s: 2 });
    expect(smallDecimal(0.1)).toEqual({ m: 1, s: 1 });
    expect(smallDecimal(-0)).toEqual({ m: 0, s: 0 });
    for (const declined of ['1e3', '1234567890123456', '1,234.56', '.', '', null, {}, Number.POSITIVE_INFINITY, 1e21]) {
      expect(smallDecimal(declined)).toBeNull();
    }
    expect(formatSmall(roundSmall({ m: 2345, s: 3 }, 2))).toBe('2.34');
    expect(formatSmall(roundSmall({ m: -2355, s: 3 }, 2))).toBe('-2.36');
    expect(formatSmall({ m: -5, s: 4 })).toBe('-0.0005');
  });
});
