/**
 * `ledgerflow worker --cores 2` on a real Postgres (TEST_DATABASE_URL; skipped
 * otherwise): one command, a helper worker process beside it, a run delivered
 * exactly once, and SIGTERM to the command stops the helper as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../runtime/store/store.ts';
import { openPostgresDatabase, } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import { dropPostgresTargetDatabases, targetDatabase } from '../../../runtime/store/target-databases.ts';
import { dropSchemas, freshSchemaName, waitForRun } from './queue-fixtures.ts';
import { SCALE_TABLE, scaleInput, setUpScaleFlow, spawnWorker, type WorkerProcess } from './scale-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;
const RECORDS = 3000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!url)('ledgerflow worker --cores', () => {
  const schema = freshSchemaName('lf_cores');
  let store: Store;
  let database: Database;
  let boss: PgBoss;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 2 });
    store = database.store;
    await setUpScaleFlow(database);
    boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
  }, 60_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await boss?.stop({ graceful: false });
    await store?.close();
    await dropSchemas(url!, [schema, `${schema}_jobs`]);
    await dropPostgresTargetDatabases(url!, schema);
  }, 60_000);

  it('starts a helper process, delivers a run exactly once, and stops the helper with itself', async () => {
    worker = await spawnWorker(url!, schema, ['--cores', '2', '--chunk-size', '250']);
    const helper = /helper processes (\d+)/.exec(worker.output.join(''));
    expect(helper).not.toBeNull();
    const helperPid = Number(helper![1]);
    expect(alive(helperPid)).toBe(true);

    const queued = await createRunLauncher({ database, boss }).enqueue({
      flowId: 'scale-out', version: 1, environment: 'test', trigger: 'manual', input: scaleInput(RECORDS, 'c'), requestedBy: 'test',
    });
    const run = await waitForRun(store, queued.id, 120_000);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ read: RECORDS, delivered: RECORDS, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 });
    const rows = await targetDatabase(database, 'db').query<{ n: unknown; d: unknown }>(
      `select count(*) as n, count(distinct id) as d from ${SCALE_TABLE} where id like 'c%'`);
    expect([Number(rows.rows[0].n), Number(rows.rows[0].d)]).toEqual([RECORDS, RECORDS]);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe('0');
    expect(alive(helperPid)).toBe(false);
  }, 180_000);
});
