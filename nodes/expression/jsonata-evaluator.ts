/**
 * The reference expression evaluator: the `jsonata` package (browser-safe),
 * with evaluation limits, errors as FlowErrors, a bounded compile cache and
 * exact fast paths for trivial expressions (see fast-path.ts).
 *
 * Limits use jsonata's own guardrails (`{ stack, timeout }` options, checked
 * synchronously on every evaluation step) rather than the
 * `jsonata.__evaluate_entry` / `__evaluate_exit` hooks: the hooks are awaited
 * on every step, which measured ~20% slower on a realistic mapping, against
 * ~4% for the guardrails. Breaches surface as `U1001` (depth) and `U1002`
 * (time), see jsonata-errors.ts; lists are bounded too (reference-options.ts).
 */
import jsonata from 'jsonata';
import {
  DEFAULT_LIMITS,
  type Bindings,
  type CompiledExpression,
  type EvaluationLimits,
  type ExpressionEvaluator,
} from './evaluator.ts';
import { evaluationError, syntaxError } from './jsonata-errors.ts';
import { checkSyntax } from './syntax-check.ts';
import { FALLBACK, fastPathFor, type FastPath } from './fast-path.ts';
import { jsonataSignatureOf } from './signed-function.ts';
import { jsonataBuiltins } from './compiler/jsonata-internals.ts';
import { BOUNDED_BUILTINS, boundedBuiltin, createBudget, type BudgetOf, type OutputBudget } from './output-limit.ts';
import { checkRegexLiterals } from './linear-regex.ts';
import { limitLists, referenceOptions } from './reference-options.ts';

// The evaluation's output budget travels as a binding; built-ins find it through their call environment.
const BUDGET_BINDING = '__outputBudget';
const environmentBudget: BudgetOf = (self) =>
  (self as { environment?: { lookup(name: string): unknown } } | undefined)?.environment?.lookup(BUDGET_BINDING) as OutputBudget | undefined;

let boundedDefs: [string, unknown][] | undefined;

/** jsonata's own built-ins that can build large values, counting what they build (output-limit.ts). */
function boundedReferenceBuiltins(): [string, unknown][] {
  if (boundedDefs) return boundedDefs;
  const defs = jsonataBuiltins();
  boundedDefs = BOUNDED_BUILTINS.map((name) => {
    const def = defs[name];
    return [name, { _jsonata_function: true, implementation: boundedBuiltin(name, def.implementation, environmentBudget), signature: def.signature }];
  });
  return boundedDefs;
}

export interface ReferenceEvaluatorOptions {
  /** Compiled expressions kept per function set; the least recently used go first. Default 1,000. */
  cacheSize?: number;
}

/** A compiled expression of this evaluator; `fastPath` names the shortcut used, if any. */
export interface ReferenceCompiledExpression extends CompiledExpression {
  readonly fastPath?: FastPath['kind'];
}

// Compiled expressions without any registered functions share this cache key object.
const NO_FUNCTIONS: Bindings = Object.freeze({});

/** Creates the reference (jsonata) evaluator, named `jsonata`. */
export function createReferenceEvaluator(options: ReferenceEvaluatorOptions = {}): ExpressionEvaluator {
  const cacheSize = Math.max(1, options.cacheSize ?? 1000);
  // Keyed by the function set first: the same text compiled with other functions is another expression.
  const caches = new WeakMap<Bindings, Map<string, ReferenceCompiledExpression>>();

  function compile(source: string, opts: { limits?: Partial<EvaluationLimits>; functions?: Bindings } = {}): CompiledExpression {
    const limits: EvaluationLimits = { ...DEFAULT_LIMITS, ...opts.limits };
    const functions = opts.functions ?? NO_FUNCTIONS;
    let cache = caches.get(functions);
    if (!cache) caches.set(functions, (cache = new Map()));
    const key = `${limits.timeoutMs}|${limits.maxDepth}|${limits.maxOutput}|${source}`;
    const hit = cache.get(key);
    if (hit) {
      // Re-insert so Map order is least-recently-used first.
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const compiled = compileUncached(source, limits, functions);
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(key, compiled);
    return compiled;
  }

  return { name: 'jsonata', compile, check: checkSyntax };
}

function compileUncached(source: string, limits: EvaluationLimits, functions: Bindings): ReferenceCompiledExpression {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, referenceOptions(limits));
    checkRegexLiterals(expression.ast());
  } catch (err) {
    throw syntaxError(err, source);
  }
  limitLists(expression, limits);
  for (const [name, def] of boundedReferenceBuiltins()) expression.assign(name, def);
  for (const [name, value] of Object.entries(functions)) {
    const signature = jsonataSignatureOf(value);
    if (signature) expression.registerFunction(name, value as (...args: unknown[]) => unknown, signature);
    else expression.assign(name, value);
  }

  const onError = (err: unknown): never => {
    throw evaluationError(err, source, limits);
  };
  const viaJsonata = (input: unknown, bindings?: Bindings): Promise<unknown> => {
    try {
      const withBudget = { ...bindings, [BUDGET_BINDING]: createBudget(limits.maxOutput) };
      return expression.evaluate(input, withBudget).then(undefined, onError);
    } catch (err) {
      return Promise.reject(evaluationError(err, source, limits));
    }
  };

  const fast = fastPathFor(source);
  if (!fast) return { source, engine: 'reference', evaluate: viaJsonata };
  const shortcut = fast.evaluate;
  return {
    source,
    engine: 'reference',
    fastPath: fast.kind,
    evaluate(input: unknown, bindings?: Bindings): unknown {
      const result = shortcut(input, bindings);
      return result === FALLBACK ? viaJsonata(input, bindings) : result;
    },
  };
}
