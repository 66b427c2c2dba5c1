/**
 * Hostile expressions (issue 12, point 4) against both evaluators: built-ins
 * that would allocate without end stop at the output limit (U1003) before
 * allocating, and regular expressions cannot backtrack catastrophically.
 */
import { describe, expect, it } from 'vitest';
import type { EvaluationLimits, ExpressionEvaluator } from '../../../nodes/expression/evaluator.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { createCompiledEvaluator } from '../../../nodes/expression/compiler/index.ts';
import { LIMIT_ERROR_CODES } from '../../../nodes/expression/jsonata-errors.ts';
import { flowErrorOf } from './fixtures.ts';

const reference = createReferenceEvaluator();
const evaluators: [string, ExpressionEvaluator][] = [
  ['reference', reference],
  ['compiled', createCompiledEvaluator({ fallback: reference })],
];

// Through JSON, as results leave the engine (jsonata marks sequences with a `sequence` property).
async function evaluate(ev: ExpressionEvaluator, expr: string, input: unknown = {}, limits?: Partial<EvaluationLimits>) {
  const result = await ev.compile(expr, { limits }).evaluate(input);
  return result === undefined ? undefined : JSON.parse(JSON.stringify(result));
}

async function timedError(ev: ExpressionEvaluator, expr: string, limits?: Partial<EvaluationLimits>) {
  const started = performance.now();
  const err = await flowErrorOf(() => evaluate(ev, expr, {}, limits));
  return { err, ms: performance.now() - started };
}

describe.each(evaluators)('%s evaluator: output size limit', (_name, ev) => {
  it('refuses $pad to 400 million characters before allocating (it used to kill the process)', async () => {
    const { err, ms } = await timedError(ev, '$length($pad("x", 400000000))');
    expect(err.details.code).toBe(LIMIT_ERROR_CODES.output);
    expect(err.errorClass).toBe('permanent');
    expect(err.message).toContain('output size limit of 10,000,000 characters and list items');
    expect(err.message).toContain('$pad');
    expect(ms).toBeLessThan(1000);
  });

  it('counts $join before joining', async () => {
    const err = await flowErrorOf(() => evaluate(ev, '$join(["abcd", "efgh", "ijkl"], "-")', {}, { maxOutput: 10 }));
    expect(err.details.code).toBe('U1003');
    expect(err.message).toContain('$join');
    expect(await evaluate(ev, '$join(["ab", "cd"], "-")', {}, { maxOutput: 10 })).toBe('ab-cd');
  });

  it('counts what every built-in of one evaluation builds, in total', async () => {
    const err = await flowErrorOf(() => evaluate(ev, '[1..50].$pad("", 1000)', {}, { maxOutput: 20_000 }));
    expect(err.details.code).toBe('U1003');
    expect(await evaluate(ev, '$count([1..5].$pad("", 1000))', {}, { maxOutput: 20_000 })).toBe(5);
  });

  it('stops a list doubled with $append in a loop', async () => {
    const err = await flowErrorOf(() => evaluate(ev, '$reduce([1..40], function($a, $b) { $append($a, $a) }, [1]) ~> $count()', {}, { maxOutput: 100_000 }));
    expect(err.details.code).toBe('U1003');
    expect(err.message).toContain('$append');
  });

  it('stops $string of a list that holds itself many times over', async () => {
    const { err, ms } = await timedError(ev, '$string($reduce([1..40], function($a, $b) { [[$a], [$a]] }, [1]))');
    expect(err.details.code).toBe('U1003');
    expect(err.message).toContain('$string');
    expect(ms).toBeLessThan(5000);
  });

  it('stops a text doubled with & in a loop', async () => {
    const err = await flowErrorOf(() => evaluate(ev, '$length($reduce([1..40], function($a, $b) { $a & $a }, "x"))'));
    expect(err.details.code).toBe('U1003');
  });

  it('stops $replace that would multiply a text', async () => {
    const err = await flowErrorOf(() => evaluate(ev, '$replace($pad("", 1000, "a"), "a", $pad("", 1000, "b"))', {}, { maxOutput: 100_000 }));
    expect(err.details.code).toBe('U1003');
  });

  it('leaves ordinary mappings alone', async () => {
    expect(await evaluate(ev, '$join(lines.$string(qty), ",")', { lines: [{ qty: 1 }, { qty: 2 }] })).toBe('1,2');
    expect(await evaluate(ev, '$reduce([1..5], $append)')).toEqual([1, 2, 3, 4, 5]);
    expect(await evaluate(ev, '$sum($map([1..3], function($v) { $v * 2 }))')).toBe(12);
    expect(await evaluate(ev, '$string({"f": $sum, "n": 1})')).toBe('{"f":"","n":1}');
  });
});

