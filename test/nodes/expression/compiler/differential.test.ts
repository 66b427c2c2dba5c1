/**
 * Differential tests beyond the conformance suite: generated inputs for the
 * example flows' expressions (their samples, mutated: fields missing,
 * replaced by other types, singletons wrapped, arrays emptied or unwrapped)
 * and for a set of finance mappings; the compiled evaluator must give the
 * reference's result, or the same error.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompiledEvaluator } from '../../../../nodes/expression/compiler/index.ts';
import { createReferenceEvaluator } from '../../../../nodes/expression/jsonata-evaluator.ts';
import { moneyFunctions } from '../../../../nodes/expression/money.ts';
import { standardFunctions } from '../../../../nodes/expression/functions.ts';
import { PO_MAPPING, PO_RATES, poEvents } from '../../../bench/po-mapping.ts';
import { FINANCE_EXPRESSIONS, ledgerDocument } from './finance-mappings.ts';
import { expression, FUZZ_DOCUMENT } from './expression-generator.ts';
import { loadFlowExpressions, mapRecords, mutate, mutations, outcome, sameOutcome, type FlowExpressions } from './differential-support.ts';

const reference = createReferenceEvaluator();
const compiled = createCompiledEvaluator({ fallback: reference });
const FLOWS = ['po-approved-to-erp', 'ubl-invoice-to-ap', 'camt053-cash-entries'];
const flowsDir = new URL('../../../../flows/', import.meta.url);

async function agree(expressions: string[], input: unknown, functions: Record<string, unknown>, bindings?: Record<string, unknown>): Promise<void> {
  for (const expr of expressions) {
    const expected = await outcome(reference, expr, input, functions, bindings);
    const actual = await outcome(compiled, expr, input, functions, bindings);
    if (!sameOutcome(expected, actual)) {
      throw new Error(`${expr}\n  reference: ${JSON.stringify(expected)}\n  compiled:  ${JSON.stringify(actual)}\n  input: ${JSON.stringify(input)?.slice(0, 2000)}`);
    }
  }
}

function expectCompiled(expressions: string[], functions: Record<string, unknown>): void {
  for (const expr of expressions) {
    const c = compiled.compile(expr, { functions });
    expect(c.engine, `${expr} fell back: ${c.fallbackReason}`).toBe('compiled');
  }
}

describe('compiled evaluator against the reference on generated inputs', () => {
  const flows = new Map<string, FlowExpressions>();

  beforeAll(async () => {
    for (const name of FLOWS) {
      const loaded = await loadFlowExpressions(new URL(`${name}/`, flowsDir), standardFunctions);
      if (loaded.transform) loaded.onMapped.records = await mapRecords(reference, loaded.transform, loaded.onSource.records, loaded.functions);
      flows.set(name, loaded);
    }
  });

  for (const name of FLOWS) {
    it(`example flow ${name}: every expression compiles and agrees on mutated samples`, { timeout: 120_000 }, async () => {
      const flow = flows.get(name)!;
      expect(flow.onSource.records.length).toBeGreaterThan(0);
      expectCompiled([...flow.onSource.expressions, ...flow.onMapped.expressions], flow.functions);
      for (const stage of [flow.onSource, flow.onMapped]) {
        if (stage.expressions.length === 0 || stage.records.length === 0) continue;
        await fc.assert(
          fc.asyncProperty(fc.nat(), mutations, async (pick, list) => {
            const input = mutate(stage.records[pick % stage.records.length], list);
            await agree(stage.expressions, input, flow.functions);
          }),
          { numRuns: 120, seed: 20261122 },
        );
      }
    });
  }

  it('the PO → ERP commitment mapping agrees on generated and mutated events', { timeout: 60_000 }, async () => {
    const events = poEvents(20, 7);
    expectCompiled([PO_MAPPING], {});
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutations, async (pick, list) => {
        await agree([PO_MAPPING], mutate(events[pick % events.length], list), {}, { rates: PO_RATES });
      }),
      { numRuns: 300, seed: 424242 },
    );
  });

  it('random expressions (paths, predicates, tuples, grouping, lambdas, HOFs, transforms) agree', { timeout: 120_000 }, async () => {
    const inputs = [FUZZ_DOCUMENT, [FUZZ_DOCUMENT, { n: 1, codes: 'x-1' }], FUZZ_DOCUMENT.Account.Order, 'A-1', 5, undefined];
    await fc.assert(
      fc.asyncProperty(expression(5), fc.constantFrom(...inputs), async (expr, input) => {
        let ok = true;
        try {
          ok = compiled.compile(expr).engine === 'compiled';
        } catch {
          return; // a syntax error: jsonata's parser, the same in both
        }
        expect(ok, `fell back: ${expr}`).toBe(true);
        await agree([expr], input, {});
      }),
      { numRuns: 1500, seed: 20261123 },
    );
  });

  it('finance mappings (grouping, joins, parent, order-by, HOFs, money functions) agree on generated ledgers', { timeout: 120_000 }, async () => {
    expectCompiled(FINANCE_EXPRESSIONS, moneyFunctions);
    await fc.assert(
      fc.asyncProperty(ledgerDocument, async (doc) => {
        await agree(FINANCE_EXPRESSIONS, doc, moneyFunctions, { rates: (doc as { rates?: unknown }).rates });
      }),
      { numRuns: 250, seed: 99 },
    );
  });
});
