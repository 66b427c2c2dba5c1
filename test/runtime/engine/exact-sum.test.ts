import { describe, expect, it } from 'vitest';
import { ExactDecimal as Dec } from '../../../nodes/expression/money.ts';
import { ExactSum } from '../../../nodes/transform/exact-sum.ts';
import { toDecimalString } from '../../../runtime/engine/reconcile.ts';

const decimalSum = (xs: string[]) => xs.reduce((acc, x) => acc.plus(x), new Dec(0)).toFixed();
const exactSum = (xs: string[]) => {
  const sum = new ExactSum();
  for (const x of xs) sum.add(x);
  return new Dec(sum.toString()).toFixed();
};

describe('ExactSum', () => {
  it.each([
    [[]],
    [['2337.50', '19.99', '-0.49']],
    [['1', '0.001', '-0.000000001', '12.5']],
    [['-0.00', '0', '-0']],
    [['999999999999999', '999999999999999', '1']],
    [['123456789012.3456', '0.000000001']],
    [['1e3', '+2', '.5', '7.']],
    [['0.1234567890123', '5']],
    [['12345678901234567890.12', '-1']],
  ])('adds %j as decimal.js does', (xs) => {
    expect(exactSum(xs)).toBe(decimalSum(xs));
  });

  it('stays exact past a double’s safe integers', () => {
    const xs = Array.from({ length: 2000 }, (_, i) => (i % 2 ? '999999999999.999' : '0.000000007'));
    expect(exactSum(xs)).toBe(decimalSum(xs));
  });

  it('agrees with decimal.js on random amounts', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const xs = Array.from({ length: 5000 }, () => {
      const scale = next() % 12;
      const digits = String(next() * 1000 + (next() % 1000));
      const s = scale > 0 ? `${digits.slice(0, -Math.min(scale, digits.length - 1)) || '0'}.${digits.slice(-Math.min(scale, digits.length - 1))}` : digits;
      return next() % 3 === 0 ? `-${s}` : s;
    });
    expect(exactSum(xs)).toBe(decimalSum(xs));
  });
});

describe('toDecimalString', () => {
  it.each([
    ['2337.50', '2337.50'], ['-0.00', '0.00'], ['-0', '0'], ['0', '0'], ['-12.30', '-12.30'], ['007.5', '7.5'],
    [' 3.10 ', '3.10'], ['+4', '4'], ['1e2', '100'], ['.5', '0.5'], ['abc', null], [12.5, '12.5'],
  ])('%j → %j', (value, expected) => {
    expect(toDecimalString(value)).toBe(expected);
  });
});
