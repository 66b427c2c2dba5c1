/**
 * Riding out a database that goes away (a restart, a failover, connections
 * cut): a job that failed because the connection was lost waits, probing with
 * backoff, until the database answers again, and only then reports the
 * failure, so pg-boss retries the job once per outage instead of spending its
 * retries (and the run) while the database is down.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P01-03 shutdown/starting, 53300 too many connections. */
const CONNECTION_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGE = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)/i;

/** True when `err` says the database connection was lost or refused, not that a statement was wrong. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && (CONNECTION_ERRNO.has(e.code) || (e.code.length === 5 && CONNECTION_SQLSTATE.test(e.code)))) return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGE.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isConnectionError(e.cause);
}

export interface WaitOptions {
  /** Stops waiting (the worker is stopping). */
  signal?: AbortSignal;
  /** First pause between probes (default 250 ms); doubles up to `maxDelayMs` (default 5 s). */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** Resolves once the database answers again (or the signal aborts); probes with exponential backoff. */
export async function waitForDatabase(db: { ping(): Promise<void> }, options: WaitOptions = {}): Promise<void> {
  let delay = options.firstDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5000;
  for (;;) {
    if (options.signal?.aborted) return;
    try {
      await db.ping();
      return;
    } catch {
      await sleep(delay, undefined, { signal: options.signal }).catch(() => {});
      delay = Math.min(max, delay * 2);
    }
  }
}
