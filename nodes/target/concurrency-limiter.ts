/**
 * How many requests a connection may have in flight at once (`maxConcurrent`).
 * The in-memory limiter serves one resolver (a CLI run, a test); the runtime
 * passes one kept in the database (runtime/store/connection-leases.ts) so that
 * every run and worker process share a connection's places. Browser-safe.
 */
import type { HttpConnection } from '../define-node.ts';

/** Gives a held place back; safe to call more than once. */
export type Release = () => Promise<void>;

export interface ConcurrencyLimiter {
  /**
   * Waits until `key` has fewer than `max` requests in flight and holds a place for the caller.
   * Returns a no-op release at once when `max` is 0 or absent; rejects with the signal's reason when aborted while waiting.
   */
  acquire(key: string, max: number | undefined, signal?: AbortSignal): Promise<Release>;
}

const NOTHING_HELD: Release = async () => {};

/** A limiter with its own counters (one process). */
export function createConcurrencyLimiter(): ConcurrencyLimiter {
  const inFlight = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();
  const wake = (key: string) => waiting.get(key)?.shift()?.();
  return {
    async acquire(key, max, signal) {
      if (!max || max <= 0 || !Number.isFinite(max)) return NOTHING_HELD;
      while ((inFlight.get(key) ?? 0) >= max) {
        if (signal?.aborted) throw signal.reason;
        await new Promise<void>((resolve, reject) => {
          const queue = waiting.get(key) ?? [];
          waiting.set(key, queue);
          const onAbort = () => {
            queue.splice(queue.indexOf(go), 1);
            reject(signal?.reason);
          };
          const go = () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          queue.push(go);
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      let held = true;
      return async () => {
        if (!held) return;
        held = false;
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
        wake(key);
      };
    },
  };
}

/**
 * A request's turn on `conn`: one of its in-flight places (`maxConcurrent`), then its next rate-limit slot
 * (`rateLimitPerSecond`), in that order so a request waiting for a place spends no rate slot. Call the
 * returned release when the answer has been read.
 */
export async function requestTurn(conn: HttpConnection, signal?: AbortSignal): Promise<Release> {
  const release = (await conn.holdInFlight?.(signal)) ?? NOTHING_HELD;
  try {
    await conn.waitForSlot?.(signal);
    return release;
  } catch (err) {
    await release();
    throw err;
  }
}
