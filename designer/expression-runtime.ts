/**
 * The one expression evaluator of the designer, built exactly as the runtime
 * builds its own: same library, same limits (DEFAULT_LIMITS), same custom
 * functions. Problems, previews and browser-side node evaluation all use it,
 * so what the designer shows is what a run does: the compiled evaluator, with
 * the reference implementation behind it for anything it does not compile.
 */
import { createReferenceEvaluator } from '../nodes/expression/jsonata-evaluator.ts';
import { createCompiledEvaluator } from '../nodes/expression/compiler/index.ts';
import { DEFAULT_LIMITS, type Bindings, type EvaluationLimits, type ExpressionEvaluator } from '../nodes/expression/evaluator.ts';
import { standardFunctions } from '../nodes/expression/functions.ts';
import { EMPTY_REFERENCE_DATA } from '../nodes/reference-data.ts';
import type { ReferenceData } from '../nodes/define-node.ts';

export const referenceEvaluator: ExpressionEvaluator = createReferenceEvaluator({ cacheSize: 500 });
export const evaluator: ExpressionEvaluator = createCompiledEvaluator({ fallback: referenceEvaluator });

/** The evaluator a flow runs with: its `evaluator` switch, compiled by default (as in the runtime). */
export function evaluatorForFlow(doc: { evaluator?: 'compiled' | 'reference' }): ExpressionEvaluator {
  return doc.evaluator === 'reference' ? referenceEvaluator : evaluator;
}

/** Limits of one evaluation: identical to the runtime's. */
export const limits: EvaluationLimits = DEFAULT_LIMITS;

/** Reference data known to the browser (none until the API serves it). */
export const referenceData: ReferenceData = EMPTY_REFERENCE_DATA;

/** Custom functions ($dec…, $ref, $inRef) bound for every expression. */
export const functions: Bindings = standardFunctions(referenceData);

/**
 * `$sourceKey` and `$lineageKey` as the engine binds them per record; in a
 * preview there is no run, so they are stand-ins.
 */
export const PREVIEW_BINDINGS: Bindings = { sourceKey: 'preview-source-key', lineageKey: '1' };
