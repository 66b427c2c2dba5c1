/** Users (admin only). Password hashes never leave the server; the audit log notes a change without it. */
import { createUser, publicUser, updateUser } from '../../app/users.ts';
import { ADMINS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';

export function registerUserRoutes(app: Api, ctx: ApiContext): void {
  const { users } = ctx.repos;

  defineRoute(app, {
    ...api['GET /api/users'], tags: ['Users'], summary: 'List users', roles: ADMINS,
  }, async (c) => c.json({ items: (await users.listUsers()).map(publicUser) }, 200));

  defineRoute(app, {
    ...api['POST /api/users'], tags: ['Users'], summary: 'Create a user', roles: ADMINS,
  }, async (c) => {
    const user = await createUser(ctx, currentUser(c).username, c.req.valid('json'));
    return c.json(publicUser(user), 201);
  });

  defineRoute(app, {
    ...api['PATCH /api/users/{id}'], tags: ['Users'], summary: 'Change a user\'s role, disable or enable, or set a new password', roles: ADMINS,
  }, async (c) => {
    const after = await updateUser(ctx, currentUser(c).username, c.req.valid('param').id, c.req.valid('json'));
    return c.json(publicUser(after), 200);
  });
}
