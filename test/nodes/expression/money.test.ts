import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decAdd, decRound, decSum } from '../../../nodes/expression/money.ts';
import { flowErrorOf, run } from './fixtures.ts';

interface Case {
  expr: string;
  data?: unknown;
  result: unknown;
}

const invoice = {
  lines: [{ amount: '183.23' }, { amount: '46.37' }],
  tax: [{ amount: 10.99 }, { amount: '9.74' }],
};

const cases: Case[] = [
  // Floats go wrong here; exact decimals do not.
  { expr: '0.1 + 0.2', result: 0.30000000000000004 },
  { expr: '$decAdd(0.1, 0.2)', result: '0.3' },
  { expr: '$decAdd("0.1", "0.2", "0.3")', result: '0.6' },
  { expr: '$decSum([0.1, 0.2])', result: '0.3' },
  { expr: '$decSum(lines.amount)', data: invoice, result: '229.60' },
  { expr: '$decAdd($decSum(lines.amount), $decSum(tax.amount))', data: invoice, result: '250.33' },
  { expr: '$decSum([])', result: '0' },
  { expr: '$decSum(nothing)', result: '0' },
  { expr: '$decSum("12.5")', result: '12.5' },
  { expr: '$decSub("100.00", "0.01")', result: '99.99' },
  { expr: '$decSub(1, 1)', result: '0' },
  { expr: '$decSub("-0.5", "-0.5")', result: '0.0' },
  { expr: '$decMul("19.99", 3)', result: '59.97' },
  { expr: '$decMul("1.1", "1.1")', result: '1.21' },
  { expr: '$decMul("1e3", "2")', result: '2000' },
  { expr: '$decDiv(10, 4)', result: '2.5' },
  { expr: '$decDiv(1, 3)', result: '0.3333333333333333333333333333333333' },
  { expr: '$decDiv(1, 3, 2)', result: '0.33' },
  { expr: '$decDiv(2, 3, 2)', result: '0.67' },
  { expr: '$decDiv("0.125", 1, 2)', result: '0.12' },
  // Banker's rounding: halves go to the even neighbour.
  { expr: '$decRound("2.345", 2)', result: '2.34' },
  { expr: '$decRound("2.355", 2)', result: '2.36' },
  { expr: '$decRound("-2.345", 2)', result: '-2.34' },
  { expr: '$decRound("2.5", 0)', result: '2' },
  { expr: '$decRound("3.5", 0)', result: '4' },
  { expr: '$decRound("2.3451", 2)', result: '2.35' },
  { expr: '$decRound(1.005, 2)', result: '1.00' },
  { expr: '$decRound("-0.004", 2)', result: '0.00' },
  { expr: '$decRound("2.10", 2)', result: '2.10' },
  { expr: '$decFormat("2.5", 2)', result: '2.50' },
  { expr: '$decFormat("2.345", 2)', result: '2.34' },
  { expr: '$decFormat(1234567.891, 2)', result: '1234567.89' },
  { expr: '$decFormat("-0.001", 2)', result: '0.00' },
  { expr: '$decFormat(7, 0)', result: '7' },
  { expr: '$decCmp("1.50", 1.5)', result: 0 },
  { expr: '$decCmp("0.1", "0.10000000000000000001")', result: -1 },
  { expr: '$decCmp(2, "-3")', result: 1 },
  { expr: '$decEq("1.50", 1.5)', result: true },
  { expr: '$decEq("1.5", "1.51")', result: false },
  { expr: '$decEq(nothing, 1)', result: false },
  { expr: '$decNeg("12.30")', result: '-12.30' },
  { expr: '$decNeg("0")', result: '0' },
  { expr: '$decAbs("-7.25")', result: '7.25' },
  { expr: '$decAdd(" 1.5 ", "+2")', result: '3.5' },
  { expr: '$decAdd("123456789012345678901234567890.12", "0.01")', result: '123456789012345678901234567890.13' },
  { expr: '$decMul(1e21, 10)', result: '10000000000000000000000' },
  { expr: '$decAdd(".5", "5.")', result: '5.5' },
  // Results keep the scale of their operands: money written with cents stays with cents.
  { expr: '$decNeg("1000.00")', result: '-1000.00' },
  { expr: '$decNeg("-0.00")', result: '0.00' },
  { expr: '$decAbs("-1000.00")', result: '1000.00' },
  { expr: '$decAdd("1000.00", "0.5")', result: '1000.50' },
  { expr: '$decAdd("999.90", "0.10")', result: '1000.00' },
  { expr: '$decSub("1000.00", "1000")', result: '0.00' },
  { expr: '$decSum(["2000.00", "337.50"])', result: '2337.50' },
  { expr: '$decSum(["1.5", "2.25", 3])', result: '6.75' },
  { expr: '$decMul("12.50", 2)', result: '25.00' },
  { expr: '$decMul("100.00", "0.075")', result: '7.50000' },
  { expr: '$decDiv("10.00", 4)', result: '2.50' },
  { expr: '$decDiv("100", 4, 2)', result: '25.00' },
  { expr: '$decRound("2.5", 2)', result: '2.50' },
  { expr: '$decAdd("1.50e1", "0")', result: '15.0' },
  { expr: '$decAdd("1e3", "0.00")', result: '1000.00' },
  { expr: '$decAdd("2000.00", "1e-3")', result: '2000.001' },
  { expr: '$decAdd("123456789012345678901234567890.10", "0.00")', result: '123456789012345678901234567890.10' },
];

