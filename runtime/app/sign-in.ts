/**
 * Signing in, for the API's `POST /api/auth/login` (the one way in with a
 * password): the password checked, a session made, and login throttling —
 * after 5 failed sign-ins in 15 minutes for one username,
 * or from one address, further attempts answer 429 with `Retry-After` until
 * the oldest of those failures is 15 minutes old; a successful sign-in
 * resets the count. The state is the audit log itself (entity `login`,
 * one entry per failure, success and lock), so it holds across processes
 * sharing a database and survives restarts.
 */
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import type { Role } from '../auth/roles.ts';
import type { AuditRepo } from '../store/service-audit.ts';
import type { AppContext } from './app-context.ts';
import { AppProblem } from './problem.ts';

export interface LoginThrottleOptions {
  /** Failures allowed in the window before sign-in is refused; default 5. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
}

/** Who tries to sign in, and from which address (the API finds it: runtime/api/client-address.ts). */
interface Attempt { username: string; address: string }

/** Checks, records and resets sign-in failures for a username and an address. */
function createLoginThrottle(audit: AuditRepo, now: () => Date, options: LoginThrottleOptions = {}) {
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
        throw new AppProblem(429, `Too many failed sign-ins for this account or from this address; try again in ${Math.ceil(seconds / 60)} minute(s).`, { extra: { retryAfterSeconds: seconds } });
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

export interface SignInOptions extends LoginThrottleOptions {
  /** Session lifetime, ms; default 12 hours. */
  sessionTtlMs?: number;
}

export interface SignedIn {
  /** The session token (the cookie's value); only its hash is stored. */
  token: string;
  expires: Date;
  user: { id: string; username: string; role: Role; displayName: string };
}

const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Sign-in with a username and password: 429 while the username or the address
 * is locked out, 401 for a wrong username or password or a disabled account
 * (the failure recorded), else a new session (the success recorded).
 */
export function createSignIn(ctx: Pick<AppContext, 'repos'> & { now: () => Date }, options: SignInOptions = {}) {
  const { users, audit } = ctx.repos;
  const throttle = createLoginThrottle(audit, ctx.now, options);
  const ttlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  // Verifying against this keeps a wrong username as slow as a wrong password.
  let dummyHash: Promise<string> | undefined;
  return {
    ttlMs,
    async signIn(attempt: Attempt & { password: string }): Promise<SignedIn> {
      const who = { username: attempt.username, address: attempt.address };
      await throttle.check(who);
      const found = await users.findByUsername(attempt.username);
      const ok = found ? await verifyPassword(attempt.password, found.passwordHash) : await verifyPassword(attempt.password, await (dummyHash ??= hashPassword('not a password')));
      if (!found || !ok || found.disabled) {
        await throttle.failed(who);
        throw new AppProblem(401, 'Wrong username or password, or the account is disabled.');
      }
      await throttle.succeeded(who);
      const token = newToken('lfs');
      const expires = new Date(ctx.now().getTime() + ttlMs);
      await users.createSession(hashToken(token), found.id, expires);
      return { token, expires, user: { id: found.id, username: found.username, role: found.role, displayName: found.displayName } };
    },
  };
}
