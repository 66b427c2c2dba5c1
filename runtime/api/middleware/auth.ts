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

/**
 * Browser requests that change something must come from our own origin: a
 * cookie-authenticated POST from another site (Origin header differs) is
 * refused even though SameSite=Lax already keeps most of them out.
 */
export function sameOriginForCookies(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method);
    const user = c.get('user');
    if (unsafe && user?.via === 'session') {
      const origin = c.req.header('origin');
      if (origin && origin !== 'null') {
        let originHost: string | null = null;
        try { originHost = new URL(origin).host; } catch { originHost = null; }
        const host = c.req.header('host') ?? new URL(c.req.url).host;
        if (originHost !== host) throw new ApiProblem(403, `Requests from ${origin} may not use this session.`);
      }
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
