import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { FALLBACK, fastPathFor } from '../../../nodes/expression/fast-path.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';

const names = ['a', 'b', 'c', 'poNumber'];

// JSON-like values over a few field names, with arrays, nulls and numbers at any depth.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 4 }),
    fc.integer({ min: -3, max: 3 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.constantFrom(...names), tie('value'), { maxKeys: 4 }),
}));

const input = fc.oneof({ weight: 4, arbitrary: value.filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)) }, { weight: 1, arbitrary: value });

const space = fc.constantFrom('', ' ');
const path = fc
  .tuple(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }), space)
  .map(([steps, s]) => steps.join(`${s}.${s}`));
const stringLiteral = fc
  .string({ maxLength: 4 })
  .filter((s) => !/['\\]/.test(s))
  .map((s) => `'${s}'`);
const numberLiteral = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => String(n));
const literal = fc.oneof(stringLiteral, numberLiteral, fc.constantFrom('true', 'false', 'null'));
const variable = fc.constantFrom('$a', '$b', '$poNumber');
const comparison = fc.tuple(path, fc.constantFrom('=', '!=', ' = ', ' != '), literal).map(([p, op, l]) => `${p}${op}${l}`);
const expression = fc.oneof(path, variable, literal, comparison);
const bindings = fc.dictionary(fc.constantFrom('a', 'b'), value, { maxKeys: 2 });

const parsed = new Map<string, jsonata.Expression>();
async function reference(expr: string, data: unknown, vars: Record<string, unknown>): Promise<unknown> {
  let compiled = parsed.get(expr);
  if (!compiled) parsed.set(expr, (compiled = jsonata(expr)));
  return compiled.evaluate(data, vars);
}

describe('fast paths agree with jsonata', () => {
  it('gives jsonata\'s result whenever it does not decline', async () => {
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(expression, input, bindings, async (expr, data, vars) => {
        const fast = fastPathFor(expr);
        expect(fast).not.toBeNull();
        const result = fast!.evaluate(data, vars);
        if (result === FALLBACK) return;
        decided++;
        expect(result).toEqual(await reference(expr, data, vars));
      }),
      { numRuns: 3000 },
    );
    // The property is only meaningful if the shortcuts actually answer most of the time.
    expect(decided).toBeGreaterThan(1500);
  });

  it('the evaluator (fast path or fallback) gives jsonata\'s result', async () => {
    const evaluator = createReferenceEvaluator();
    await fc.assert(
      fc.asyncProperty(expression, input, bindings, async (expr, data, vars) => {
        const ours = await evaluator.compile(expr).evaluate(data, vars);
        const theirs = await reference(expr, data, vars);
        expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
      }),
      { numRuns: 1500 },
    );
  });

  it.each([
    ['poNumber', { poNumber: 'PO-1' }, 'PO-1'],
    ['header.legalEntity', { header: { legalEntity: 'DE01' } }, 'DE01'],
    ['header . legalEntity', { header: { legalEntity: 'DE01' } }, 'DE01'],
    ['header.legalEntity', { header: null }, undefined],
    ['header.legalEntity', { header: 'text' }, undefined],
    ['toString', { a: 1 }, undefined],
    ["status = 'open'", { status: 'open' }, true],
    ["status != 'open'", { status: 'open' }, false],
    ["status != 'open'", {}, false],
    ['amount = 10', { amount: 10 }, true],
    ['"quoted"', {}, 'quoted'],
    ['-1.5', {}, -1.5],
  ])('%s on %j → %j (synchronously)', (expr, data, expected) => {
    const fast = fastPathFor(expr as string);
    expect(fast).not.toBeNull();
    expect(fast!.evaluate(data, undefined)).toEqual(expected);
  });

  it.each([
    ['lines', { lines: [1, 2] }],
    ['a.b', { a: [{ b: 1 }] }],
    ['a', [{ a: 1 }]],
    ["a = 'x'", { a: ['x'] }],
    ['$v', {}],
  ])('declines %s on %j', (expr, data) => {
    expect(fastPathFor(expr)!.evaluate(data, { v: [1] })).toBe(FALLBACK);
  });

  it.each(['$sum(a)', 'a[0]', 'and', 'a.true', "'it\\'s'", '1e999', 'a.b = c', '/* c */ a', '01', 'a + 1'])('has no shortcut for %s', (expr) => {
    expect(fastPathFor(expr)).toBeNull();
  });
});
