/**
 * The compiled evaluator as the engine and the designer use it: engines and
 * fallback, syntax and evaluation errors as FlowErrors, limits with the
 * reference evaluator's codes and depth counting, registered functions,
 * bindings, the money functions, and the compile cache.
 */
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../../nodes/errors.ts';
import { compileExpression } from '../../../../nodes/expression/compiler/compile.ts';
import { createCompiledEvaluator } from '../../../../nodes/expression/compiler/index.ts';
import { createReferenceEvaluator } from '../../../../nodes/expression/jsonata-evaluator.ts';
import { standardFunctions } from '../../../../nodes/expression/functions.ts';
import { signed } from '../../../../nodes/expression/signed-function.ts';
import { createReferenceData } from '../../../../nodes/reference-data.ts';

const reference = createReferenceEvaluator();
const compiled = createCompiledEvaluator({ fallback: reference });

/** Results as JSON values (sequences carry a `sequence` flag, as the reference's do). */
const json = (value: unknown) => JSON.parse(JSON.stringify(value));

async function errorOf(run: () => unknown): Promise<FlowError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(FlowError);
    return err as FlowError;
  }
  throw new Error('expected an error');
}

describe('compiled evaluator', () => {
  it('compiles, names its engine and returns results synchronously', () => {
    const expr = compiled.compile('order.lines.(qty * price) ~> $sum()');
    expect(compiled.name).toBe('compiled');
    expect(expr.engine).toBe('compiled');
    expect(expr.fallbackReason).toBeUndefined();
    const result = expr.evaluate({ order: { lines: [{ qty: 2, price: 10 }, { qty: 1, price: 5.5 }] } });
    expect(result).toBe(25.5);
  });

  it('falls back visibly to the reference for what it does not compile', async () => {
    const expr = compiled.compile('[$x := 1, $x]');
    expect(expr.engine).toBe('reference');
    expect(expr.fallbackReason).toMatch(/concurrently/);
    expect(json(await expr.evaluate({}))).toEqual(json(await reference.compile('[$x := 1, $x]').evaluate({})));
  });

  it('reports syntax errors exactly as the reference evaluator', async () => {
    for (const source of ['a.', 'a b', '$f(', '"open', 'function($x)<a<s>{$x}', '[1, 2']) {
      const ours = await errorOf(() => compiled.compile(source));
      const theirs = await errorOf(() => reference.compile(source));
      expect(ours.errorClass).toBe('mapping');
      expect({ code: ours.details.code, position: ours.details.position, message: ours.message }).toEqual({
        code: theirs.details.code,
        position: theirs.details.position,
        message: theirs.message,
      });
      expect(compiled.check(source)).toEqual(reference.check(source));
    }
    expect(compiled.check('a.b = 1')).toBeNull();
  });

  it('reports evaluation errors with the reference code, position and message', async () => {
    const input = { a: { text: 'x', n: 5 }, list: [1, 'a'] };
    for (const source of ['a.text + 1', '$sum(list)', '$uppercase(a.n)', '$number("abc")', 'a.text < 5', '$nope()', 'a.n ~> $x', '{ a.n: 1 }']) {
      const ours = await errorOf(() => compiled.compile(source).evaluate(input));
      const theirs = await errorOf(() => reference.compile(source).evaluate(input));
      expect(ours.errorClass).toBe('mapping');
      expect({ code: ours.details.code, position: ours.details.position, message: ours.message }).toEqual({
        code: theirs.details.code,
        position: theirs.details.position,
        message: theirs.message,
      });
    }
  });

  it('reports the reference error when several concurrently evaluated parts fail', async () => {
    const source = 'lines{ account: $sum(qty * price) }';
    const input = { lines: [{ account: 'a', qty: 'x', price: 1 }, { account: 'b', qty: 1 }, { account: 'b', qty: 1, price: 'y' }] };
    const ours = await errorOf(() => compiled.compile(source).evaluate(input));
    const theirs = await errorOf(() => reference.compile(source).evaluate(input));
    expect(ours.details.code).toBe(theirs.details.code);
  });

  it('stops endless recursion and loops with the reference codes (U1001 depth, U1002 time)', async () => {
    const endless = '($f := function($n) { $n + $f($n - 1) }; $f(1))';
    expect((await errorOf(() => compiled.compile(endless).evaluate({}))).details.code).toBe('U1001');
    const loop = '($f := function() { $f() }; $f())';
    const started = Date.now();
    const err = await errorOf(() => compiled.compile(loop, { limits: { timeoutMs: 100 } }).evaluate({}));
    expect(err.details.code).toBe('U1002');
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await errorOf(() => reference.compile(loop, { limits: { timeoutMs: 100 } }).evaluate({}))).details.code).toBe('U1002');
  });

  it('counts evaluation depth as the reference does: the same recursion is allowed and refused', async () => {
    const depthOf = (n: number) => `($f := function($n) { $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(${n}))`;
    for (const [n, ok] of [
      [165, true],
      [166, false],
    ] as const) {
      const theirs = await Promise.resolve(reference.compile(depthOf(n)).evaluate({})).then(
        () => true,
        () => false,
      );
      let ours = true;
      try {
        compiled.compile(depthOf(n)).evaluate({});
      } catch {
        ours = false;
      }
      expect(theirs).toBe(ok);
      expect(ours).toBe(ok);
    }
    // tail calls do not grow the depth
    const tail = '($f := function($n, $a) { $n <= 0 ? $a : $f($n - 1, $a + 1) }; $f(20000, 0))';
    expect(compiled.compile(tail, { limits: { timeoutMs: 5000 } }).evaluate({})).toBe(20000);
  });

  it('calls registered functions: plain ones with the context as `this`, signed ones checked like the reference', async () => {
    const seen: unknown[] = [];
    const functions = {
      tag: function (this: unknown, s: unknown) {
        seen.push(this);
        return `<${String(s)}>`;
      },
      twice: signed((n: number) => n * 2, '<n:n>'),
    };
    expect(json(compiled.compile('items.$tag(name)', { functions }).evaluate({ items: [{ name: 'a' }, { name: 'b' }] }))).toEqual(['<a>', '<b>']);
    expect(seen).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(compiled.compile('$twice(21)', { functions }).evaluate({})).toBe(42);
    const ours = await errorOf(() => compiled.compile('$twice("x")', { functions }).evaluate({}));
    const theirs = await errorOf(() => reference.compile('$twice("x")', { functions }).evaluate({}));
    expect(ours.details.code).toBe('T0410');
    expect(ours.message).toBe(theirs.message);
  });

  it('hands signed functions a callable for a function argument exactly when their signature lets one through', async () => {
    const functions = {
      // `f` and `x` let a function through: it arrives callable, as the reference wraps it.
      applyF: signed((fn: (n: number) => unknown) => fn(21), '<f:x>'),
      applyX: signed((fn: unknown) => (typeof fn === 'function' ? (fn as (n: number) => unknown)(4) : 'not callable'), '<x:x>'),
      // No `f` or `x`: a function argument is jsonata's T0410, before the function runs.
      amount: signed((a: unknown) => String(a), '<(ns):s>'),
    };
    for (const source of ['$applyF(function($n) { $n * 2 })', '$applyX(function($n) { $n + 1 })', '$applyX($string)']) {
      const theirs = await reference.compile(source, { functions }).evaluate({});
      expect(compiled.compile(source, { functions }).evaluate({}), source).toEqual(theirs);
    }
    const ours = await errorOf(() => compiled.compile('$amount(function($n) { $n })', { functions }).evaluate({}));
    const theirs = await errorOf(() => reference.compile('$amount(function($n) { $n })', { functions }).evaluate({}));
    expect(ours.details.code).toBe('T0410');
    expect(ours.message).toBe(theirs.message);
  });

  it('lets bindings shadow built-ins and registered functions, and sees only their own properties', () => {
    const functions = { greet: () => 'registered' };
    const expr = compiled.compile('[$sum([1, 2]), $greet(), $limit]', { functions });
    expect(json(expr.evaluate({}, { sum: () => 'bound', greet: () => 'bound too', limit: 3 }))).toEqual(['bound', 'bound too', 3]);
    expect(json(expr.evaluate({}))).toEqual([3, 'registered']);
    const inherited = Object.create({ limit: 'inherited' });
    expect(json(expr.evaluate({}, inherited))).toEqual([3, 'registered']);
  });

  it('has the exact-decimal money and reference-data functions', () => {
    const reference = createReferenceData({ suppliers: { key: 'id', rows: [{ id: 'S1', name: 'Nordic Steel' }] } });
    const functions = standardFunctions(reference);
    const expr = compiled.compile('{ "sum": $decAdd(0.1, 0.2), "negated": $decNeg("1000.00"), "total": $decSum(lines.$decMul(qty, price)), "supplier": $ref("suppliers", "S1").name }', {
      functions,
    });
    expect(expr.engine).toBe('compiled');
    expect(expr.evaluate({ lines: [{ qty: 3, price: '0.10' }, { qty: 1, price: '0.20' }] })).toEqual({
      sum: '0.3',
      negated: '-1000.00',
      total: '0.50',
      supplier: 'Nordic Steel',
    });
  });

  it('gives $now() one timestamp per evaluation', () => {
    const [a, b, millis] = compiled.compile('[$now(), $now(), $millis()]').evaluate({}) as unknown as [string, string, number];
    expect(a).toBe(b);
    expect(Date.parse(a)).toBe(millis);
  });

  it('prepares no state for programs that read none (paths, literals, operators), and still reports their errors', async () => {
    const usesState = (source: string) => {
      const outcome = compileExpression(source);
      if (!outcome.ok) throw new Error(outcome.reason);
      return outcome.usesState;
    };
    for (const source of ['eventId', 'purchaseOrder.number', 'lines.price', '"lit"', '$x', 'a + 1', 'a ? b : c']) expect(usesState(source), source).toBe(false);
    // Calls, loops over items, string building (output budget) and a field named like the state keep it.
    for (const source of ['$now()', '$sum(a)', 'a.b[0]', 'lines.$string(x)', 'a & b', 'x.st']) expect(usesState(source), source).toBe(true);
    const plus = compiled.compile('a + 1');
    for (let i = 0; i < 3; i++) expect(plus.evaluate({ a: i })).toBe(i + 1);
    const ours = await errorOf(() => plus.evaluate({ a: 'x' }));
    const theirs = await errorOf(() => reference.compile('a + 1').evaluate({ a: 'x' }));
    expect(ours.message).toBe(theirs.message);
    expect(plus.evaluate({ a: 2 })).toBe(3);
    // The depth limit is part of the state these programs do read.
    const nested = '1 + (2 + (3 + a))';
    expect(usesState(nested)).toBe(false);
    const ourDepth = await errorOf(() => compiled.compile(nested, { limits: { maxDepth: 2 } }).evaluate({ a: 1 }));
    const theirDepth = await errorOf(() => reference.compile(nested, { limits: { maxDepth: 2 } }).evaluate({ a: 1 }));
    expect(ourDepth.message).toBe(theirDepth.message);
  });

  it('compiles once per expression, limits and function set', () => {
    const functions = { f: () => 1 };
    expect(compiled.compile('a.b', { functions })).toBe(compiled.compile('a.b', { functions }));
    expect(compiled.compile('a.b', { functions })).not.toBe(compiled.compile('a.b'));
    expect(compiled.compile('a.b', { limits: { maxDepth: 10 } })).not.toBe(compiled.compile('a.b'));
  });
});
