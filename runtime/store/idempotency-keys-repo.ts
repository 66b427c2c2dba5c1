/**
 * Stored answers of API requests sent with an Idempotency-Key, per user. A
 * key is claimed before the request runs (so a concurrent retry waits instead
 * of starting a second run), then completed with the answer, or released when
 * the request failed on the server's side and may be tried again.
 */
import type { SqlClient } from '../../nodes/define-node.ts';

/** A key already claimed: its request's fingerprint and, once answered, the answer. */
export interface StoredIdempotentRequest {
  fingerprint: string;
  status: number | null;
  response: string | null;
  contentType: string | null;
}

/** How long a key is remembered. */
const KEEP_HOURS = 24;

export function idempotencyKeysRepo(sql: SqlClient) {
  return {
    /** Claims `key` for `username`; returns null when claimed now, or what was stored for it before. */
    async claim(username: string, key: string, fingerprint: string): Promise<StoredIdempotentRequest | null> {
      await sql.query(`delete from idempotency_keys where created_at < now() - interval '${KEEP_HOURS} hours'`);
      const { rows } = await sql.query(
        'insert into idempotency_keys (username, key, fingerprint) values ($1, $2, $3) on conflict do nothing returning key',
        [username, key, fingerprint],
      );
      if (rows.length) return null;
      const found = await sql.query<{ fingerprint: string; status: number | null; response: string | null; content_type: string | null }>(
        'select fingerprint, status, response, content_type from idempotency_keys where username = $1 and key = $2', [username, key]);
      const r = found.rows[0];
      // Expired and deleted between the two statements: claim it afresh.
      if (!r) return this.claim(username, key, fingerprint);
      return { fingerprint: r.fingerprint, status: r.status === null ? null : Number(r.status), response: r.response, contentType: r.content_type };
    },

    async complete(username: string, key: string, status: number, response: string, contentType: string | null): Promise<void> {
      await sql.query('update idempotency_keys set status = $3, response = $4, content_type = $5 where username = $1 and key = $2',
        [username, key, status, response, contentType]);
    },

    async release(username: string, key: string): Promise<void> {
      await sql.query('delete from idempotency_keys where username = $1 and key = $2 and status is null', [username, key]);
    },
  };
}
