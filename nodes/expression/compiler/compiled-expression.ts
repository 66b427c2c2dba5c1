/**
 * One compiled expression: runs the generated program synchronously, switches
 * to the awaiting variant when a function returns a promise, and turns what
 * it throws into the reference evaluator's FlowErrors. Where jsonata
 * evaluates parts concurrently and one part fails, the reference's promise
 * scheduling decides which of several errors is reported; on that (rare)
 * path the reference evaluates the record again, so the error is its own.
 */
import type { Bindings, CompiledExpression, EvaluationLimits } from '../evaluator.ts';
import { evaluationError } from '../jsonata-errors.ts';
import { OUTPUT_LIMIT_CODE } from '../output-limit.ts';
import type { Program } from './compile.ts';
import { populateMessage } from './error-messages.ts';
import { installEval } from './eval.ts';
import { functionTable } from './function-table.ts';
import { runAsync } from './run-async.ts';
import { AsyncNeeded, createState, resetState, type EvalState } from './runtime/state.ts';
import { TailArgError } from './runtime/apply.ts';

/** A compiled expression; `engine` is `compiled`, or `reference` with the reason when it fell back. */
export interface CompiledExpressionInfo extends CompiledExpression {
  readonly engine: 'compiled' | 'reference';
  readonly fallbackReason?: string;
}

export interface CompiledExpressionSetup {
  source: string;
  program: Program;
  concurrent: boolean;
  /** False: the program reads no clock, step count or budget, so one state serves every evaluation unreset. */
  usesState?: boolean;
  limits: EvaluationLimits;
  functions: Bindings;
  /** The same expression compiled by the reference evaluator (made on first need). */
  reference: () => CompiledExpression;
}

function isLimitError(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'D1011' || code === 'D1012' || code === OUTPUT_LIMIT_CODE;
}

export function compiledExpression(setup: CompiledExpressionSetup): CompiledExpressionInfo {
  const { source, program, limits } = setup;
  const table = functionTable(setup.functions);
  let reference: CompiledExpression | undefined;
  const toFlowError = (err: unknown) => {
    if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' && !(err instanceof Error)) {
      populateMessage(err as Record<string, unknown>);
    }
    return evaluationError(err, source, limits);
  };
  const fail = (thrown: unknown, input: unknown, bindings: Bindings | undefined): unknown => {
    const err = thrown instanceof TailArgError ? thrown.inner : thrown;
    if (setup.concurrent && !isLimitError(err)) {
      reference ??= setup.reference();
      return reference.evaluate(input, bindings);
    }
    throw toFlowError(err);
  };
  // Once an evaluation needed to wait for a function, later ones start asynchronously.
  let preferAsync = false;
  // One state object is reused by consecutive synchronous evaluations (taken while in use).
  let spare: EvalState | undefined;
  const fixed = setup.usesState === false ? createState(limits.maxDepth, limits.timeoutMs, false, limits.maxOutput) : undefined;
  const evaluateAsync = (input: unknown, bindings: Bindings | undefined, st?: EvalState, pending?: AsyncNeeded['pending']) =>
    runAsync(source, input, bindings, table, limits, pending, st?.start).catch((err) => fail(err, input, bindings));
  return {
    source,
    engine: 'compiled',
    evaluate(input: unknown, bindings?: Bindings): unknown {
      if (fixed) {
        // Nothing in the program calls out or counts: it cannot re-enter, wait or run out of time.
        try {
          return program(input, bindings, table.sync, fixed);
        } catch (err) {
          return fail(err, input, bindings);
        }
      }
      if (preferAsync) return evaluateAsync(input, bindings);
      let st = spare;
      spare = undefined;
      if (st) resetState(st);
      else {
        st = createState(limits.maxDepth, limits.timeoutMs, false, limits.maxOutput);
        installEval(st, table);
      }
      try {
        const result = program(input, bindings, table.sync, st);
        spare = st;
        return result;
      } catch (err) {
        spare = st;
        if (err instanceof AsyncNeeded) {
          preferAsync = true;
          return evaluateAsync(input, bindings, st, err.pending);
        }
        return fail(err, input, bindings);
      }
    },
  };
}
