/**
 * The official JSONata test suite (jsonata-js/jsonata test/test-suite, 2.2.2,
 * copied unchanged into shared/data) run through the compiled evaluator. Each
 * case either compiles and gives exactly the expected result (value,
 * undefined, or error code), or falls back to the reference implementation
 * (counted, not run). Limit breaches are reported by our own code U1001
 * (depth) / U1002 (time); the suite's harness reports both as U1001.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../../nodes/errors.ts';
import { createCompiledEvaluator, type CompiledEvaluator, type CompiledExpressionInfo } from '../../../../nodes/expression/compiler/index.ts';
import { createReferenceEvaluator } from '../../../../nodes/expression/jsonata-evaluator.ts';
import { compileExpression } from '../../../../nodes/expression/compiler/compile.ts';
import { installEval } from '../../../../nodes/expression/compiler/eval.ts';
import { functionTable } from '../../../../nodes/expression/compiler/function-table.ts';
import { createState } from '../../../../nodes/expression/compiler/runtime/state.ts';

/** Share of the suite that must compile (raised as coverage grew; 1,686 of 1,686 compile today). */
const MIN_COMPILED_SHARE = 1.0;
const SUITE_SIZE = 1686;

const SUITE = new URL('../../../../../shared/data/jsonata-test-suite/', import.meta.url);

interface SuiteCase {
  name: string;
  expr: string;
  data?: unknown;
  dataset?: string | null;
  bindings?: Record<string, unknown>;
  timelimit?: number;
  depth?: number;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  error?: { code: string };
  unordered?: boolean;
}

