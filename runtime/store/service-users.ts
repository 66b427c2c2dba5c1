/** Users, browser sessions and API tokens (tables of 0002_service.sql). */
import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../../nodes/define-node.ts';
import type { Role } from '../auth/roles.ts';
import { isoOf, isoOrNull } from './row-values.ts';

type Row = Record<string, unknown>;

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ApiTokenRow {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toUser = (r: Row): UserRow => ({
  id: r.id as string, username: r.username as string, displayName: r.display_name as string, role: r.role as Role,
  disabled: Boolean(r.disabled), createdAt: isoOf(r.created_at), updatedAt: isoOf(r.updated_at),
});

const toToken = (r: Row): ApiTokenRow => ({
  id: r.id as string, userId: r.user_id as string, name: r.name as string, createdAt: isoOf(r.created_at),
  lastUsedAt: isoOrNull(r.last_used_at), revokedAt: isoOrNull(r.revoked_at),
});

export const newUserId = () => `usr_${randomBytes(9).toString('base64url')}`;
export const newTokenId = () => `tok_${randomBytes(9).toString('base64url')}`;

export function usersRepo(sql: SqlClient) {
  return {
    async countUsers(): Promise<number> {
      const { rows } = await sql.query<{ n: unknown }>('select count(*) as n from users');
      return Number(rows[0].n);
    },

    /** Throws a unique violation (code 23505) when the username is taken. */
    async createUser(u: { username: string; displayName: string; role: Role; passwordHash: string }, tx: SqlClient = sql): Promise<UserRow> {
      const { rows } = await tx.query(
        `insert into users (id, username, display_name, role, password_hash) values ($1, $2, $3, $4, $5) returning *`,
        [newUserId(), u.username, u.displayName, u.role, u.passwordHash],
      );
      return toUser(rows[0]);
    },

    async getUser(id: string): Promise<UserRow | null> {
      const { rows } = await sql.query('select * from users where id = $1', [id]);
      return rows.length ? toUser(rows[0]) : null;
    },

    async findByUsername(username: string): Promise<(UserRow & { passwordHash: string }) | null> {
      const { rows } = await sql.query('select * from users where username = $1', [username]);
      return rows.length ? { ...toUser(rows[0]), passwordHash: rows[0].password_hash as string } : null;
    },

    async listUsers(): Promise<UserRow[]> {
      const { rows } = await sql.query('select * from users order by username');
      return rows.map(toUser);
    },

    async updateUser(id: string, patch: { role?: Role; disabled?: boolean; passwordHash?: string; displayName?: string }, tx: SqlClient = sql): Promise<UserRow | null> {
      const { rows } = await tx.query(
        `update users set role = coalesce($2, role), disabled = coalesce($3, disabled),
           password_hash = coalesce($4, password_hash), display_name = coalesce($5, display_name), updated_at = now()
         where id = $1 returning *`,
        [id, patch.role ?? null, patch.disabled ?? null, patch.passwordHash ?? null, patch.displayName ?? null],
      );
      return rows.length ? toUser(rows[0]) : null;
    },

    async countActiveAdmins(tx: SqlClient = sql): Promise<number> {
      const { rows } = await tx.query<{ n: unknown }>(`select count(*) as n from users where role = 'admin' and not disabled`);
      return Number(rows[0].n);
    },

    // sessions -------------------------------------------------------------

    async createSession(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
      await sql.query('insert into sessions (token_hash, user_id, expires_at) values ($1, $2, $3)', [tokenHash, userId, expiresAt.toISOString()]);
    },

    /** The live session's user (not expired, user not disabled). */
    async sessionUser(tokenHash: string, now: Date): Promise<UserRow | null> {
      const { rows } = await sql.query(
        `select u.* from sessions s join users u on u.id = s.user_id
         where s.token_hash = $1 and s.expires_at > $2 and not u.disabled`,
        [tokenHash, now.toISOString()],
      );
      return rows.length ? toUser(rows[0]) : null;
    },

    async deleteSession(tokenHash: string): Promise<void> {
      await sql.query('delete from sessions where token_hash = $1', [tokenHash]);
    },

    async deleteSessionsOf(userId: string, tx: SqlClient = sql): Promise<void> {
      await tx.query('delete from sessions where user_id = $1', [userId]);
    },

    async deleteExpiredSessions(now: Date): Promise<number> {
      const { rowCount } = await sql.query('delete from sessions where expires_at <= $1', [now.toISOString()]);
      return rowCount ?? 0;
    },

    // API tokens -----------------------------------------------------------

    async createToken(userId: string, name: string, tokenHash: string): Promise<ApiTokenRow> {
      const { rows } = await sql.query(
        'insert into api_tokens (id, user_id, name, token_hash) values ($1, $2, $3, $4) returning *',
        [newTokenId(), userId, name, tokenHash],
      );
      return toToken(rows[0]);
    },

    async tokenUser(tokenHash: string, now: Date): Promise<UserRow | null> {
      const { rows } = await sql.query(
        `update api_tokens t set last_used_at = $2 from users u
         where t.token_hash = $1 and t.revoked_at is null and u.id = t.user_id and not u.disabled
         returning u.*`,
        [tokenHash, now.toISOString()],
      );
      return rows.length ? toUser(rows[0]) : null;
    },

    async listTokens(userId: string): Promise<ApiTokenRow[]> {
      const { rows } = await sql.query('select * from api_tokens where user_id = $1 and revoked_at is null order by created_at', [userId]);
      return rows.map(toToken);
    },

    async getToken(id: string): Promise<ApiTokenRow | null> {
      const { rows } = await sql.query('select * from api_tokens where id = $1', [id]);
      return rows.length ? toToken(rows[0]) : null;
    },

    async revokeToken(id: string): Promise<ApiTokenRow | null> {
      const { rows } = await sql.query('update api_tokens set revoked_at = now() where id = $1 and revoked_at is null returning *', [id]);
      return rows.length ? toToken(rows[0]) : null;
    },
  };
}

export type UsersRepo = ReturnType<typeof usersRepo>;
