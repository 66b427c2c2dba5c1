import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../nodes/errors.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { LIMIT_ERROR_CODES } from '../../../nodes/expression/jsonata-errors.ts';
import { evaluator, flowErrorOf, functions, run } from './fixtures.ts';

const json = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

const po = {
  poNumber: 'PO-4711',
  header: { legalEntity: 'DE01', currency: 'EUR' },
  lines: [
    { lineNo: 1, item: 'Paper', qty: 2, price: 10.5 },
    { lineNo: 2, item: 'Pens', qty: 3, price: 1.2 },
  ],
};

interface Case {
  expr: string;
  data: unknown;
  bindings?: Record<string, unknown>;
  result?: unknown;
  /** The result is undefined (nothing). */
  undefinedResult?: true;
}

const cases: Case[] = [
  { expr: 'poNumber', data: po, result: 'PO-4711' },
  { expr: 'header.legalEntity', data: po, result: 'DE01' },
  { expr: 'lines.item', data: po, result: ['Paper', 'Pens'] },
  { expr: 'lines[qty > 2].item', data: po, result: 'Pens' },
  { expr: '$sum(lines.(qty * price))', data: po, result: 24.6 },
  { expr: '$count(lines)', data: po, result: 2 },
  { expr: '"PO " & poNumber', data: po, result: 'PO PO-4711' },
  { expr: '{"id": poNumber, "entity": header.legalEntity}', data: po, result: { id: 'PO-4711', entity: 'DE01' } },
  { expr: 'lines.{"no": lineNo}', data: po, result: [{ no: 1 }, { no: 2 }] },
  { expr: 'missing', data: po, undefinedResult: true },
  { expr: 'header.missing.deeper', data: po, undefinedResult: true },
  { expr: '$sourceKey', data: po, bindings: { sourceKey: 'file.csv#3' }, result: 'file.csv#3' },
  { expr: '$sourceKey & "/" & poNumber', data: po, bindings: { sourceKey: 'k' }, result: 'k/PO-4711' },
  { expr: '$lookup($fx, header.currency)', data: po, bindings: { fx: { EUR: 1.1 } }, result: 1.1 },
  { expr: "header.legalEntity = 'DE01'", data: po, result: true },
  { expr: "header.legalEntity != 'DE01'", data: po, result: false },
  { expr: "missing = 'x'", data: po, result: false },
  { expr: "missing != 'x'", data: po, result: false },
  { expr: '42', data: po, result: 42 },
  { expr: "'text'", data: po, result: 'text' },
  { expr: '$decAdd(0.1, 0.2)', data: po, result: '0.3' },
  { expr: '$decSum(lines.$decMul(qty, price))', data: po, result: '24.6' },
  { expr: "$inRef('suppliers', 'NO123456789MVA')", data: po, result: true },
  { expr: '$', data: [1, 2], result: [1, 2] },
  { expr: '$[0]', data: [{ a: 1 }, { a: 2 }], result: { a: 1 } },
];

describe('reference evaluator: results', () => {
  it.each(cases)('$expr', async ({ expr, data, bindings, result, undefinedResult }) => {
    const value = await run(expr, data, bindings);
    if (undefinedResult) expect(value).toBeUndefined();
    else expect(json(value)).toEqual(result);
  });

  it('is named jsonata and marks compiled expressions as the reference engine', () => {
    expect(evaluator.name).toBe('jsonata');
    const compiled = evaluator.compile('a + 1');
    expect(compiled.engine).toBe('reference');
    expect(compiled.source).toBe('a + 1');
  });

  it('answers synchronously on fast paths and with a promise otherwise', async () => {
    const path = evaluator.compile('header.legalEntity').evaluate(po);
    expect(path).toBe('DE01');
    const variable = evaluator.compile('$sourceKey').evaluate(po, { sourceKey: 'k1' });
    expect(variable).toBe('k1');
    const general = evaluator.compile('$uppercase(poNumber)').evaluate(po);
    expect(general).toBeInstanceOf(Promise);
    expect(await general).toBe('PO-4711');
    // A fast path that meets an array falls back to jsonata, and to its result.
    const arrays = evaluator.compile('lines').evaluate(po);
    expect(arrays).toBeInstanceOf(Promise);
    expect(json(await arrays)).toEqual(po.lines);
  });

  it('compiles once per text, limits and function set', () => {
    const ev = createReferenceEvaluator({ cacheSize: 2 });
    const a = ev.compile('a + 1', { functions });
    expect(ev.compile('a + 1', { functions })).toBe(a);
    expect(ev.compile('a + 1')).not.toBe(a);
    expect(ev.compile('a + 1', { functions, limits: { timeoutMs: 50 } })).not.toBe(a);
    ev.compile('b + 1', { functions });
    ev.compile('c + 1', { functions }); // evicts the least recently used: 'a + 1'
    expect(ev.compile('a + 1', { functions })).not.toBe(a);
  });

  it('per-record bindings shadow registered functions, like jsonata scopes', async () => {
    expect(await run('$decAdd', {}, { decAdd: 'shadowed' })).toBe('shadowed');
    expect(await run('$x.y', {}, { x: { y: 3 } })).toBe(3);
  });
});

interface ErrorCase {
  expr: string;
  data?: unknown;
  code: string;
  /** 0-based character offset we report. */
  position?: number;
  message: RegExp;
}

