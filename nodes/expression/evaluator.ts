/**
 * The expression evaluator seam. Nodes and the engine only ever see these
 * interfaces, so the reference JSONata implementation can be swapped for a
 * faster one (see the compiled evaluator) without touching either.
 */
import { DEFAULT_MAX_OUTPUT } from './output-limit.ts';

/** Evaluation limits, the same in the browser preview and in the runtime. */
export interface EvaluationLimits {
  /** Wall-clock limit of one evaluation, in milliseconds. */
  timeoutMs: number;
  /** Maximum evaluation (recursion) depth. */
  maxDepth: number;
  /** Characters of strings plus items of lists that built-in functions may build in one evaluation (output-limit.ts). */
  maxOutput: number;
}

export const DEFAULT_LIMITS: EvaluationLimits = { timeoutMs: 1000, maxDepth: 500, maxOutput: DEFAULT_MAX_OUTPUT };

/** A value bound as `$name` in an expression: data or a function. */
export type Bindings = Record<string, unknown>;

export interface CompiledExpression {
  /** The expression text, as written. */
  readonly source: string;
  /** Which implementation evaluates it, e.g. `reference` or `compiled`. */
  readonly engine: string;
  /**
   * Evaluates against one input. Returns a plain value when the implementation
   * can do so synchronously, otherwise a promise. Throws (or rejects with) a
   * FlowError of class `mapping` on evaluation errors and limit breaches.
   */
  evaluate(input: unknown, bindings?: Bindings): unknown | Promise<unknown>;
}

/** A syntax problem found when compiling. */
export interface ExpressionProblem {
  message: string;
  /** Character offset of the problem in the expression (0-based), when known. */
  position?: number;
  /** JSONata error code, e.g. `S0202`. */
  code?: string;
}

export interface ExpressionEvaluator {
  /** Short name shown in traces and the bench, e.g. `jsonata` or `compiled`. */
  readonly name: string;
  /**
   * Compiles once; the result is evaluated per record. Throws a FlowError of
   * class `mapping` carrying `position` and `code` on a syntax error.
   * `functions` are registered for every evaluation (bindings may add more).
   */
  compile(source: string, options?: { limits?: Partial<EvaluationLimits>; functions?: Bindings }): CompiledExpression;
  /** Syntax check without evaluating; null when the expression parses. */
  check(source: string): ExpressionProblem | null;
}
