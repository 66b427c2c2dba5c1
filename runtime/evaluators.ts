/**
 * Which JSONata implementation a flow runs with. One instance of each per
 * process, so compiled expressions are cached across runs.
 */
import type { ExpressionEvaluator } from '../nodes/expression/evaluator.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import { createReferenceEvaluator } from '../nodes/expression/jsonata-evaluator.ts';

let reference: ExpressionEvaluator | undefined;

export function referenceEvaluator(): ExpressionEvaluator {
  return (reference ??= createReferenceEvaluator());
}

/** The evaluator for a flow: the flow's `evaluator` switch, else the default. */
export function evaluatorFor(_doc: Pick<FlowDocument, 'evaluator'>): ExpressionEvaluator {
  return referenceEvaluator();
}
