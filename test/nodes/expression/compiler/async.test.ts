/**
 * Registered functions that return promises (e.g. a look-up over the
 * network): the compiled evaluator continues asynchronously with the
 * reference's results, calls each function once per call, and stays
 * synchronous for expressions that meet no promise.
 */
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../../nodes/errors.ts';
import { createCompiledEvaluator } from '../../../../nodes/expression/compiler/index.ts';
import { createReferenceEvaluator } from '../../../../nodes/expression/jsonata-evaluator.ts';

const json = (value: unknown) => JSON.parse(JSON.stringify(value ?? null));

/** The FlowError an evaluation rejects with. */
async function rejection(run: () => unknown): Promise<FlowError> {
  const err = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(FlowError);
  return err as FlowError;
}

function lookupService() {
  const calls: unknown[] = [];
  const rates: Record<string, number> = { EUR: 1, USD: 0.92, SEK: 0.087 };
  const functions = {
    // an async function: known asynchronous from the start
    rate: async (currency: string) => {
      calls.push(currency);
      await new Promise((r) => setTimeout(r, 1));
      return rates[currency];
    },
    // a plain function returning a promise: found out only when it is called
    name: (code: string) => {
      calls.push(code);
      return Promise.resolve(`name of ${code}`);
    },
  };
  return { calls, functions };
}

describe('compiled evaluator with asynchronous functions', () => {
  const reference = createReferenceEvaluator();

  const cases: [string, unknown][] = [
    ['lines.{ "amount": amount * $rate(currency) }', { lines: [{ amount: 10, currency: 'USD' }, { amount: 5, currency: 'SEK' }] }],
    ['$map(lines, function($l) { $round($l.amount * $rate($l.currency), 2) })', { lines: [{ amount: 10, currency: 'USD' }, { amount: 7, currency: 'EUR' }] }],
    ['lines[$rate(currency) < 1].currency', { lines: [{ currency: 'USD' }, { currency: 'EUR' }, { currency: 'SEK' }] }],
    ['lines^($rate(currency)).currency', { lines: [{ currency: 'USD' }, { currency: 'EUR' }, { currency: 'SEK' }] }],
    ['$name(code) & " / " & $string($rate("USD"))', { code: 'C1' }],
    ['($r := function($c) { $rate($c) }; [lines.$r(currency)])', { lines: [{ currency: 'USD' }, { currency: 'EUR' }] }],
  ];

  for (const [source, input] of cases) {
    it(`gives the reference result: ${source}`, async () => {
      const compiled = createCompiledEvaluator({ fallback: reference });
      const ours = lookupService();
      const theirs = lookupService();
      const expr = compiled.compile(source, { functions: ours.functions });
      expect(expr.engine).toBe('compiled');
      const result = expr.evaluate(input);
      expect(result).toBeInstanceOf(Promise);
      const expected = await reference.compile(source, { functions: theirs.functions }).evaluate(input);
      expect(json(await result)).toEqual(json(expected));
      // the call that revealed the promise is not made twice
      expect(ours.calls).toEqual(theirs.calls);
    });
  }

  it('does not repeat the call that revealed the promise, even with arguments the expression builds', async () => {
    const compiled = createCompiledEvaluator({ fallback: reference });
    const calls: unknown[] = [];
    const functions = { remote: async (q: { id: string }) => (calls.push(q), `found ${q.id}`) };
    const expr = compiled.compile('$remote({ "id": id, "tags": [tag] })', { functions });
    expect(await expr.evaluate({ id: 'A1', tag: 'x' })).toBe('found A1');
    expect(json(calls)).toEqual([{ id: 'A1', tags: ['x'] }]);
  });

  it('stays synchronous for expressions that meet no promise', async () => {
    const compiled = createCompiledEvaluator({ fallback: reference });
    const { functions } = lookupService();
    const asyncOne = compiled.compile('$rate(c)', { functions });
    expect(await asyncOne.evaluate({ c: 'USD' })).toBe(0.92);
    const syncOne = compiled.compile('$uppercase(c)', { functions });
    expect(syncOne.evaluate({ c: 'usd' })).toBe('USD');
  });

  it('rejects with the reference error inside asynchronous evaluation', async () => {
    const compiled = createCompiledEvaluator({ fallback: reference });
    const { functions } = lookupService();
    const source = '$rate(c) + "x"';
    const ours = await rejection(() => compiled.compile(source, { functions }).evaluate({ c: 'USD' }));
    const theirs = await rejection(() => reference.compile(source, { functions }).evaluate({ c: 'USD' }));
    expect(ours.details.code).toBe('T2002');
    expect(ours.message).toBe(theirs.message);
    const failing = { fails: async () => Promise.reject(new FlowError('mapping', 'service down')) };
    const err = await rejection(() => compiled.compile('$fails()', { functions: failing }).evaluate({}));
    expect(err.message).toBe('service down');
  });

  it('keeps the limits while waiting', async () => {
    const compiled = createCompiledEvaluator({ fallback: reference });
    const { functions } = lookupService();
    const source = '($f := function($n) { $rate("EUR") + $f($n + 1) }; $f(0))';
    const err = await rejection(() => compiled.compile(source, { functions }).evaluate({}));
    expect(err.details.code).toBe('U1001');
  });
});
