/**
 * Asynchronous evaluation, for expressions whose functions return promises
 * (e.g. a reference-data look-up over the network). Runs the awaiting variant
 * of the compiled program; the call that returned the first promise during the
 * synchronous attempt is not repeated, its promise is awaited instead.
 */
import type { Bindings, EvaluationLimits } from '../evaluator.ts';
import { cachedCompileAsync } from './cache.ts';
import type { FunctionTable } from './function-table.ts';
import { createState, type PendingCall } from './runtime/state.ts';
import { installEval } from './eval.ts';

export async function runAsync(
  source: string,
  input: unknown,
  bindings: Bindings | undefined,
  table: FunctionTable,
  limits: EvaluationLimits,
  pending: PendingCall | undefined,
  startedAt?: number,
): Promise<unknown> {
  const outcome = cachedCompileAsync(source);
  if (!outcome.ok) throw new Error(`internal: asynchronous variant of a compiled expression did not compile (${outcome.reason})`);
  const st = createState(limits.maxDepth, limits.timeoutMs, true, limits.maxOutput);
  installEval(st, table);
  // The synchronous attempt's start counts: same timestamp for $now(), same time limit.
  if (startedAt !== undefined) st.start = st.timestamp = startedAt;
  st.pending = pending;
  return await outcome.program(input, bindings, table.async, st);
}
