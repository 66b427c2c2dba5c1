/**
 * Per-evaluation state of compiled code: the evaluation limits (checked the
 * way the reference's guardrails count them), the timestamp behind `$now()`,
 * and the switch to asynchronous evaluation.
 */
import { createBudget, type OutputBudget } from '../../output-limit.ts';
import { jerr } from './values.ts';

export interface EvalState {
  /** Depth of the call node that is about to invoke a lambda (jsonata's evaluate() nesting). */
  d: number;
  maxDepth: number;
  timeoutMs: number;
  /** Date.now() at the start of the evaluation. */
  start: number;
  /** What built-in functions may still build in this evaluation (output-limit.ts). */
  budget: OutputBudget;
  /** Countdown to the next clock check. */
  ticks: number;
  /** Captured once per evaluation, as jsonata does for $now() and $millis(). */
  timestamp: number;
  /** The call context handed to native functions as `this`. */
  focus: Focus;
  /** Evaluating with `await` on every call (a function returned a promise). */
  async: boolean;
  /** Set when a synchronous evaluation met a promise; the async rerun reuses it. */
  pending?: PendingCall;
  /** Runs `$eval(expr, focus)` (set by the evaluator, which knows the function table). */
  evalHook?: (focus: Focus, expr: unknown, input: unknown) => unknown;
  /** The variables visible at a `$eval` call, set just before it. */
  evalScope?: Record<string, unknown>;
  /** The input of the outermost evaluation (`$$` inside `$eval`). */
  root?: unknown;
  /** The bindings of the outermost evaluation. */
  bindings?: Record<string, unknown>;
}

export interface PendingCall {
  proc: unknown;
  args: unknown[];
  promise: Promise<unknown>;
}

export interface Focus {
  input: unknown;
  st: EvalState;
  environment: unknown;
  createSequence: (...args: unknown[]) => unknown[];
}

const TICKS = 256;

export function createState(maxDepth: number, timeoutMs: number, asyncMode: boolean, maxOutput = 0): EvalState {
  const now = Date.now();
  const st = {
    d: 0,
    // as jsonata's guardrails: a limit of 0 (or less) is no limit
    maxDepth: maxDepth > 0 ? maxDepth : Infinity,
    timeoutMs,
    start: now,
    budget: createBudget(maxOutput),
    ticks: TICKS,
    timestamp: now,
    async: asyncMode,
  } as EvalState;
  st.focus = {
    input: undefined,
    st,
    // datetime functions read the evaluation's timestamp from here
    get environment() {
      return { timestamp: new Date(st.timestamp) };
    },
    createSequence(...args: unknown[]) {
      const s = args.length === 1 ? [args[0]] : [];
      (s as { sequence?: boolean }).sequence = true;
      return s;
    },
  };
  return st;
}

/** Prepares a used state for the next evaluation. */
export function resetState(st: EvalState): void {
  st.d = 0;
  st.start = st.timestamp = Date.now();
  st.ticks = TICKS;
  st.budget.left = st.budget.limit;
  st.pending = undefined;
  st.evalScope = undefined;
}

/** Checks the clock every few hundred steps (D1012, reported as the time limit). */
export function tick(st: EvalState): void {
  st.ticks = TICKS;
  if (st.timeoutMs > 0 && Date.now() - st.start > st.timeoutMs) throw jerr('D1012', { value: st.timeoutMs });
}

/** The evaluation went deeper than the limit (D1011, reported as the depth limit). */
export function depthExceeded(st: EvalState): never {
  throw jerr('D1011', { value: st.maxDepth });
}

/** Thrown inside a synchronous evaluation that met a promise; the caller reruns asynchronously. */
export class AsyncNeeded {
  constructor(readonly pending: PendingCall) {}
}
