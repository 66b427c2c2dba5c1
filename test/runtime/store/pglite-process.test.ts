import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../runtime/store/db.ts';
import { createPgliteProcessDb, pgliteLikeOf, startPgliteProcess, type PgliteProcess } from '../../../runtime/store/pglite-process.ts';

describe('the embedded database in its own process', () => {
  let database: PgliteProcess;
  let db: Db;
  beforeAll(async () => {
    database = await startPgliteProcess(undefined);
    db = createPgliteProcessDb(database);
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

  it('gives Postgres errors with their fields across the process', async () => {
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

  it('copies UTF-8 blocks in (split inside a character), side by side, in a transaction and not after its rollback', async () => {
    const doc = (id: number) => JSON.stringify({ id, name: 'Müller & Søn – 株式会社', pad: 'x'.repeat(3000) });
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, i) => `${100 + i}\t${doc(100 + i)}\n`).join(''), 'utf8');
    const cut = bytes.indexOf(Buffer.from('株')) + 1; // inside the character's three bytes
    const blocks = [bytes.subarray(0, cut), bytes.subarray(cut)];
    const other = Buffer.from(Array.from({ length: 40 }, (_, i) => `${200 + i}\t${doc(200 + i)}\n`).join(''), 'utf8');
    // Two at once: each COPY reads its own rows.
    expect(await Promise.all([db.copyFrom('t', ['id', 'doc'], blocks), db.copyFrom('t', ['id', 'doc'], [other])])).toEqual([40, 40]);
    await expect(db.transaction(async (tx) => {
      expect(await tx.copyFrom('t', ['id', 'doc'], '300\t{"a":1}\n')).toBe(1);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    const { rows } = await db.query<{ n: string; names: string[] }>(
      "select count(*)::text as n, array_agg(distinct doc->>'name') as names from t where id >= 100 and id < 400");
    expect(rows[0]).toEqual({ n: '80', names: ['Müller & Søn – 株式会社'] });
  });

  it("reports its process's peak memory and CPU time, the CPU growing with the work done", async () => {
    const before = await database.usage();
    await db.query('select count(*) from generate_series(1, 300000) g where g % 7 = 0');
    const after = await database.usage();
    expect(before.maxRssMb).toBeGreaterThan(10);
    expect(after.maxRssMb).toBeGreaterThanOrEqual(before.maxRssMb);
    expect(after.cpuSeconds).toBeGreaterThan(before.cpuSeconds);
  });

  it('delivers notifications to listeners (as pg-boss uses them)', async () => {
    const like = pgliteLikeOf(database);
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

describe('the database process and its parent', () => {
  it('does not keep an idle process alive', async () => {
    const script = `const { startPgliteProcess, createPgliteProcessDb } = await import(${JSON.stringify(new URL('../../../runtime/store/pglite-process.ts', import.meta.url).pathname)});
      const db = createPgliteProcessDb(await startPgliteProcess(undefined));
      console.log((await db.query('select 1 as one')).rows[0].one);`;
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', '-e', script], { timeout: 60_000 });
    expect(stdout.trim()).toBe('1');
  }, 70_000);

  it('closes and exits when its parent dies without closing it', async () => {
    const script = `const { startPgliteProcess, createPgliteProcessDb } = await import(${JSON.stringify(new URL('../../../runtime/store/pglite-process.ts', import.meta.url).pathname)});
      const database = await startPgliteProcess(undefined);
      await createPgliteProcessDb(database).query('select 1');
      console.log(database.pid);
      process.exit(3);`;
    const child = await promisify(execFile)('node', ['--import', 'tsx', '-e', script], { timeout: 60_000 }).catch((e) => e);
    expect(child.code).toBe(3);
    const pids = [Number(String(child.stdout).trim())].filter(Boolean);
    expect(pids.length).toBeGreaterThan(0);
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  }, 70_000);

  it('refuses calls after close with a clear message', async () => {
    const database = await startPgliteProcess(undefined);
    const db = createPgliteProcessDb(database);
    await db.close();
    await expect(db.query('select 1')).rejects.toThrow('the embedded database is closed');
  });
});
