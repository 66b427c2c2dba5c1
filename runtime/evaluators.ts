/**
 * Which JSONata implementation a flow runs with. A registry holds one
 * evaluator of each kind, so compiled expressions are cached across runs; its
 * default (for flows that do not choose) is fixed when it is made: nothing
 * changes it afterwards. Each composition root (the server, the CLI, a
 * worker process, a preview worker thread) makes one and hands it on through
 * its dependencies; there is no process-wide registry.
 */
import type { ExpressionEvaluator } from '../nodes/expression/evaluator.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import { createReferenceEvaluator } from '../nodes/expression/jsonata-evaluator.ts';
import { createCompiledEvaluator } from '../nodes/expression/compiler/index.ts';

export type EvaluatorName = 'reference' | 'compiled';

export interface EvaluatorRegistry {
  /** The evaluator for a flow: the flow's `evaluator` switch, else the registry's default. */
  for(doc: Pick<FlowDocument, 'evaluator'>): ExpressionEvaluator;
  byName(name: EvaluatorName): ExpressionEvaluator;
}

/** A registry; each evaluator is made on first use. Compiled by default: the same results as the reference implementation, many times faster. */
export function createEvaluatorRegistry(options: { default?: EvaluatorName } = {}): EvaluatorRegistry {
  const fallback = options.default ?? 'compiled';
  let reference: ExpressionEvaluator | undefined;
  let compiled: ExpressionEvaluator | undefined;
  const byName = (name: EvaluatorName): ExpressionEvaluator => {
    reference ??= createReferenceEvaluator();
    // Expressions it cannot compile (rare) run on the reference implementation, per expression.
    return name === 'compiled' ? (compiled ??= createCompiledEvaluator({ fallback: reference })) : reference;
  };
  return { byName, for: (doc) => byName(doc.evaluator ?? fallback) };
}
