/** Sign-in with a session cookie, sign-out, who am I, and personal API tokens. */
import { deleteCookie, setCookie } from 'hono/cookie';
import { ANY_ROLE } from '../../auth/roles.ts';
import { createSignIn } from '../../app/sign-in.ts';
import { createApiToken, revokeApiToken } from '../../app/users.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { clientAddress } from '../client-address.ts';
import { currentUser, SESSION_COOKIE } from '../middleware/auth.ts';
import { ApiProblem } from '../problem.ts';

function isHttps(c: { req: { url: string; header(name: string): string | undefined } }): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function registerAuthRoutes(app: Api, ctx: ApiContext): void {
  const { users } = ctx.repos;
  const signIn = createSignIn(ctx, { ...ctx.deps.loginThrottle, sessionTtlMs: ctx.deps.sessionTtlMs });

  defineRoute(app, {
    ...api['POST /api/auth/login'], tags: ['Auth'], summary: 'Sign in (sets the lf_session cookie)', roles: 'public',
  }, async (c) => {
    // Login CSRF: a browser says where a request comes from; another site may not sign a visitor in. Scripts send no such header.
    const site = c.req.header('sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') throw new ApiProblem(403, 'Sign in from Ledgerflow\'s own pages.');
    const { username, password } = c.req.valid('json');
    const { token, expires, user } = await signIn.signIn({ username, password, address: clientAddress(c) });
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', path: '/', secure: isHttps(c), expires, maxAge: Math.floor(signIn.ttlMs / 1000) });
    return c.json({ user }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/auth/logout'], tags: ['Auth'], summary: 'Sign out (ends the session)', roles: 'public',
  }, async (c) => {
    const hash = c.get('sessionHash');
    if (hash) await users.deleteSession(hash);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  defineRoute(app, {
    ...api['GET /api/auth/me'], tags: ['Auth'], summary: 'The signed-in user', roles: ANY_ROLE,
  }, (c) => {
    const { via: _via, ...user } = currentUser(c);
    return c.json({ user }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/tokens'], tags: ['Auth'], summary: 'Create an API token (shown once)', roles: ANY_ROLE,
  }, async (c) => {
    return c.json(await createApiToken(ctx, currentUser(c), c.req.valid('json').name), 201);
  });

  defineRoute(app, {
    ...api['GET /api/tokens'], tags: ['Auth'], summary: 'My API tokens (without their values)', roles: ANY_ROLE,
  }, async (c) => {
    const user = currentUser(c);
    const items = (await users.listTokens(user.id)).map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt }));
    return c.json({ items }, 200);
  });

  defineRoute(app, {
    ...api['DELETE /api/tokens/{id}'], tags: ['Auth'], summary: 'Revoke an API token (yours; admins: anyone\'s)', roles: ANY_ROLE,
  }, async (c) => {
    await revokeApiToken(ctx, currentUser(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
}