function loadCases(): SuiteCase[] {
  const cases: SuiteCase[] = [];
  const groups = new URL('groups/', SUITE);
  for (const group of readdirSync(groups).sort()) {
    const dir = new URL(`${group}/`, groups);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue;
      const content = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      const list: SuiteCase[] = Array.isArray(content) ? content : [content];
      list.forEach((c, i) => {
        const exprFile = (c as { 'expr-file'?: string })['expr-file'];
        const expr = exprFile ? readFileSync(new URL(exprFile, dir), 'utf8') : c.expr;
        cases.push({ ...c, expr, name: `${group}/${file}${list.length > 1 ? `#${i}` : ''}` });
      });
    }
  }
  return cases;
}

const datasets = new Map<string, unknown>();
function inputOf(c: SuiteCase): unknown {
  if (c.dataset === undefined || c.dataset === null) return c.data;
  if (!datasets.has(c.dataset)) datasets.set(c.dataset, JSON.parse(readFileSync(new URL(`datasets/${c.dataset}.json`, SUITE), 'utf8')));
  return datasets.get(c.dataset);
}

/** Results compared as JSON values; `unordered` results as multisets. */
function sameResult(actual: unknown, expected: unknown, unordered: boolean): boolean {
  const a = actual === undefined ? undefined : JSON.parse(JSON.stringify(actual));
  if (!unordered || !Array.isArray(a) || !Array.isArray(expected)) return isDeepStrictEqual(a, expected);
  const key = (v: unknown) => JSON.stringify(v);
  return isDeepStrictEqual(a.map(key).sort(), expected.map(key).sort());
}

/** The same case through the awaiting variant of the program (what runs once a function returns a promise). */
async function runCaseAsync(c: SuiteCase): Promise<Outcome> {
  const expectedCode = c.code ?? c.error?.code;
  let outcome;
  try {
    outcome = compileExpression(c.expr, true);
  } catch {
    return { kind: 'pass' }; // syntax errors: covered by the synchronous run
  }
  if (!outcome.ok) return { kind: 'fallback', reason: outcome.reason };
  const table = functionTable({});
  const st = createState(c.depth ?? 100_000, c.timelimit ?? 60_000, true);
  installEval(st, table);
  let result: unknown;
  try {
    result = await outcome.program(inputOf(c), c.bindings, table.async, st);
  } catch (err) {
    const e = err as { code?: string };
    const code = e.code === 'D1011' || e.code === 'D1012' || err instanceof RangeError ? 'U1001' : e.code;
    return code === expectedCode ? { kind: 'pass' } : { kind: 'fail', detail: `threw ${code}, expected ${expectedCode ?? JSON.stringify(c.result)}` };
  }
  if (expectedCode !== undefined) return { kind: 'fail', detail: `returned ${JSON.stringify(result)}, expected error ${expectedCode}` };
  if (c.undefinedResult) return result === undefined ? { kind: 'pass' } : { kind: 'fail', detail: `returned ${JSON.stringify(result)}` };
  return sameResult(result, c.result, c.unordered === true) ? { kind: 'pass' } : { kind: 'fail', detail: `returned ${JSON.stringify(result)?.slice(0, 300)}` };
}

type Outcome = { kind: 'fallback'; reason: string } | { kind: 'pass' } | { kind: 'fail'; detail: string };

async function runCase(evaluator: CompiledEvaluator, c: SuiteCase): Promise<Outcome> {
  const expectedCode = c.code ?? c.error?.code;
  const limits = { timeoutMs: c.timelimit ?? 60_000, maxDepth: c.depth ?? 100_000 };
  let compiled: CompiledExpressionInfo;
  try {
    compiled = evaluator.compile(c.expr, { limits });
  } catch (err) {
    // Syntax errors come from jsonata's own parser, as in the reference.
    const code = err instanceof FlowError ? err.details.code : undefined;
    return code !== undefined && code === expectedCode ? { kind: 'pass' } : { kind: 'fail', detail: `compile error ${code}` };
  }
  if (compiled.engine !== 'compiled') return { kind: 'fallback', reason: compiled.fallbackReason ?? '?' };
  let result: unknown;
  try {
    result = await compiled.evaluate(inputOf(c), c.bindings);
  } catch (err) {
    if (!(err instanceof FlowError)) return { kind: 'fail', detail: `threw a non-FlowError: ${String(err)}` };
    const code = err.details.code === 'U1002' ? 'U1001' : err.details.code;
    return expectedCode !== undefined && code === expectedCode
      ? { kind: 'pass' }
      : { kind: 'fail', detail: `threw ${code} (${err.message}), expected ${expectedCode ?? JSON.stringify(c.result)}` };
  }
  if (expectedCode !== undefined) return { kind: 'fail', detail: `returned ${JSON.stringify(result)}, expected error ${expectedCode}` };
  if (c.undefinedResult) return result === undefined ? { kind: 'pass' } : { kind: 'fail', detail: `returned ${JSON.stringify(result)}, expected undefined` };
  return sameResult(result, c.result, c.unordered === true)
    ? { kind: 'pass' }
    : { kind: 'fail', detail: `returned ${JSON.stringify(result)?.slice(0, 300)}, expected ${JSON.stringify(c.result)?.slice(0, 300)}` };
}

describe('JSONata conformance suite through the compiled evaluator', () => {
  it('compiles the required share of the cases and every compiled case gives the reference result', { timeout: 120_000 }, async () => {
    const cases = loadCases();
    expect(cases.length).toBe(SUITE_SIZE);
    // Errors as the compiled code itself reports them (no re-evaluation by the reference).
    const evaluator = createCompiledEvaluator({ fallback: createReferenceEvaluator(), concurrentErrors: 'compiled' });
    const failures: string[] = [];
    const reasons = new Map<string, number>();
    let compiled = 0;
    let fallback = 0;
    for (const c of cases) {
      const outcome = await runCase(evaluator, c);
      if (outcome.kind === 'fallback') {
        fallback++;
        reasons.set(outcome.reason, (reasons.get(outcome.reason) ?? 0) + 1);
        continue;
      }
      compiled++;
      if (outcome.kind === 'fail') failures.push(`${c.name}: ${c.expr.slice(0, 120)}\n    ${outcome.detail}`);
    }
    console.log(`JSONata suite: ${compiled} compiled, ${fallback} fall back, ${cases.length} total; ${failures.length} compiled cases wrong`);
    for (const [reason, count] of reasons) console.log(`  fallback (${count}): ${reason}`);
    expect(failures).toEqual([]);
    expect(compiled + fallback).toBe(SUITE_SIZE);
    expect(compiled / SUITE_SIZE).toBeGreaterThanOrEqual(MIN_COMPILED_SHARE);
  });

  it('gives the same results through the asynchronous (awaiting) variant', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const c of loadCases()) {
      const outcome = await runCaseAsync(c);
      if (outcome.kind === 'fail') failures.push(`${c.name}: ${outcome.detail}`);
    }
    expect(failures).toEqual([]);
  });
});
