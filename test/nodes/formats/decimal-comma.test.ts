import { describe, expect, it } from 'vitest';
import { fromDecimalComma, toNumberIfCanonical } from '../../../nodes/formats/decimal-comma.ts';

describe('fromDecimalComma', () => {
  it.each([
    ['1.234,56', '1234.56'],
    ['-12,5', '-12.5'],
    ['+100,00', '100.00'],
    ['12,50-', '-12.50'],
    ['1.234.567,8', '1234567.8'],
    ['1 234,56', '1234.56'],
    ['1\u202f234,56', '1234.56'],
    ['0,01', '0.01'],
    ['100', '100'],
    ['052', '052'],
    ['1.234', '1234'],
  ])('%j → %j', (input, output) => {
    expect(fromDecimalComma(input)).toBe(output);
  });

  it.each(['', 'abc', '2/20/19', '12.5', '1.23,4', '1.234 567,8', '-1,0-', '1,2,3', '€ 5,00', ',5'])('leaves %j alone', (input) => {
    expect(fromDecimalComma(input)).toBeUndefined();
  });
});

describe('toNumberIfCanonical', () => {
  it.each([
    ['12.5', 12.5],
    ['-3', -3],
    ['0', 0],
    ['052', '052'],
    ['1e3', '1e3'],
    ['12.', '12.'],
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(toNumberIfCanonical(input)).toBe(output);
  });
});
