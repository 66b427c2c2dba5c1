/**
 * One outgoing request's abort signal: aborted when the run stops (with the
 * run's reason) or when the request takes longer than its timeout (with a
 * `TimeoutError`, as `AbortSignal.timeout` gives). `clear()` when the request
 * is over drops its timer and its listener at once; `AbortSignal.timeout` +
 * `AbortSignal.any` would leave a timer and a weak link per request behind for
 * the whole timeout, which a run sending one request per record pays for in
 * memory and garbage collection.
 */
export interface RequestSignal {
  readonly signal: AbortSignal;
  /** True when the timeout, not the run, aborted it. */
  timedOut(): boolean;
  clear(): void;
}

export function requestSignal(run: AbortSignal, timeoutMs: number): RequestSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onRunAbort = () => controller.abort(run.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  if (run.aborted) onRunAbort();
  else run.addEventListener('abort', onRunAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear() {
      clearTimeout(timer);
      run.removeEventListener('abort', onRunAbort);
    },
  };
}
