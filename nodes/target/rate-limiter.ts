/**
 * Request spacing for targets with API quotas. A token bucket holding one
 * token, refilled at the allowed rate: requests leave evenly spaced
 * (1/rate seconds apart), never in bursts, so a quota of N per second holds
 * over any one-second window. Browser-safe (setTimeout only).
 *
 * This in-memory limiter serves one resolver (a CLI run, a test); the runtime
 * passes a limiter kept in the database (runtime/store/rate-limit-slots.ts) so
 * that every run and every worker process share a connection's quota.
 */

export interface RateLimiter {
  /**
   * Waits for the next free slot of `key` at `perSecond` requests a second.
   * Returns at once when `perSecond` is 0 or absent. Rejects with the signal's
   * reason when aborted while waiting.
   */
  acquire(key: string, perSecond: number | undefined, signal?: AbortSignal): Promise<void>;
}

/** A limiter with its own buckets; `now` is injectable for tests. */
export function createRateLimiter(now: () => number = () => Date.now()): RateLimiter {
  const nextFreeAt = new Map<string, number>();
  return {
    acquire(key, perSecond, signal) {
      if (!perSecond || perSecond <= 0 || !Number.isFinite(perSecond)) return Promise.resolve();
      if (signal?.aborted) return Promise.reject(signal.reason);
      const t = now();
      // Reserve the slot synchronously, so concurrent callers queue up behind each other.
      const slot = Math.max(t, nextFreeAt.get(key) ?? t);
      nextFreeAt.set(key, slot + 1000 / perSecond);
      return waitMs(slot - t, signal);
    },
  };
}

/** Resolves after `ms` (at once when ≤ 0); rejects with the signal's reason when aborted first. */
export function waitMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
