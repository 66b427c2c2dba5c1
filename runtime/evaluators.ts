/**
 * Which JSONata implementation a flow runs with. One instance of each per
 * process, so compiled expressions are cached across runs.
 */
import type { ExpressionEvaluator } from '../nodes/expression/evaluator.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import { createReferenceEvaluator } from '../nodes/expression/jsonata-evaluator.ts';

export type EvaluatorName = 'reference' | 'compiled';

let reference: ExpressionEvaluator | undefined;
let defaultName: EvaluatorName = 'reference';

export function referenceEvaluator(): ExpressionEvaluator {
  return (reference ??= createReferenceEvaluator());
}

/** Sets the evaluator for flows that do not choose one (the bench compares both). */
export function setDefaultEvaluator(name: EvaluatorName): void {
  defaultName = name;
}

/** The evaluator for a flow: the flow's `evaluator` switch, else the default. */
export function evaluatorFor(doc: Pick<FlowDocument, 'evaluator'>): ExpressionEvaluator {
  const name = doc.evaluator ?? defaultName;
  return name === 'compiled' ? compiledEvaluator() : referenceEvaluator();
}

function compiledEvaluator(): ExpressionEvaluator {
  // Until the compiled evaluator lands, `compiled` runs on the reference implementation.
  return referenceEvaluator();
}
