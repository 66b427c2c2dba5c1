/** Users (admin only). Password hashes never leave the server; the audit log notes a change without it. */
import { hashPassword, passwordProblem } from '../../auth/passwords.ts';
import { ADMINS } from '../../auth/roles.ts';
import type { UserRow } from '../../store/service-users.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { ApiProblem, conflict, notFound } from '../problem.ts';

export const publicUser = (u: UserRow) => ({ id: u.id, username: u.username, role: u.role, displayName: u.displayName, disabled: u.disabled, createdAt: u.createdAt });

const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,62}$/;

export function registerUserRoutes(app: Api, ctx: ApiContext): void {
  const { users, audit } = ctx.repos;

  defineRoute(app, {
    ...api['GET /api/users'], tags: ['Users'], summary: 'List users', roles: ADMINS,
  }, async (c) => c.json({ items: (await users.listUsers()).map(publicUser) }, 200));

  defineRoute(app, {
    ...api['POST /api/users'], tags: ['Users'], summary: 'Create a user', roles: ADMINS,
  }, async (c) => {
    const actor = currentUser(c);
    const body = c.req.valid('json');
    const problems = [
      ...(USERNAME.test(body.username) ? [] : [{ path: '/username', message: 'use letters, digits, . _ @ - (max 63), starting with a letter or digit' }]),
      ...(passwordProblem(body.password) ? [{ path: '/password', message: passwordProblem(body.password)! }] : []),
    ];
    if (problems.length) throw new ApiProblem(422, problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '), { problems });
    if (await users.findByUsername(body.username)) throw conflict(`A user named '${body.username}' already exists.`);
    const passwordHash = await hashPassword(body.password);
    const user = await ctx.repos.sql.transaction(async (tx) => {
      const created = await users.createUser({ username: body.username, displayName: body.displayName ?? body.username, role: body.role, passwordHash }, tx);
      await audit.append({ actor: actor.username, action: 'user.created', entity: 'user', entityId: created.id, after: publicUser(created) }, tx);
      return created;
    });
    return c.json(publicUser(user), 201);
  });

  defineRoute(app, {
    ...api['PATCH /api/users/{id}'], tags: ['Users'], summary: 'Change a user\'s role, disable or enable, or set a new password', roles: ADMINS,
  }, async (c) => {
    const actor = currentUser(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const before = await users.getUser(id);
    if (!before) throw notFound(`User ${id} does not exist.`);
    if (body.password !== undefined && passwordProblem(body.password)) throw new ApiProblem(422, passwordProblem(body.password)!, { problems: [{ path: '/password', message: passwordProblem(body.password)! }] });
    const passwordHash = body.password !== undefined ? await hashPassword(body.password) : undefined;
    const after = await ctx.repos.sql.transaction(async (tx) => {
      const updated = (await users.updateUser(id, { role: body.role, disabled: body.disabled, passwordHash, displayName: body.displayName }, tx))!;
      // Checked after the change, inside the transaction: concurrent edits cannot both remove the last admin.
      if (before.role === 'admin' && !before.disabled && (updated.role !== 'admin' || updated.disabled) && (await users.countActiveAdmins(tx)) === 0) {
        throw conflict('This would leave no active admin; make another user admin first.');
      }
      if (updated.disabled || passwordHash) await users.deleteSessionsOf(id, tx);
      await audit.append({
        actor: actor.username, action: body.disabled === true ? 'user.disabled' : 'user.updated', entity: 'user', entityId: id,
        before: publicUser(before), after: { ...publicUser(updated), ...(passwordHash ? { passwordChanged: true } : {}) },
      }, tx);
      return updated;
    });
    return c.json(publicUser(after), 200);
  });
}