const evaluationErrors: ErrorCase[] = [
  { expr: 'a + "x"', data: { a: 1 }, code: 'T2002', position: 2, message: /at character 3: The right side of the "\+" operator must evaluate to a number/ },
  { expr: '$sum("a")', code: 'T0412', position: 0, message: /Argument 1 of function "sum" must be an array of "numbers"/ },
  { expr: '1 + $decAdd(null, 1)', code: 'T0410', position: 4, message: /Argument 1 of function "decAdd" does not match function signature/ },
  { expr: "$error('stop here')", code: 'D3137', message: /stop here/ },
  { expr: '[1..100000000]', code: 'D2014', position: 2, message: /a range \[a\.\.b\] would create 100,000,000 items; at most 10,000,000 are allowed/ },
];

describe('reference evaluator: evaluation errors', () => {
  it.each(evaluationErrors)('$expr → $code', async ({ expr, data, code, position, message }) => {
    const err = await flowErrorOf(() => run(expr, data ?? {}));
    expect(err.errorClass).toBe('mapping');
    expect(err.details.code).toBe(code);
    expect(err.message).toMatch(message);
    if (position !== undefined) expect(err.details.position).toBe(position);
  });

  it('names the reference data set that is not loaded', async () => {
    const err = await flowErrorOf(() => run("$ref('vendors', 'x')", {}));
    expect(err.errorClass).toBe('mapping');
    expect(err.message).toBe('$ref: reference data set "vendors" is not loaded (the loaded sets are "costCentres", "suppliers")');
    expect(err.details.position).toBe(0);
  });
});

describe('reference evaluator: limits', () => {
  const timed = async (expr: string, limits?: { timeoutMs?: number; maxDepth?: number }) => {
    const started = Date.now();
    const err = await flowErrorOf(() => evaluator.compile(expr, { functions, limits }).evaluate({}));
    return { err, ms: Date.now() - started };
  };

  it('stops deep recursion at the depth limit', async () => {
    const { err, ms } = await timed('($f := function($n){$n + $f($n+1)}; $f(0))');
    expect(err.errorClass).toBe('permanent');
    expect(err.details.code).toBe(LIMIT_ERROR_CODES.depth);
    expect(err.details.code).toBe('U1001');
    expect(err.message).toBe('expression stopped: exceeded 500 levels of evaluation depth (check for a function that calls itself without end)');
    expect(ms).toBeLessThan(2000);
  });

  it('honours a lower depth limit', async () => {
    const { err } = await timed('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(40))', { maxDepth: 50 });
    expect(err.details.code).toBe('U1001');
    expect(err.message).toContain('exceeded 50 levels');
    // The same recursion within the default limit completes.
    expect(await run('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(40))', {})).toBe(40);
  });

  it('stops an endless tail-recursive loop at the time limit', async () => {
    const { err, ms } = await timed('($f := function($n){$f($n+1)}; $f(0))');
    expect(err.details.code).toBe('U1002');
    expect(err.message).toBe('expression stopped: ran longer than 1000 ms (check for an endless loop)');
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(2000);
  });

  it('stops a long loop over a large range at a custom time limit', async () => {
    const { err, ms } = await timed('$map([1..9999999], function($x){ $x * 2 })', { timeoutMs: 200 });
    expect(err.details.code).toBe('U1002');
    expect(err.message).toContain('ran longer than 200 ms');
    expect(ms).toBeLessThan(2000);
  });
});

interface SyntaxCase {
  expr: string;
  code: string;
  /** 0-based offset: start of the offending token, or the length for "end of expression". */
  position: number;
  message: string;
}

const syntaxErrors: SyntaxCase[] = [
  { expr: 'a.b]', code: 'S0201', position: 3, message: 'unexpected "]"' },
  { expr: 'foo bar', code: 'S0201', position: 4, message: 'unexpected "bar"' },
  { expr: 'foo(', code: 'S0203', position: 4, message: 'Expected ")" before end of expression' },
  { expr: '$sum(1,2', code: 'S0203', position: 8, message: 'Expected ")" before end of expression' },
  { expr: 'a +', code: 'S0207', position: 3, message: 'Unexpected end of expression' },
  { expr: 'a ++ b', code: 'S0211', position: 3, message: 'The symbol "+" cannot be used as a unary operator' },
  { expr: '{"a": }', code: 'S0211', position: 6, message: 'The symbol "}" cannot be used as a unary operator' },
  { expr: '"abc', code: 'S0101', position: 3, message: 'String literal must be terminated by a matching quote' },
  { expr: '', code: 'S0207', position: 0, message: 'Unexpected end of expression' },
];

describe('reference evaluator: syntax errors', () => {
  it.each(syntaxErrors)('check($expr) → $code at $position', ({ expr, code, position, message }) => {
    expect(evaluator.check(expr)).toEqual({ message, position, code });
  });

  it.each(syntaxErrors)('compile($expr) throws a mapping FlowError at $position', ({ expr, code, position, message }) => {
    let thrown: unknown;
    try {
      evaluator.compile(expr);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FlowError);
    const err = thrown as FlowError;
    expect(err.errorClass).toBe('mapping');
    expect(err.details).toMatchObject({ code, position });
    expect(err.message).toBe(`Expression syntax error at character ${position + 1}: ${message}`);
  });

  it('returns null for a good expression', () => {
    expect(evaluator.check('$sum(lines.(qty * price))')).toBeNull();
  });
});
