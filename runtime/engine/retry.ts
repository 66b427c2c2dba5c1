import type { RetryPolicy } from '../../nodes/flow-document.ts';

/** Targets retry transient errors three times unless the node says otherwise. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 500, maxBackoffMs: 30_000 };

export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Delay before attempt `attempt + 1`: exponential back-off with full jitter
 * (so many workers retrying at once do not hammer a recovering target in
 * step), or exactly what the target asked for with Retry-After.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  // The target's own Retry-After wins over our back-off (capped, so a bad header cannot park a run for hours).
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(policy.backoffMs * 2 ** (attempt - 1), policy.maxBackoffMs ?? 30_000);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
