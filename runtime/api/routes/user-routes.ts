/** Users (admin only). Password hashes never leave the server; the audit log notes a change without it. */
import { z } from '@hono/zod-openapi';
import { createUser, publicUser, updateUser } from '../../app/users.ts';
import { ADMINS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute, jsonBody, jsonResponse, pathParams } from '../define-route.ts';
import { currentUser } from '../middleware/auth.ts';
import { ItemsOf, RoleSchema, UserSchema } from '../schemas.ts';

export function registerUserRoutes(app: Api, ctx: ApiContext): void {
  const { users } = ctx.repos;

  defineRoute(app, {
    method: 'get', path: '/api/users', tags: ['Users'], summary: 'List users', roles: ADMINS,
    responses: { 200: jsonResponse(ItemsOf(UserSchema), 'Users') },
  }, async (c) => c.json({ items: (await users.listUsers()).map(publicUser) }, 200));

  defineRoute(app, {
    method: 'post', path: '/api/users', tags: ['Users'], summary: 'Create a user', roles: ADMINS,
    request: { body: jsonBody(z.object({ username: z.string().min(1).max(63), password: z.string().max(1024), role: RoleSchema, displayName: z.string().max(200).optional() })) },
    responses: { 201: jsonResponse(UserSchema, 'Created'), 409: { description: 'Username taken' }, 422: { description: 'Weak password or bad username' } },
  }, async (c) => {
    const user = await createUser(ctx, currentUser(c).username, c.req.valid('json'));
    return c.json(publicUser(user), 201);
  });

  defineRoute(app, {
    method: 'patch', path: '/api/users/{id}', tags: ['Users'], summary: 'Change a user\'s role, disable or enable, or set a new password', roles: ADMINS,
    request: { params: pathParams('id'), body: jsonBody(z.object({ role: RoleSchema.optional(), disabled: z.boolean().optional(), password: z.string().max(1024).optional(), displayName: z.string().max(200).optional() })) },
    responses: { 200: jsonResponse(UserSchema, 'Updated'), 404: { description: 'No such user' }, 409: { description: 'Would leave no active admin' } },
  }, async (c) => {
    const after = await updateUser(ctx, currentUser(c).username, c.req.valid('param').id, c.req.valid('json'));
    return c.json(publicUser(after), 200);
  });
}
