/**
 * The three-way match shared by two `ledgerflow worker` processes on one Postgres (TEST_DATABASE_URL;
 * skipped otherwise): the day's documents are cut into chunks of 100 that both workers take, so the
 * receipts of one PO line are summed across workers, and its group is resolved by whichever worker
 * takes it. The same invoices are posted, quarantined and held as computed independently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import { dropPostgresTargetDatabases } from '../../../runtime/store/target-databases.ts';
import { dropSchemas, freshSchemaName, waitForRun } from '../../runtime/queue/queue-fixtures.ts';
import { chunksByWorker, spawnWorker, type WorkerProcess } from '../../runtime/queue/scale-fixtures.ts';
import { generateMatchData } from './match-data.ts';
import { ExpectedMatch } from './match-expected.ts';
import { expectAp, expectLines, expectWaiting, loadThreeWayMatch, quarantineReasons } from './match-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;
const data = generateMatchData(4242);
const expected = new ExpectedMatch();
const day1 = expected.day(data.day1);
const day2 = expected.day(data.day2);

describe.skipIf(!url)('three-way match on two worker processes', () => {
  const schema = freshSchemaName('lf_3wm');
  let database: Database;
  let boss: PgBoss;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 4 });
    await loadThreeWayMatch(database, 'test');
    boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
    workers = await Promise.all([spawnWorker(url!, schema, ['--chunk-size', '100']), spawnWorker(url!, schema, ['--chunk-size', '100'])]);
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await boss?.stop({ graceful: false });
    await database?.store.close();
    if (url) {
      await dropSchemas(url, [schema, `${schema}_jobs`]);
      await dropPostgresTargetDatabases(url, schema);
    }
  }, 60_000);

  it('posts, quarantines and holds on day 1 and releases on day 2 exactly as one worker would', async () => {
    const launcher = createRunLauncher({ database, boss });
    const run = async (name: string, text: string) => {
      const queued = await launcher.enqueue({
        flowId: 'three-way-match', version: 1, environment: 'test', trigger: 'manual', requestedBy: 'tester',
        input: { kind: 'document', name, bytes: new TextEncoder().encode(text) },
      });
      const done = await waitForRun(database.store, queued.id, 600_000);
      expect(done.error?.message).toBeUndefined();
      return done;
    };
    const first = await run('procurement-2026-12-03.jsonl', data.day1);
    expect((await chunksByWorker(database.store, first.id)).size).toBe(2);
    await expectAp(database, day1.posted, day1.postedQty, day1.postedCents);
    await expectWaiting(database, day1.held);
    expect(await quarantineReasons(database.store, first.id)).toEqual({ ...day1.exceptions, 'no-po': day1.noPo });

    await run('procurement-2026-12-04.jsonl', data.day2);
    await expectAp(database, day1.posted + day2.posted, day1.postedQty + day2.postedQty, day1.postedCents + day2.postedCents);
    await expectWaiting(database, expected.heldNow.size);
    await expectLines(database.store, 'test', expected);
  }, 900_000);
});
