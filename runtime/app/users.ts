/**
 * Users: create, and change (role, disabled, password, display name). The
 * API's user routes and `ledgerflow users` both come here, so the rules (a
 * strong password, never no active admin) and the audit entry hold for both.
 */
import { hashPassword, passwordProblem } from '../auth/passwords.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import type { Role } from '../auth/roles.ts';
import type { UserRow } from '../store/service-users.ts';
import type { AppContext } from './app-context.ts';
import { AppProblem, conflict, notFound } from './problem.ts';

/** A user as shown and audited: never the password hash. */
export const publicUser = (u: UserRow) => ({ id: u.id, username: u.username, role: u.role, displayName: u.displayName, disabled: u.disabled, createdAt: u.createdAt });

const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,62}$/;

/** A new user; 422 for a bad username or a weak password, 409 when the name is taken. */
export async function createUser(ctx: Pick<AppContext, 'repos'>, actor: string, req: { username: string; password: string; role: Role; displayName?: string }): Promise<UserRow> {
  const { users, audit } = ctx.repos;
  const problems = [
    ...(USERNAME.test(req.username) ? [] : [{ path: '/username', message: 'use letters, digits, . _ @ - (max 63), starting with a letter or digit' }]),
    ...(passwordProblem(req.password) ? [{ path: '/password', message: passwordProblem(req.password)! }] : []),
  ];
  if (problems.length) throw new AppProblem(422, problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '), { problems });
  if (await users.findByUsername(req.username)) throw conflict(`A user named '${req.username}' already exists.`);
  const passwordHash = await hashPassword(req.password);
  return ctx.repos.transaction(async (tx) => {
    const created = await users.createUser({ username: req.username, displayName: req.displayName ?? req.username, role: req.role, passwordHash }, tx);
    await audit.append({ actor, action: 'user.created', entity: 'user', entityId: created.id, after: publicUser(created) }, tx);
    return created;
  });
}

/**
 * Changes a user; disabling or a new password ends their sessions. 409 (and
 * nothing changed) when it would leave no active admin.
 */
export async function updateUser(ctx: Pick<AppContext, 'repos'>, actor: string, id: string, change: { role?: Role; disabled?: boolean; password?: string; displayName?: string }): Promise<UserRow> {
  const { users, audit } = ctx.repos;
  const before = await users.getUser(id);
  if (!before) throw notFound(`User ${id} does not exist.`);
  if (change.password !== undefined && passwordProblem(change.password)) throw new AppProblem(422, passwordProblem(change.password)!, { problems: [{ path: '/password', message: passwordProblem(change.password)! }] });
  const passwordHash = change.password !== undefined ? await hashPassword(change.password) : undefined;
  return ctx.repos.transaction(async (tx) => {
    const updated = (await users.updateUser(id, { role: change.role, disabled: change.disabled, passwordHash, displayName: change.displayName }, tx))!;
    // Checked after the change, inside the transaction: concurrent edits cannot both remove the last admin.
    if (before.role === 'admin' && !before.disabled && (updated.role !== 'admin' || updated.disabled) && (await users.countActiveAdmins(tx)) === 0) {
      throw conflict('This would leave no active admin; make another user admin first.');
    }
    if (updated.disabled || passwordHash) await users.deleteSessionsOf(id, tx);
    await audit.append({
      actor, action: change.disabled === true ? 'user.disabled' : 'user.updated', entity: 'user', entityId: id,
      before: publicUser(before), after: { ...publicUser(updated), ...(passwordHash ? { passwordChanged: true } : {}) },
    }, tx);
    return updated;
  });
}

/** A new API token of `user`, returned once (only its hash is stored); audited. */
export async function createApiToken(ctx: Pick<AppContext, 'repos'>, user: { id: string; username: string }, name: string): Promise<{ id: string; name: string; token: string }> {
  const token = newToken('lft');
  const row = await ctx.repos.users.createToken(user.id, name, hashToken(token));
  await ctx.repos.audit.append({ actor: user.username, action: 'token.created', entity: 'token', entityId: row.id, after: { name, user: user.username } });
  return { id: row.id, name: row.name, token };
}

/** Revokes an API token: the user's own, or anyone's for an admin (404 otherwise, as for no token); audited. */
export async function revokeApiToken(ctx: Pick<AppContext, 'repos'>, user: { id: string; username: string; role: Role }, id: string): Promise<void> {
  const token = await ctx.repos.users.getToken(id);
  if (!token || token.revokedAt || (token.userId !== user.id && user.role !== 'admin')) throw notFound(`API token ${id} does not exist.`);
  await ctx.repos.users.revokeToken(id);
  await ctx.repos.audit.append({ actor: user.username, action: 'token.revoked', entity: 'token', entityId: id, before: { name: token.name } });
}
