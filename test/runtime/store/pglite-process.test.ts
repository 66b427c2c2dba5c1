import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../runtime/store/db.ts';
import { createPgliteThreadDb, pgliteLikeOf, startPgliteThread, type PgliteThread } from '../../../runtime/store/pglite-thread.ts';

describe('the embedded database on its own thread', () => {
  let thread: PgliteThread;
  let db: Db;
  beforeAll(async () => {
    thread = await startPgliteThread(undefined);
    db = createPgliteThreadDb(thread);
    await db.exec('create table t (id int primary key, amount numeric, at timestamptz, doc jsonb)');
  });
  afterAll(() => db.close());

  it('round-trips parameters and typed results', async () => {
    const at = new Date(Date.UTC(2026, 11, 4, 12));
    await db.query('insert into t values ($1, $2, $3, $4)', [1, '0.10', at, { a: [1, 'x'] }]);
    const { rows, rowCount } = await db.query('select * from t where id = $1', [1]);
    expect(rowCount).toBe(1);
    expect(rows[0]).toEqual({ id: 1, amount: '0.10', at, doc: { a: [1, 'x'] } });
  });

  it('gives Postgres errors with their fields across the thread', async () => {
    const err = await db.query('insert into t (id) values (1)').catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505', constraint: 't_pkey', table: 't' });
    expect(err.message).toMatch(/duplicate key/);
  });

  it('commits a transaction, rolls back on a throw, and nests savepoints', async () => {
    await db.transaction(async (tx) => {
      await tx.query('insert into t (id) values (10)');
      await tx.transaction(async (inner) => {
        await inner.query('insert into t (id) values (11)');
        throw new Error('inner fails');
      }).catch(() => {});
    });
    await expect(db.transaction(async (tx) => {
      await tx.query('insert into t (id) values (12)');
      throw new Error('outer fails');
    })).rejects.toThrow('outer fails');
    const { rows } = await db.query<{ id: number }>('select id from t where id >= 10 order by id');
    expect(rows.map((r) => r.id)).toEqual([10]);
  });

  it('keeps statements outside a transaction waiting until it ends (one connection)', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (t) => {
      await t.query('insert into t (id) values (20)');
      await gate;
      seen.push('tx ends');
    });
    const outside = db.query<{ n: number }>('select count(*)::int as n from t where id = 20').then((r) => {
      seen.push('outside ran');
      return r.rows[0].n;
    });
    await new Promise((r) => setTimeout(r, 50));
    release();
    await tx;
    expect(await outside).toBe(1);
    expect(seen).toEqual(['tx ends', 'outside ran']);
  });

  it('copies COPY text in', async () => {
    const n = await db.copyFrom('t', ['id', 'amount'], '30\t1.50\n31\t\\N\n');
    expect(n).toBe(2);
    const { rows } = await db.query('select id, amount from t where id in (30, 31) order by id');
    expect(rows).toEqual([{ id: 30, amount: '1.50' }, { id: 31, amount: null }]);
  });

  it('delivers notifications to listeners (as pg-boss uses them)', async () => {
    const like = pgliteLikeOf(thread);
    const got: string[] = [];
    const stop = await like.listen!('jobs', (payload) => got.push(payload));
    await db.query(`select pg_notify('jobs', 'hello')`);
    await new Promise((r) => setTimeout(r, 50));
    await stop();
    await db.query(`select pg_notify('jobs', 'after')`);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['hello']);
  });
});

describe('the database thread and the process', () => {
  it('does not keep an idle process alive', async () => {
    const script = `const { startPgliteThread, createPgliteThreadDb } = await import(${JSON.stringify(new URL('../../../runtime/store/pglite-thread.ts', import.meta.url).pathname)});
      const db = createPgliteThreadDb(await startPgliteThread(undefined));
      console.log((await db.query('select 1 as one')).rows[0].one);`;
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', '-e', script], { timeout: 60_000 });
    expect(stdout.trim()).toBe('1');
  }, 70_000);

  it('refuses calls after close with a clear message', async () => {
    const thread = await startPgliteThread(undefined);
    const db = createPgliteThreadDb(thread);
    await db.close();
    await expect(db.query('select 1')).rejects.toThrow('the embedded database is closed');
  });
});
