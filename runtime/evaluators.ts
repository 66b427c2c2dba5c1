/**
 * Which JSONata implementation a flow runs with. One instance of each per
 * process, so compiled expressions are cached across runs.
 */
import type { ExpressionEvaluator } from '../nodes/expression/evaluator.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import { createReferenceEvaluator } from '../nodes/expression/jsonata-evaluator.ts';
import { createCompiledEvaluator } from '../nodes/expression/compiler/index.ts';

export type EvaluatorName = 'reference' | 'compiled';

let reference: ExpressionEvaluator | undefined;
let compiled: ExpressionEvaluator | undefined;
/** Compiled by default: the same results as the reference implementation, many times faster. */
let defaultName: EvaluatorName = 'compiled';

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

/** Expressions it cannot compile (rare) run on the reference implementation, per expression. */
export function compiledEvaluator(): ExpressionEvaluator {
  return (compiled ??= createCompiledEvaluator({ fallback: referenceEvaluator() }));
}
