/**
 * Exactly once through the queue: chunks whose first attempt stops after a
 * target batch committed are retried, and every record is written once into
 * an insert target without a unique key and counted delivered (not
 * duplicate). The run's reconciliation counts the target's delivery markers:
 * a target holding a record the ledger does not know keeps the run from closing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startQueue, type StartedQueue, type StartQueueOptions } from '../../../runtime/queue/start-queue.ts';
import type { RunRequest } from '../../../runtime/queue/run-launcher.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import {
  TEST_TUNING, backendNames, count, countTarget, jsonlInput, openBackend, queueFlow, records, setUpFlow, waitForRun, type OpenedBackend,
} from './queue-fixtures.ts';

const FLOW = 'eo-queue';
const TABLE = 'eo_q_rows';

/** The queue test flow, writing in insert mode, two records a batch, into a table without a unique key. */
function insertFlow() {
  const doc = queueFlow(FLOW, TABLE);
  const rows = doc.nodes.find((n) => n.id === 'rows')!;
  rows.config = { ...rows.config, mode: 'insert', keyColumns: [], batchSize: 2 };
  return doc;
}

const request = (n: number): RunRequest => ({
  flowId: FLOW, version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput(records(n)), requestedBy: 'tester',
});

for (const backend of backendNames()) {
  describe(`exactly once through the queue on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    const start = async (options: Partial<StartQueueOptions> = {}) => {
      queue = await startQueue({ database: b.database, tuning: TEST_TUNING, onRunFinished: () => {}, ...options });
      return queue;
    };

    beforeEach(async () => {
      b = await openBackend(backend);
      await targetDatabase(b.database, 'db').query(`create table ${TABLE} (id text not null, amount numeric not null)`);
      await setUpFlow(b.database, insertFlow(), TABLE);
    });

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    });

    it('retries chunks stopped after their first batch committed: one row per record, all delivered, totals close', async () => {
      const { launcher } = await start({
        hooks: {
          crashPoint: (point, { attempt, batch }) => {
            if (point === 'after-batch' && attempt === 1 && batch === 0) throw new Error('worker died after the first batch');
          },
        },
      });
      const queued = await launcher.enqueue(request(10));
      const run = await waitForRun(b.store, queued.id, 90_000);
      expect(run.status).toBe('succeeded');
      expect(run.counts).toMatchObject({ read: 10, delivered: 10, duplicate: 0, deadLettered: 0 });
      expect(run.reconciliation?.closes).toBe(true);
      expect(await countTarget(b.database, `select count(*) as n from ${TABLE}`)).toBe(10);
      expect(await countTarget(b.database, `select count(distinct id) as n from ${TABLE}`)).toBe(10);
      expect(await count(b.store, 'select count(*) as n from run_chunks where run_id = $1 and attempts > 1', [run.id])).toBe(3);
      expect(await countTarget(b.database, 'select count(*) as n from ledgerflow_delivery where run_id = $1', [run.id])).toBe(10);
    }, 120_000);

    it('does not close when the target holds a delivery of the run that its ledger does not know', async () => {
      let tampered = false;
      const { launcher } = await start({
        hooks: {
          crashPoint: async (point, { runId }) => {
            if (point !== 'after-batch' || tampered) return;
            tampered = true;
            await targetDatabase(b.database, 'db').query(`insert into ledgerflow_delivery (scope, key, run_id, claim_token) values ($1, 'ghost', $2, 'elsewhere')`, [`dev/db/table:${TABLE}`, runId]);
          },
        },
      });
      const queued = await launcher.enqueue(request(6));
      const run = await waitForRun(b.store, queued.id, 90_000);
      expect(run.counts).toMatchObject({ read: 6, delivered: 6 });
      expect(run.status).toBe('completed_with_exceptions');
      expect(run.reconciliation?.closes).toBe(false);
      expect(run.reconciliation?.differences).toEqual([
        `target 'rows' (insert ${TABLE}): 6 records delivered by the run's ledger but 7 recorded as delivered in the target database`,
      ]);
    }, 120_000);
  });
}
