/**
 * The compiled expression evaluator: JSONata compiled to JavaScript (see
 * compile.ts), with the reference evaluator as a per-expression fallback for
 * what is not compiled. The fallback is visible: `engine` is `reference` and
 * `fallbackReason` says why. Results, errors and limits are the reference's;
 * evaluation is synchronous unless a function returns a promise.
 */
import {
  DEFAULT_LIMITS,
  type Bindings,
  type EvaluationLimits,
  type ExpressionEvaluator,
} from '../evaluator.ts';
import { syntaxError } from '../jsonata-errors.ts';
import { checkSyntax } from '../syntax-check.ts';
import { cachedCompile } from './cache.ts';
import { compiledExpression, type CompiledExpressionInfo } from './compiled-expression.ts';

export type { CompiledExpressionInfo };

export interface CompiledEvaluatorOptions {
  /** Evaluates what the compiler does not handle (normally the reference evaluator). */
  fallback: ExpressionEvaluator;
  /**
   * Who reports an error from parts jsonata evaluates concurrently (array
   * items, object values): `reference` (default) re-evaluates the failing
   * record with the fallback, so that of several errors the reference's is
   * reported; `compiled` reports the first in evaluation order.
   */
  concurrentErrors?: 'reference' | 'compiled';
}

/** The compiled evaluator: `compile` says which engine evaluates each expression. */
export interface CompiledEvaluator extends ExpressionEvaluator {
  compile(source: string, options?: { limits?: Partial<EvaluationLimits>; functions?: Bindings }): CompiledExpressionInfo;
}

const NO_FUNCTIONS: Bindings = Object.freeze({});

/** Creates the compiled evaluator, named `compiled`. */
export function createCompiledEvaluator(options: CompiledEvaluatorOptions): CompiledEvaluator {
  const { fallback } = options;
  const recheckErrors = options.concurrentErrors !== 'compiled';
  const caches = new WeakMap<Bindings, Map<string, CompiledExpressionInfo>>();

  function compile(source: string, opts: { limits?: Partial<EvaluationLimits>; functions?: Bindings } = {}): CompiledExpressionInfo {
    const limits: EvaluationLimits = { ...DEFAULT_LIMITS, ...opts.limits };
    const functions = opts.functions ?? NO_FUNCTIONS;
    let cache = caches.get(functions);
    if (!cache) caches.set(functions, (cache = new Map()));
    const key = `${limits.timeoutMs}|${limits.maxDepth}|${limits.maxOutput}|${source}`;
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = compileUncached(source, limits, functions, opts);
      if (cache.size >= 1000) cache.delete(cache.keys().next().value as string);
      cache.set(key, compiled);
    }
    return compiled;
  }

  function compileUncached(
    source: string,
    limits: EvaluationLimits,
    functions: Bindings,
    opts: { limits?: Partial<EvaluationLimits>; functions?: Bindings },
  ): CompiledExpressionInfo {
    let outcome;
    try {
      outcome = cachedCompile(source);
    } catch (err) {
      throw syntaxError(err, source);
    }
    if (!outcome.ok) {
      const viaReference = fallback.compile(source, opts);
      return { source, engine: 'reference', fallbackReason: outcome.reason, evaluate: (input, bindings) => viaReference.evaluate(input, bindings) };
    }
    return compiledExpression({
      source,
      program: outcome.program,
      concurrent: outcome.concurrent && recheckErrors,
      usesState: outcome.usesState,
      limits,
      functions,
      reference: () => fallback.compile(source, opts),
    });
  }

  return { name: 'compiled', compile, check: checkSyntax };
}
