/**
 * `ledgerflow worker` binds a run's connections like `serve` does: to the
 * settings stored for the run's environment, with their secrets decrypted by
 * the server's key. Needs a real Postgres (TEST_DATABASE_URL): a PGlite store
 * belongs to one process.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Store } from '../../../runtime/store/store.ts';
import { openPostgresDatabase, } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import type { RunLauncher } from '../../../runtime/queue/run-launcher.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { secretContext } from '../../../runtime/connectors/environment-connections.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { dropSchemas, freshSchemaName, waitForRun } from './queue-fixtures.ts';
import { SCALE_TABLE, scaleFlow, scaleInput, spawnWorker, type WorkerProcess } from './scale-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;

/** `url` with a password placeholder and `search_path` set to `schema`. */
function targetUrl(base: string, database: string): string {
  const u = new URL(base);
  // Built by hand: URL would percent-encode the placeholder's braces.
  return `${u.protocol}//${decodeURIComponent(u.username)}:{{secret:password}}@${u.host}/${database}`;
}

const withDatabase = (base: string, database: string) => Object.assign(new URL(base), { pathname: `/${database}` }).toString();

describe.skipIf(!url)('ledgerflow worker: connections per environment', () => {
  const schema = freshSchemaName('lf_wcmd');
  // Where the environment's `db` connection points: a database of its own (never the store's), so rows landing here prove it was used.
  const target = freshSchemaName('lf_wcmd_target');
  const key = randomBytes(32);
  let store: Store;
  let database: Database;
  let boss: PgBoss;
  let launcher: RunLauncher;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 4 });
    store = database.store;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${target}`);
    await admin.end();
    const targetDb = new pg.Client({ connectionString: withDatabase(url!, target) });
    await targetDb.connect();
    await targetDb.query(`create table ${SCALE_TABLE} (id text primary key, amount numeric not null)`);
    await targetDb.end();
    const doc = scaleFlow();
    await store.saveDraft(doc, 'test');
    await store.saveVersion(doc.id, doc, 'test', 'v1');
    const box = createSecretBox(key);
    await connectionsRepo(store.sql).putConnection({
      environment: 'test', name: 'db', kind: 'postgres', settings: { url: targetUrl(url!, target) },
      encryptedSecrets: { password: box.encrypt('any-password', secretContext('test', 'db', 'password')) }, updatedBy: 'test',
    });
    boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
    launcher = createRunLauncher({ database, boss });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await boss?.stop({ graceful: false });
    await store?.close();
    await dropSchemas(url!, [schema, `${schema}_jobs`]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${target} with (force)`);
    await admin.end();
  }, 60_000);

  async function targetRows(): Promise<string[]> {
    const c = new pg.Client({ connectionString: withDatabase(url!, target) });
    await c.connect();
    try {
      return (await c.query<{ id: string }>(`select id from ${SCALE_TABLE} order by id`)).rows.map((r) => r.id);
    } finally {
      await c.end();
    }
  }

  it('without the secret key: the run fails, saying the worker has no key', async () => {
    const worker = await spawnWorker(url!, schema, [], { LEDGERFLOW_SECRET_KEY: '', LEDGERFLOW_DATA: `/tmp/lf-no-key-${process.pid}` });
    workers.push(worker);
    const queued = await launcher.enqueue({ flowId: 'scale-out', version: 1, environment: 'test', trigger: 'manual', input: scaleInput(3, 'n'), requestedBy: 'test' });
    const run = await waitForRun(store, queued.id, 60_000);
    expect(run.status).toBe('failed');
    expect(JSON.stringify(run.error)).toMatch(/this worker has no secret key/);
    expect(await targetRows()).toEqual([]);
    expect(worker.output.join('')).toMatch(/no secret key/);
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 90_000);

  it('with the key: writes through the environment\'s connection, its secret decrypted', async () => {
    const worker = await spawnWorker(url!, schema, [], { LEDGERFLOW_SECRET_KEY: key.toString('base64') });
    workers.push(worker);
    const queued = await launcher.enqueue({ flowId: 'scale-out', version: 1, environment: 'test', trigger: 'manual', input: scaleInput(3, 'k'), requestedBy: 'test' });
    const run = await waitForRun(store, queued.id, 60_000);
    expect(run.status).toBe('succeeded');
    expect(run.counts.delivered).toBe(3);
    // In the environment's database, not the store's.
    expect(await targetRows()).toEqual(['k1', 'k2', 'k3']);
    const { rows } = await store.sql.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_schema = $1 and table_name = $2`, [schema, SCALE_TABLE]);
    expect(rows[0].n).toBe(0);
  }, 90_000);
});
