/**
 * Cash application shared by two `ledgerflow worker` processes on one Postgres (TEST_DATABASE_URL;
 * skipped otherwise): the file is cut into chunks of 100 entries that both workers take, so the two
 * instalments of an invoice are often applied by different workers at the same time. Every balance
 * must still be exact (no lost update) and every payment applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { dropPostgresTargetDatabases } from '../../../runtime/store/target-databases.ts';
import { dropSchemas, freshSchemaName, waitForRun } from '../../runtime/queue/queue-fixtures.ts';
import { chunksByWorker, spawnWorker, type WorkerProcess } from '../../runtime/queue/scale-fixtures.ts';
import { expectedApplication, generateCashData } from './cash-data.ts';
import { cashFlow, expectApplied, setUpReceivables } from './cash-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;
const data = generateCashData(4242);
const expected = expectedApplication(data);

describe.skipIf(!url)('cash application on two worker processes', () => {
  const schema = freshSchemaName('lf_cash');
  let database: Database;
  let boss: PgBoss;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 4 });
    await setUpReceivables(database, data);
    const doc = await cashFlow();
    await database.store.saveDraft(doc, 'tester');
    await database.store.saveVersion(doc.id, doc, 'tester', 'first');
    // `ar` is the embedded target database beside the store, which both workers reach.
    await connectionsRepo(database.store.sql).putConnection({ environment: 'test', name: 'ar', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'tester' });
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

  it('both instalments of every split invoice apply, every balance exact, each payment once', async () => {
    const launcher = createRunLauncher({ database, boss });
    const queued = await launcher.enqueue({
      flowId: 'cash-application', version: 1, environment: 'test', trigger: 'manual', requestedBy: 'tester',
      input: { kind: 'document', name: 'camt054.xml', bytes: new TextEncoder().encode(data.xml) },
    });
    const run = await waitForRun(database.store, queued.id, 240_000);
    expect(run.status).toBe('succeeded');
    expect(run.reconciliation?.items?.counts).toMatchObject({ read: data.payments.length, delivered: data.payments.length });
    // Both workers took part.
    const byWorker = await chunksByWorker(database.store, run.id);
    expect(byWorker.size).toBe(2);
    await expectApplied(database, database.store, 'test', data, expected);
  }, 300_000);
});
