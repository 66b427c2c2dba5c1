import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyPgError, createPgSqlClient, type PgSqlClient } from '../../../runtime/connectors/postgres.ts';
import { FlowError } from '../../../nodes/errors.ts';

describe('classifyPgError', () => {
  it.each([
    [{ code: '23505', message: 'duplicate key value violates unique constraint "inv_pkey"', detail: 'Key (no)=(1) already exists.' }, 'permanent'],
    [{ code: '23502', message: 'null value in column "amount"', column: 'amount' }, 'permanent'],
    [{ code: '22P02', message: 'invalid input syntax for type numeric: "x"' }, 'permanent'],
    [{ code: '42P01', message: 'relation "erp.x" does not exist' }, 'permanent'],
    [{ code: '40001', message: 'could not serialize access' }, 'transient'],
    [{ code: '40P01', message: 'deadlock detected' }, 'transient'],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'transient'],
    [{ code: '08006', message: 'connection failure' }, 'transient'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'transient'],
    [new Error('Connection terminated unexpectedly'), 'transient'],
  ])('%o → %s', (err, expected) => {
    expect(classifyPgError(err, { table: 'erp.invoice' }).errorClass).toBe(expected);
  });

  it('names table, column and constraint, without echoing the failing row', () => {
    const error = classifyPgError(
      { code: '23514', message: 'new row violates check constraint "amount_positive"', constraint: 'amount_positive', column: 'amount', detail: 'Failing row contains (INV-1, 12345678901, -5).' },
      { table: 'erp.invoice', nodeId: 'post' },
    );
    expect(error.message).toBe('erp.invoice refused the record: new row violates check constraint "amount_positive" (Postgres 23514, column amount, constraint amount_positive)');
    expect(error.details).toMatchObject({ code: '23514', field: 'amount', nodeId: 'post' });
  });

  it('re-classifies a FlowError from its driver cause with new context, and leaves other FlowErrors alone', () => {
    const first = classifyPgError({ code: '23505', message: 'duplicate key', detail: 'Key (no)=(1) already exists.' });
    const again = classifyPgError(first, { table: 'erp.invoice' });
    expect(again.message).toBe('erp.invoice refused the record: duplicate key — Key (no)=(1) already exists. (Postgres 23505)');
    const own = new FlowError('permanent', 'misconfigured');
    expect(classifyPgError(own, { nodeId: 'n' })).toBe(own);
    expect(own.details.nodeId).toBe('n');
  });
});

describe('createPgSqlClient without a server', () => {
  it('a refused connection is transient', async () => {
    const client = createPgSqlClient('postgres://postgres@127.0.0.1:1/none', { connectionTimeoutMillis: 2000 });
    try {
      const err = await client.query('SELECT 1').catch((e) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(err.errorClass).toBe('transient');
      expect(err.message).toContain('could not reach the database');
      const txErr = await client.transaction(async () => 1).catch((e) => e);
      expect(txErr.errorClass).toBe('transient');
    } finally {
      await client.close();
    }
  });
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('createPgSqlClient on Postgres', () => {
  let client: PgSqlClient;
  const schema = `lf_pgclient_${process.pid}`;

  beforeAll(async () => {
    client = createPgSqlClient(url!);
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}.t (id int PRIMARY KEY, d date, ts timestamptz, n numeric(10,2))`);
  });

  it('runs one statement per call, even without parameters (stacked statements are a syntax error)', async () => {
    await expect(client.query(`SELECT 1; INSERT INTO ${schema}.t (id) VALUES (99)`)).rejects.toThrow(/cannot insert multiple commands/);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${schema}.t WHERE id = 99`)).rows).toEqual([{ n: 0 }]);
  });
  afterAll(async () => {
    await client?.query(`DROP SCHEMA ${schema} CASCADE`);
    await client?.close();
  });

  it('commits, rolls back on error, and nests as savepoints', async () => {
    await client.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${schema}.t (id) VALUES ($1)`, [1]);
      await tx
        .transaction(async (inner) => {
          await inner.query(`INSERT INTO ${schema}.t (id) VALUES ($1)`, [2]);
          throw new Error('undo the inner part');
        })
        .catch(() => undefined);
    });
    await client.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${schema}.t (id) VALUES ($1)`, [3]);
      await tx.query(`INSERT INTO ${schema}.t (id) VALUES ($1)`, [1]);
    }).catch((e) => {
      expect(e).toBeInstanceOf(FlowError);
      expect(e.errorClass).toBe('permanent');
      expect(e.details.code).toBe('23505');
    });
    const { rows } = await client.query(`SELECT id FROM ${schema}.t ORDER BY id`);
    expect(rows).toEqual([{ id: 1 }]);
  });

  it('returns dates and timestamps as the database text, numerics as exact text', async () => {
    await client.query(`INSERT INTO ${schema}.t VALUES (10, '2026-03-31', '2026-03-31T23:59:59.123456Z', 12.34)`);
    const { rows } = await client.query(`SELECT d, ts AT TIME ZONE 'UTC' AS ts_utc, n FROM ${schema}.t WHERE id = 10`);
    expect(rows).toEqual([{ d: '2026-03-31', ts_utc: '2026-03-31 23:59:59.123456', n: '12.34' }]);
  });
});