describe.each(evaluators)('%s evaluator: built-ins that were quadratic', (_name, ev) => {
  it('$distinct and $sort of 100,000 items answer in linear(ithmic) time (they took seconds to minutes)', async () => {
    const started = performance.now();
    // The bound is the test's own; each evaluation's time limit is raised so a busy machine does not stop it first.
    const limits = { timeoutMs: 10_000 };
    expect(await evaluate(ev, '$count($distinct([1..100000]))', {}, limits)).toBe(100_000);
    expect(await evaluate(ev, '$count($distinct([1..20000].{"a": $ % 10}))', {}, limits)).toBe(10);
    expect(await evaluate(ev, '$sort([1..100000])[-1]', {}, limits)).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('keep jsonata\'s results', async () => {
    expect(await evaluate(ev, '$distinct([1, "1", {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1], [1], 1])')).toEqual([1, '1', { a: 1, b: 2 }, [1]]);
    expect(await evaluate(ev, '$sort(["b", "a", "c", "a"])')).toEqual(['a', 'a', 'b', 'c']);
    expect(await evaluate(ev, '$sort([3, 1, 2], function($l, $r) { $l < $r })')).toEqual([3, 2, 1]);
    expect((await flowErrorOf(() => evaluate(ev, '$sort([1, "a"])'))).details.code).toBe('D3070');
  });
});

describe('compiled evaluator: array constructors', () => {
  it('stops a list doubled with [$a, $a] in a loop (it used to abort the process)', async () => {
    const err = await flowErrorOf(() => evaluate(evaluators[1][1], '$reduce([1..40], function($a, $b) { [$a, $a] }, [1]) ~> $count()', {}, { maxOutput: 100_000 }));
    expect(err.details.code).toBe('U1003');
    expect(err.message).toContain('array constructor');
  });
});

describe('reference evaluator: array constructors', () => {
  const spread = (item: string, times: number) => `[${Array(times).fill(item).join(', ')}]`;

  it('stops a list doubled with [$a, $a] in a loop', async () => {
    const err = await flowErrorOf(() => evaluate(reference, '$reduce([1..40], function($a, $b) { [$a, $a] }, [1]) ~> $count()', {}, { maxOutput: 100_000 }));
    expect(err.details.code).toBe(LIMIT_ERROR_CODES.output);
    expect(err.errorClass).toBe('permanent');
  });

  it('stops [$a, $a, …] at the output limit (it copied the list at every item and ran for minutes)', async () => {
    // A generous time limit: the list's length must stop it, not the clock.
    const err = await flowErrorOf(() => evaluate(reference, `($a := [1..100000]; $count(${spread('$a', 150)}))`, {}, { maxOutput: 1_000_000, timeoutMs: 600_000 }));
    expect(err.details.code).toBe(LIMIT_ERROR_CODES.output);
    expect(err.errorClass).toBe('permanent');
    expect(err.message).toContain('output size limit of 1,000,000 characters and list items per evaluation (a list being built would go over it)');
  });

  it('checks the time while a constructor appends its items, not only between steps', async () => {
    // 20,000 items of 400: within the output limit, but about 10^11 copies at one step.
    const err = await flowErrorOf(() => evaluate(reference, `($a := [1..400]; $count(${spread('$a', 20_000)}))`, {}, { maxOutput: 1e9, timeoutMs: 200 }));
    expect(err.details.code).toBe(LIMIT_ERROR_CODES.time);
    expect(err.errorClass).toBe('permanent');
  });

  it('leaves lists within the limits alone, and overlapping evaluations each their own time', async () => {
    const expr = reference.compile(`($a := [1..1000]; $count(${spread('$a', 50)}))`, { limits: { maxOutput: 100_000 } });
    expect(await Promise.all([expr.evaluate({}), expr.evaluate({}), expr.evaluate({})])).toEqual([50_000, 50_000, 50_000]);
    expect(await evaluate(reference, '($b := [5, 6]; [[1, 2], 4, $b])')).toEqual([[1, 2], 4, 5, 6]);
    expect(await evaluate(reference, '$append([1, 2], [3])')).toEqual([1, 2, 3]);
  });
});

describe.each(evaluators)('%s evaluator: limit breaches are permanent errors naming the limit', (_name, ev) => {
  it.each([
    ['output', '$length($pad("x", 400000000))', {}],
    ['depth', '($f := function($n) { $n + $f($n + 1) }; $f(0))', {}],
    ['time', '($f := function($n) { $n > 0 ? $f($n - 1) : 0 }; [1..100000].$f(50))', { timeoutMs: 50 }],
  ] as const)('%s', async (limit, expr, limits) => {
    const err = await flowErrorOf(() => evaluate(ev, expr, {}, limits));
    expect(err.errorClass).toBe('permanent');
    expect(err.details.code).toBe(LIMIT_ERROR_CODES[limit]);
    expect(err.message).toMatch(/^expression stopped: /);
  });
});

describe.each(evaluators)('%s evaluator: regular expressions run in linear time', (_name, ev) => {
  it('matches /^(a+)+$/ against 30 characters at once (it froze the API for 17 s)', async () => {
    const started = performance.now();
    expect(await evaluate(ev, '$match(s, /^(a+)+$/)', { s: `${'a'.repeat(30)}b` })).toBeUndefined();
    expect(await evaluate(ev, '$contains(s, /^(a|aa)+$/)', { s: `${'a'.repeat(5000)}!` })).toBe(false);
    // Backtracking would take longer than the age of the universe; linear matching takes milliseconds.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('keeps JSONata regex semantics: groups, flags, offsets in UTF-16, \\u escapes', async () => {
    expect(await evaluate(ev, '$match("x😀éb éB", /é(b)/i)')).toEqual([
      { match: 'éb', index: 3, groups: ['b'] },
      { match: 'éB', index: 6, groups: ['B'] },
    ]);
    expect(await evaluate(ev, '$replace("2024-01-31", /(\\d+)-(\\d+)-(\\d+)/, "$3.$2.$1")')).toBe('31.01.2024');
    expect(await evaluate(ev, '$split("a1b22c", /\\d+/)')).toEqual(['a', 'b', 'c']);
    expect(await evaluate(ev, '$match("line1\\nline2", /^line\\d$/m).match')).toEqual(['line1', 'line2']);
    expect(await evaluate(ev, '$contains("café", /caf\\u00e9/)')).toBe(true);
  });

  it.each([
    ['a backreference', '$match(s, /(a)\\1/)'],
    ['a lookahead', '$replace(s, /a(?=b)/, "x")'],
    ['a lookbehind', '$replace(s, /(?<!a)b/, "x")'],
  ])('refuses %s with a message naming the engine, when compiling', (_what, expr) => {
    let thrown: unknown;
    try {
      ev.compile(expr);
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error).message).toMatch(/cannot be used: .*linear-time engine \(RE2 syntax\)/);
    expect((thrown as { details: { code: string } }).details.code).toBe('U1004');
    expect(ev.check(expr)?.message).toContain('linear-time engine');
  });

  it('refuses unsupported syntax inside $eval too, as an evaluation error', async () => {
    const err = await flowErrorOf(() => evaluate(ev, '$eval("$match(\\"aa\\", /(a)\\\\1/)")'));
    expect(err.message).toContain('linear-time engine');
  });
});
