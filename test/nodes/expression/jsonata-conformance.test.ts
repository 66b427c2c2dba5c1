/**
 * Runs JSONata's official test suite (a copy in shared/data/jsonata-test-suite)
 * through the reference evaluator: the fast paths, the error translation, the
 * limits and the compile cache must leave jsonata's behaviour unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../nodes/errors.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';

const suite = new URL('../../../../shared/data/jsonata-test-suite/', import.meta.url);

interface SuiteCase {
  expr?: string;
  'expr-file'?: string;
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

const readJson = (url: URL) => JSON.parse(readFileSync(url, 'utf8').replace(/^\uFEFF/, ''));

const datasets = new Map<string, unknown>();
for (const file of readdirSync(new URL('datasets/', suite))) {
  datasets.set(file.replace(/\.json$/, ''), readJson(new URL(`datasets/${file}`, suite)));
}

const cases: { name: string; group: string; testCase: SuiteCase }[] = [];
for (const group of readdirSync(new URL('groups/', suite)).sort()) {
  for (const file of readdirSync(new URL(`groups/${group}/`, suite)).sort()) {
    if (!file.endsWith('.json')) continue;
    const content = readJson(new URL(`groups/${group}/${file}`, suite));
    const list: SuiteCase[] = Array.isArray(content) ? content : [content];
    list.forEach((testCase, i) => {
      cases.push({ name: `${group}/${file}${list.length > 1 ? `#${i}` : ''}`, group, testCase });
    });
  }
}

// Our limit errors carry our own codes (see jsonata-errors.ts). The suite's runner uses U1001 for
// both of its limits, so there U1001 means "a limit stopped it": depth (U1001) or time (U1002).
const accepted: Record<string, string[]> = { D1011: ['U1001'], D1012: ['U1002'], U1001: ['U1001', 'U1002'] };
const normalise = (value: unknown, unordered?: boolean) => {
  if (value === undefined) return undefined;
  const plain = JSON.parse(JSON.stringify(value));
  return unordered && Array.isArray(plain) ? plain.map((v) => JSON.stringify(v)).sort() : plain;
};

describe('JSONata conformance suite through the reference evaluator', () => {
  const evaluator = createReferenceEvaluator();

  it('has the whole suite', () => {
    expect(cases.length).toBe(1686);
  });

  it.each(cases)('$name', async ({ group, testCase }) => {
    const expr = testCase.expr ?? readFileSync(new URL(`groups/${group}/${testCase['expr-file']}`, suite), 'utf8');
    const input = testCase.dataset === null ? undefined : testCase.dataset ? datasets.get(testCase.dataset) : testCase.data;
    // The suite's runner has no limits except where a case sets them.
    const limits = { timeoutMs: testCase.timelimit ?? 10_000, maxDepth: testCase.depth ?? 100_000 };
    const expectedCode = testCase.code ?? testCase.error?.code;

    let result: unknown;
    let error: unknown;
    try {
      result = await evaluator.compile(expr, { limits }).evaluate(input, testCase.bindings);
    } catch (err) {
      error = err;
    }

    if (expectedCode) {
      expect(error, `expected error ${expectedCode}, got ${JSON.stringify(result)}`).toBeInstanceOf(FlowError);
      // A limit breach (U1001 depth, U1002 time) is permanent; every other error is a mapping error.
      expect((error as FlowError).errorClass).toBe(/^U100/.test((error as FlowError).details.code ?? '') ? 'permanent' : 'mapping');
      expect(accepted[expectedCode] ?? [expectedCode]).toContain((error as FlowError).details.code);
      return;
    }
    if (error) throw error;
    if (testCase.undefinedResult) expect(result).toBeUndefined();
    else expect(normalise(result, testCase.unordered)).toEqual(normalise(testCase.result, testCase.unordered));
  });
});
