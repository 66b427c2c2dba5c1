/**
 * One outgoing request's abort signal: aborted when the run stops (with the
 * run's reason) or when the request takes longer than its timeout (with a
 * `TimeoutError`, as `AbortSignal.timeout` gives). `clear()` when the request
 * is over drops its timer and its place among the run's requests at once; `AbortSignal.timeout` +
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

/**
 * Per run signal, its requests in flight, under one listener of its own: a Set entry a request costs
 * less than an EventTarget listener added and removed.
 */
const inFlight = new WeakMap<AbortSignal, Set<Limit>>();

function requestsOf(run: AbortSignal): Set<Limit> {
  let limits = inFlight.get(run);
  if (!limits) {
    const all = new Set<Limit>();
    inFlight.set(run, (limits = all));
    run.addEventListener('abort', () => {
      for (const limit of [...all]) limit.controller.abort(run.reason);
      all.clear();
    }, { once: true });
  }
  return limits;
}

function onTimeout(limit: Limit): void {
  limit.timedOutFlag = true;
  limit.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
}

// A class, not closures: nothing is made per request but the object, its controller and its timer.
class Limit implements RequestSignal {
  readonly controller = new AbortController();
  timedOutFlag = false;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly limits: Set<Limit> | undefined;
  constructor(run: AbortSignal, timeoutMs: number) {
    this.timer = setTimeout(onTimeout, timeoutMs, this);
    if (run.aborted) this.controller.abort(run.reason);
    else (this.limits = requestsOf(run)).add(this);
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  timedOut(): boolean {
    return this.timedOutFlag;
  }
  clear(): void {
    clearTimeout(this.timer);
    this.limits?.delete(this);
  }
}

export function requestSignal(run: AbortSignal, timeoutMs: number): RequestSignal {
  return new Limit(run, timeoutMs);
}
