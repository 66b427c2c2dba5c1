/**
 * A connection lost while a client is checked out of the pool (a database
 * restart, pg_terminate_backend) between two statements of a transaction:
 * the transaction fails with a connection error, the process lives on (an
 * 'error' event with no listener would crash it), and the next statement gets
 * a fresh connection. On the real Postgres (TEST_DATABASE_URL).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDb } from '../../../runtime/store/postgres-db.ts';
import { createPgSqlClient } from '../../../runtime/connectors/postgres.ts';
import { isConnectionError } from '../../../runtime/queue/database-outage.ts';
import type { Db } from '../../../runtime/store/db.ts';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('a connection lost while checked out', () => {
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
  });

  /** Terminates the backend of the transaction in hand, then waits for the client to notice while idle. */
  async function terminateOwnBackend(tx: { query(text: string): Promise<{ rows: Record<string, unknown>[] }> }): Promise<void> {
    const pid = Number((await tx.query('select pg_backend_pid() as pid')).rows[0].pid);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 300));
  }

  it('the store: the transaction fails as a connection error, the next query works', async () => {
    const db: Db = createPostgresDb({ connectionString: url!, max: 2 });
    try {
      const failed = await db.transaction(async (tx) => {
        await terminateOwnBackend(tx);
        return tx.query('select 1');
      }).then(() => null, (err: Error) => err);
      expect(failed).not.toBeNull();
      expect(isConnectionError(failed)).toBe(true);
      const session = await db.session(async (s) => {
        await terminateOwnBackend(s);
        return s.query('select 1');
      }).then(() => null, (err: Error) => err);
      expect(isConnectionError(session)).toBe(true);
      expect((await db.query<{ one: number }>('select 1 as one')).rows[0].one).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('a Postgres connection of a flow: the same', async () => {
    const client = createPgSqlClient(url!, { max: 2 });
    try {
      const failed = await client.transaction(async (tx) => {
        await terminateOwnBackend(tx);
        return tx.query('select 1');
      }).then(() => null, (err: Error) => err);
      expect(failed).not.toBeNull();
      expect((await client.query<{ one: number }>('select 1 as one')).rows[0].one).toBe(1);
    } finally {
      await client.close();
    }
  });
});
