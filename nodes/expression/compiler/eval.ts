/**
 * `$eval(expr, focus)`: the text is compiled like any expression (and cached)
 * and run inside the current evaluation, seeing the caller's variables, the
 * same input root, limits and depth. Errors are wrapped as the reference does:
 * D3120 for a syntax error, D3121 for an evaluation error.
 */
import { cachedCompile, cachedCompileAsync } from './cache.ts';
import { populateMessage } from './error-messages.ts';
import type { FunctionTable } from './function-table.ts';
import { AsyncNeeded, type EvalState, type Focus } from './runtime/state.ts';
import { isSeq, outerWrapper } from './runtime/values.ts';
import { TailArgError } from './runtime/apply.ts';

function wrap(code: string, thrown: any): unknown {
  const err = thrown instanceof TailArgError ? thrown.inner : thrown;
  if (err && typeof err === 'object' && typeof err.code === 'string' && !(err instanceof Error)) populateMessage(err);
  return { code, value: err?.message, error: err };
}

/** Lets `$eval` run in evaluations with this state. */
export function installEval(st: EvalState, table: FunctionTable): void {
  st.evalHook = (focus: Focus, expr: unknown, focusArg: unknown) => {
    if (expr === undefined) return undefined;
    let input = focus.input;
    if (focusArg !== undefined) input = Array.isArray(focusArg) && !isSeq(focusArg) ? outerWrapper(focusArg) : focusArg;
    const scope = st.evalScope ?? st.bindings;
    st.evalScope = undefined;
    let outcome;
    try {
      outcome = st.async ? cachedCompileAsync(String(expr)) : cachedCompile(String(expr));
    } catch (err) {
      throw wrap('D3120', err);
    }
    if (!outcome.ok) throw { code: 'D3121', value: `not supported by the compiler: ${outcome.reason}` };
    const program = outcome.program;
    const run = () => program(input, scope, st.async ? table.async : table.sync, st, { root: st.root });
    if (st.async) {
      return (async () => {
        try {
          return await run();
        } catch (err) {
          throw wrap('D3121', err);
        }
      })();
    }
    try {
      return run();
    } catch (err) {
      if (err instanceof AsyncNeeded) throw err;
      throw wrap('D3121', err);
    }
  };
}
