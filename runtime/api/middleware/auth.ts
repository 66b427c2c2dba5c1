/**
 * Who is calling: a session cookie (browser) or `Authorization: Bearer`
 * (scripts). Resolved once per request; routes then require roles.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { hashToken } from '../../auth/tokens.ts';
import { describeRoles, type AuthUser, type Role } from '../../auth/roles.ts';
import type { UsersRepo, UserRow } from '../../store/service-users.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiProblem } from '../problem.ts';

export const SESSION_COOKIE = 'lf_session';

const toAuthUser = (u: UserRow, via: AuthUser['via']): AuthUser => ({ id: u.id, username: u.username, role: u.role, displayName: u.displayName, via });

/** Sets `user` (or null) from the session cookie or bearer token. Bad credentials are not an error here: routes decide. */
export function authenticate(users: UsersRepo, now: () => Date): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('user', null);
    c.set('sessionHash', null);
    const header = c.req.header('authorization');
    const bearer = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (bearer) {
      const user = await users.tokenUser(hashToken(bearer), now());
      if (user) c.set('user', toAuthUser(user, 'token'));
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) {
        const hash = hashToken(cookie);
        const user = await users.sessionUser(hash, now());
        if (user) {
          c.set('user', toAuthUser(user, 'session'));
          c.set('sessionHash', hash);
        }
      }
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host the browser addressed: the proxy's `X-Forwarded-Host` when there is one, else `Host`. */
function requestHost(c: { req: { url: string; header(name: string): string | undefined } }): string {
  return c.req.header('x-forwarded-host')?.split(',')[0].trim() || c.req.header('host') || new URL(c.req.url).host;
}

/** Why a cookie-authenticated change is refused, or null when it comes from our own pages. */
export function crossOriginReason(c: { req: { url: string; header(name: string): string | undefined } }): string | null {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' ? null : `the browser says it comes from a ${site} page`;
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return 'it names no origin';
  let originHost: string | null = null;
  try { originHost = new URL(origin).host; } catch { originHost = null; }
  return originHost === requestHost(c) ? null : `it comes from ${origin}`;
}

/**
 * Browser requests that change something must come from our own pages:
 * a session-cookie POST/PUT/PATCH/DELETE needs `Sec-Fetch-Site: same-origin`
 * or an `Origin` of this host (absent or `null` is refused). Browsers send
 * both on a page's own fetch; scripts use bearer tokens, which no other
 * site can make a browser send, and signed webhooks carry no session.
 */
export function sameOriginForCookies(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && c.get('user')?.via === 'session') {
      const reason = crossOriginReason(c);
      if (reason) throw new ApiProblem(403, `This change was refused because ${reason}; changes signed in by cookie must come from Ledgerflow's own pages (scripts: use an API token).`);
    }
    await next();
  };
}

/** The signed-in user, or 401. */
export function currentUser(c: { get(key: 'user'): AuthUser | null }): AuthUser {
  const user = c.get('user');
  if (!user) throw new ApiProblem(401, 'Sign in first (POST /api/auth/login), or send an API token as Authorization: Bearer <token>.');
  return user;
}

/** 401 without a user, 403 (naming the role needed) with the wrong role. */
export function requireRoles(roles: readonly Role[] | 'public'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (roles !== 'public') {
      const user = currentUser(c);
      if (!roles.includes(user.role)) {
        throw new ApiProblem(403, `This needs the ${describeRoles(roles)} role; you are signed in as ${user.role}.`, { requiredRole: roles.length === 1 ? roles[0] : [...roles] });
      }
    }
    await next();
  };
}
