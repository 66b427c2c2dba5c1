/**
 * Login throttling: after 5 failed sign-ins in 15 minutes for one username,
 * or from one address, further attempts answer 429 with `Retry-After` until
 * the oldest of those failures is 15 minutes old; a successful sign-in
 * resets the count. The state is the audit log itself (entity `login`,
 * one entry per failure, success and lock), so it holds across processes
 * sharing a database and survives restarts.
 */
import type { Context } from 'hono';
import type { AuditRepo } from '../store/service-audit.ts';
import { ApiProblem } from './problem.ts';

export interface LoginThrottleOptions {
  /** Failures allowed in the window before sign-in is refused; default 5. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
}

const isLoopback = (a: string) => a === '::1' || a.startsWith('127.') || a === '::ffff:127.0.0.1';

/**
 * The caller's address: the socket's peer; behind a proxy on the same
 * machine (peer is loopback), the address that proxy appended to
 * `X-Forwarded-For`. A remote client cannot choose its key by sending the header.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const peer = env?.incoming?.socket?.remoteAddress;
  const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  if (!peer) return forwarded ?? 'local';
  return isLoopback(peer) && forwarded ? forwarded : peer;
}

interface Attempt { username: string; address: string }

/** Checks, records and resets sign-in failures for a username and an address. */
export function createLoginThrottle(audit: AuditRepo, now: () => Date, options: LoginThrottleOptions = {}) {
  const max = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 15 * 60 * 1000;
  const keys = (a: Attempt) => [`user:${a.username.toLowerCase()}`, `address:${a.address}`];

  /** Milliseconds until `key` may try again; 0 when it may now. */
  async function waitFor(key: string): Promise<number> {
    const { items } = await audit.list({ entity: 'login', entityId: key }, { limit: max + 1 });
    const since = now().getTime() - windowMs;
    const failures: number[] = [];
    for (const entry of items) {
      if (entry.action === 'login.succeeded') break;
      const at = Date.parse(String((entry.after as { at?: string } | null)?.at ?? entry.at));
      if (entry.action === 'login.failed' && at > since) failures.push(at);
    }
    if (failures.length < max) return 0;
    return failures[max - 1] + windowMs - now().getTime();
  }

  async function record(a: Attempt, action: 'login.failed' | 'login.succeeded') {
    const at = now().toISOString();
    await audit.append(keys(a).map((entityId) => ({ actor: a.username, action, entity: 'login' as const, entityId, after: { at, address: a.address } })));
  }

  return {
    /** Throws 429 (with the seconds to wait) when the username or the address is locked out. */
    async check(a: Attempt): Promise<void> {
      const wait = Math.max(...(await Promise.all(keys(a).map(waitFor))));
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        throw new ApiProblem(429, `Too many failed sign-ins for this account or from this address; try again in ${Math.ceil(seconds / 60)} minute(s).`, { extra: { retryAfterSeconds: seconds } });
      }
    },
    /** A failed sign-in; the one that reaches the limit also leaves a `login.locked` entry. */
    async failed(a: Attempt): Promise<void> {
      await record(a, 'login.failed');
      for (const key of keys(a)) {
        if ((await waitFor(key)) > 0) await audit.append({ actor: a.username, action: 'login.locked', entity: 'login', entityId: key, after: { at: now().toISOString(), address: a.address, minutes: windowMs / 60000 } });
      }
    },
    /** A successful sign-in: both counts start again. */
    succeeded: (a: Attempt) => record(a, 'login.succeeded'),
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
