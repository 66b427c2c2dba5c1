/** Shared set-up for expression and node tests. */
import type { Emission, NodeSetupContext, ReferenceData } from '../../../nodes/define-node.ts';
import type { Bindings } from '../../../nodes/expression/evaluator.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';

export const evaluator = createReferenceEvaluator();

export const reference: ReferenceData = createReferenceData({
  suppliers: {
    key: 'vatId',
    rows: [
      { vatId: 'NL8200.98.395.B.01', name: 'De Koksmaat' },
      { vatId: 'NO123456789MVA', name: 'Salescompany ltd.' },
      { vatId: ' DK16356706 ', name: 'SubscriptionSeller' },
    ],
  },
  costCentres: { key: 'code', rows: [{ code: 100 }, { code: '200' }, { code: 'CC-300' }] },
});

export const functions: Bindings = standardFunctions(reference);

export function setup(nodeId = 'n1', ref: ReferenceData = reference): NodeSetupContext {
  return { nodeId, evaluator, reference: ref, functions: ref === reference ? functions : standardFunctions(ref) };
}

/** Evaluates `expr` on `data` with the standard functions; always awaits. */
export async function run(expr: string, data: unknown, bindings?: Bindings): Promise<unknown> {
  return await evaluator.compile(expr, { functions }).evaluate(data, bindings);
}

/** The FlowError a promise (or function) ends with; fails the test when there is none. */
export async function flowErrorOf(action: () => unknown): Promise<FlowError> {
  try {
    await action();
  } catch (err) {
    if (err instanceof FlowError) return err;
    throw new Error(`expected a FlowError, got ${String(err)}`);
  }
  throw new Error('expected a FlowError, but it succeeded');
}

/** Emissions of a process call, awaited. */
export async function emitted(result: Emission[] | Promise<Emission[]>): Promise<Emission[]> {
  return await result;
}