describe('money functions', () => {
  it.each(cases)('$expr → $result', async ({ expr, data, result }) => {
    expect(await run(expr, data ?? {})).toEqual(result);
  });

  it.each([
    '$decAdd(nothing, 1)',
    '$decSub(1, nothing)',
    '$decMul(nothing, 2)',
    '$decDiv(nothing, 2)',
    '$decRound(nothing, 2)',
    '$decFormat(nothing, 2)',
    '$decCmp(nothing, 1)',
    '$decNeg(nothing)',
    '$decAbs(nothing)',
  ])('%s → undefined (missing in, missing out, as in JSONata)', async (expr) => {
    expect(await run(expr, {})).toBeUndefined();
  });

  it.each([
    ['$decAdd("1,234.56", 1)', '$decAdd: argument 1 is "1,234.56", not a number or decimal string'],
    ['$decAdd(1, "abc")', '$decAdd: argument 2 is "abc", not a number or decimal string'],
    ['$decSum([1, "x", 2])', '$decSum: item 2 of the list is "x", not a number or decimal string'],
    ['$decSum([1, null])', '$decSum: item 2 of the list is null, not a number or decimal string'],
    ['$decDiv(10, "0.00")', '$decDiv: cannot divide 10 by zero'],
    ['$decRound(1.5, 1.5)', '$decRound: the scale (number of decimals) must be a whole number from 0 to 50, got 1.5'],
    ['$decFormat(1.5, -1)', '$decFormat: the scale (number of decimals) must be a whole number from 0 to 50, got -1'],
    ['$decAdd("NaN", 1)', '$decAdd: argument 1 is "NaN", not a number or decimal string'],
    ['$decAdd("Infinity", 1)', '$decAdd: argument 1 is "Infinity", not a number or decimal string'],
    ['$decAdd("0x10", 1)', '$decAdd: argument 1 is "0x10", not a number or decimal string'],
  ])('%s fails with a clear mapping error', async (expr, message) => {
    const err = await flowErrorOf(() => run(expr, {}));
    expect(err.errorClass).toBe('mapping');
    expect(err.message).toBe(message);
  });

  it.each([
    ['$decAdd(1)', /Argument 2 of function "decAdd" does not match function signature/],
    ['$decAdd({"a": 1}, 1)', /Argument 1 of function "decAdd" does not match function signature/],
    ['$decEq(1)', /Argument 2 of function "decEq" does not match function signature/],
    ['$decRound(1, "2")', /Argument 2 of function "decRound" does not match function signature/],
    ['$decAdd([1, 2], 1)', /Argument 1 of function "decAdd" does not match function signature/],
  ])('%s is refused by the function signature', async (expr, message) => {
    const err = await flowErrorOf(() => run(expr, {}));
    expect(err.errorClass).toBe('mapping');
    expect(err.details.code).toBe('T0410');
    expect(err.message).toMatch(message);
  });

  it('works as plain functions too (for evaluators that ignore signatures)', () => {
    expect(decAdd(0.1, 0.2)).toBe('0.3');
    expect(decSum(5)).toBe('5');
    expect(decRound('2.355', 2)).toBe('2.36');
    expect(() => decAdd(1)).toThrow('$decAdd: needs at least two values to add');
    expect(decAdd.jsonataSignature).toBe('<(ns)(ns)+:s>');
  });

  it('reproduces the totals of a real UBL invoice exactly', async () => {
    const xml = readFileSync(new URL('../../../../shared/data/real/ubl/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml', import.meta.url), 'utf8');
    const amountIn = (block: string, tag: string) => [...block.matchAll(new RegExp(`<cbc:${tag} [^>]*>([^<]+)<`, 'g'))].map((m) => m[1]);
    const lines = [...xml.matchAll(/<cac:InvoiceLine>([\s\S]*?)<\/cac:InvoiceLine>/g)].map((m) => amountIn(m[1], 'LineExtensionAmount')[0]);
    const totals = xml.slice(xml.indexOf('<cac:LegalMonetaryTotal>'), xml.indexOf('</cac:LegalMonetaryTotal>'));
    const taxSubtotals = [...xml.matchAll(/<cac:TaxSubtotal>([\s\S]*?)<\/cac:TaxSubtotal>/g)].map((m) => amountIn(m[1], 'TaxAmount')[0]);
    expect(lines).toHaveLength(20);
    const doc = { lines, taxSubtotals };

    const lineTotal = await run('$decFormat($decSum(lines), 2)', doc);
    expect(lineTotal).toBe(amountIn(totals, 'LineExtensionAmount')[0]); // 229.60
    const payable = await run('$decFormat($decAdd($decSum(lines), $decSum(taxSubtotals)), 2)', doc);
    expect(payable).toBe(amountIn(totals, 'PayableAmount')[0]); // 250.33
    // The same sum in floating point is not exact.
    expect(await run('$sum(lines.$number($))', doc)).not.toBe(229.6);
  });
});
