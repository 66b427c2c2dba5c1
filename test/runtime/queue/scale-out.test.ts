/**
 * Scale-out proof on a real Postgres (TEST_DATABASE_URL; skipped otherwise):
 * two `ledgerflow worker` processes share one run of 100,000 records, and then
 * one of them is SIGKILLed mid-run and the other finishes it. Each time every
 * source record gets exactly one trace and the target exactly one row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../runtime/store/store.ts';
import { openPostgresDatabase, } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { findRunJobs, openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { QUEUE_NAMES, tuningOf } from '../../../runtime/queue/queue-options.ts';
import type { RunLauncher } from '../../../runtime/queue/run-launcher.ts';
import { dropSchemas, freshSchemaName, waitForRun, count } from './queue-fixtures.ts';
import { dropPostgresTargetDatabases, targetDatabase } from '../../../runtime/store/target-databases.ts';
import { SCALE_TABLE, chunksByWorker, recordsPerSecond, scaleInput, setUpScaleFlow, spawnWorker, type WorkerProcess } from './scale-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;
const RECORDS = 100_000;

describe.skipIf(!url)('scale-out over Postgres with worker processes', () => {
  const schema = freshSchemaName('lf_scale');
  let store: Store;
  let database: Database;
  let boss: PgBoss;
  let launcher: RunLauncher;
  let workers: WorkerProcess[] = [];
  const finishedRuns: string[] = [];

  beforeAll(async () => {
    database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 4 });
    store = database.store;
    await setUpScaleFlow(database);
    // This process only queues runs; the workers run them.
    boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
    launcher = createRunLauncher({ database, boss });
    workers = await Promise.all([spawnWorker(url!, schema), spawnWorker(url!, schema)]);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await boss?.stop({ graceful: false });
    await store?.close();
    await dropSchemas(url!, [schema, `${schema}_jobs`]);
    await dropPostgresTargetDatabases(url!, schema);
  }, 60_000);

  const enqueue = (prefix: string) => launcher.enqueue({
    flowId: 'scale-out', version: 1, environment: 'test', trigger: 'manual', input: scaleInput(RECORDS, prefix), requestedBy: 'scale-test',
  });

  async function expectExactlyOnce(runId: string, prefix: string) {
    const rows = await targetDatabase(database, 'db').query<{ n: unknown; d: unknown }>(
      `select count(*) as n, count(distinct id) as d from ${SCALE_TABLE} where id like $1`, [`${prefix}%`]);
    expect(Number(rows.rows[0].n)).toBe(RECORDS);
    expect(Number(rows.rows[0].d)).toBe(RECORDS);
    const traces = await store.sql.query<{ n: unknown; d: unknown }>(
      'select count(*) as n, count(distinct lineage_key) as d from record_traces where run_id = $1', [runId]);
    expect(Number(traces.rows[0].n)).toBe(RECORDS);
    expect(Number(traces.rows[0].d)).toBe(RECORDS);
    // Every lineage key 1 … 100000 is there (no gaps, so no record was lost).
    expect(await count(store, `select count(*) as n from record_traces where run_id = $1 and lineage_key::int between 1 and ${RECORDS}`, [runId])).toBe(RECORDS);
  }

  it('two workers share one run of 100,000 records: every record once, both workers busy', async () => {
    const queued = await enqueue('a');
    const run = await waitForRun(store, queued.id, 150_000);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ read: RECORDS, delivered: RECORDS, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 });
    expect(run.reconciliation?.closes).toBe(true);
    await expectExactlyOnce(run.id, 'a');
    const byWorker = await chunksByWorker(store, run.id);
    expect(byWorker.get(workers[0].id)).toBeGreaterThan(0);
    expect(byWorker.get(workers[1].id)).toBeGreaterThan(0);
    expect([...byWorker.values()].reduce((a, b) => a + b, 0)).toBe(RECORDS / 500);
    console.log(`[scale-out] 100,000 records with two workers: ${recordsPerSecond(run)} records/s; chunks per worker ${[...byWorker.values()].join(' / ')}`);
    finishedRuns.push(run.id);
  }, 180_000);

  it('one worker SIGKILLed mid-run: the other finishes the run, still exactly once, trace complete', async () => {
    const [victim, survivor] = workers;
    const queued = await enqueue('b');
    // Kill the victim once it has finished a few chunks of this run.
    const until = Date.now() + 60_000;
    const victimChunks = async () => (await chunksByWorker(store, queued.id)).get(victim.id) ?? 0;
    while ((await victimChunks()) < 3) {
      if (Date.now() > until) throw new Error('the first worker did not take any chunk');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await store.getRun(queued.id))?.status).toBe('running');
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const killedAt = Date.now();

    const run = await waitForRun(store, queued.id, 150_000);
    expect(run.status).toBe('succeeded');
    // Records the victim wrote and confirmed in the ledger but never committed its chunk for
    // are written again by nobody: the ledger counts them as duplicates until it reports keys
    // delivered under the same claim token as delivered. Either way each record is accounted once.
    expect(run.counts.read).toBe(RECORDS);
    expect(run.counts.delivered + run.counts.duplicate).toBe(RECORDS);
    expect(run.reconciliation?.closes).toBe(true);
    await expectExactlyOnce(run.id, 'b');
    const byWorker = await chunksByWorker(store, run.id);
    expect(byWorker.get(victim.id)).toBeGreaterThanOrEqual(3);
    expect(byWorker.get(survivor.id)).toBeGreaterThan(0);
    const retried = await count(store, 'select count(*) as n from run_chunks where run_id = $1 and attempts > 1', [run.id]);
    const [split] = await findRunJobs(boss, QUEUE_NAMES.split, run.id);
    console.log(`[scale-out] SIGKILL after ${byWorker.get(victim.id)} chunks: survivor finished ${Math.round((Date.parse(run.finishedAt!) - killedAt) / 1000)} s later; `
      + `${retried} chunk(s) retried, split job attempts ${split.retryCount + 1}, ${run.counts.duplicate} record(s) counted duplicate; ${recordsPerSecond(run)} records/s overall`);
    finishedRuns.push(run.id);
  }, 180_000);

  it('a worker stops cleanly on SIGTERM, having logged one line per run it finished', async () => {
    const survivor = workers[1];
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe('0');
    const output = workers.map((w) => w.output.join('')).join('\n');
    expect(survivor.output.join('')).toMatch(/stopped after \d+ chunk\(s\)/);
    for (const id of finishedRuns) expect(output).toMatch(new RegExp(`run ${id} scale-out v1 succeeded: read 100000`));
  }, 60_000);
});
