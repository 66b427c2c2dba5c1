/**
 * The durable queue end to end on each backend: enqueue → split → chunks →
 * finished run, with the run row and its job created atomically, malformed
 * input failing the run before anything is queued, cancellation, and chunk
 * retries that leave exactly one trace per record and one target row.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startQueue, type StartedQueue, type StartQueueOptions } from '../../../runtime/queue/start-queue.ts';
import { bossSchemaFor, findRunJobs } from '../../../runtime/queue/boss.ts';
import { QUEUE_NAMES } from '../../../runtime/queue/queue-options.ts';
import type { RunRequest } from '../../../runtime/queue/run-launcher.ts';
import type { RunRow } from '../../../runtime/store/store.ts';
import {
  TEST_TUNING, backendNames, count, countTarget, jsonlInput, openBackend, records, setUpFlow, waitForRun, type OpenedBackend,
} from './queue-fixtures.ts';

const request = (input: RunRequest['input'], extra: Partial<RunRequest> = {}): RunRequest => ({
  flowId: 'queue-test', version: 1, environment: 'dev', trigger: 'manual', input, requestedBy: 'tester', ...extra,
});

for (const backend of backendNames()) {
  describe(`queue on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;
    const finished: RunRow[] = [];

    const start = async (options: Partial<StartQueueOptions> = {}) => {
      queue = await startQueue({ database: b.database, tuning: TEST_TUNING, onRunFinished: (r) => finished.push(r), ...options });
      return queue;
    };

    beforeEach(async () => {
      finished.length = 0;
      b = await openBackend(backend);
      await setUpFlow(b.database);
    });

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    });

    it('runs a queued document in chunks to a finished run with counts, totals, traces and node figures', async () => {
      const { launcher } = await start();
      const list = records(10, (i) => (i === 3 || i === 7 ? '-5' : `${i}.10`));
      const queued = await launcher.enqueue(request(jsonlInput(list)));
      expect(queued.status).toBe('queued');
      const run = await waitForRun(b.store, queued.id);

      expect(run.status).toBe('completed_with_exceptions');
      expect(run.counts).toEqual({ read: 10, delivered: 8, quarantined: 2, deadLettered: 0, duplicate: 0, filtered: 0 });
      expect(run.reconciliation?.closes).toBe(true);
      // 1.10 + 2.10 + … + 10.10 = 56, without 3.10 and 7.10 = 45.8 delivered; two −5 amounts quarantined.
      expect(run.reconciliation?.totals.read).toEqual({ EUR: '35.80' });
      expect(run.reconciliation?.totals.delivered).toEqual({ EUR: '45.80' });
      expect(run.reconciliation?.totals.quarantined).toEqual({ EUR: '-10.00' });
      expect(run.startedAt).not.toBeNull();
      expect(run.finishedAt).not.toBeNull();

      expect(await countTarget(b.database, 'select count(*) as n from q_rows')).toBe(8);
      const traces = await b.store.listTraces(run.id, {}, { limit: 100 });
      expect(traces.items.map((t) => t.lineageKey).sort((x, y) => Number(x) - Number(y))).toEqual(list.map((_, i) => String(i + 1)));
      expect(traces.items.filter((t) => t.outcome === 'quarantined').map((t) => t.businessKey).sort()).toEqual(['r3', 'r7']);
      const dead = await b.store.listDeadLetters({ runId: run.id }, { limit: 10 });
      expect(dead.items.map((d) => d.businessKey).sort()).toEqual(['r3', 'r7']);
      const stats = await b.store.getNodeStats(run.id);
      expect(stats.find((s) => s.nodeId === 'rows')).toMatchObject({ in: 8, out: 8 });
      expect(stats.find((s) => s.nodeId === 'check')).toMatchObject({ in: 10, invalid: 2 });
      // 10 records in chunks of 4: three chunks, all done.
      expect(await count(b.store, `select count(*) as n from run_chunks where run_id = $1 and status = 'done'`, [run.id])).toBe(3);
      // The chunks' copies of the records are released once the run has ended.
      expect(await count(b.store, `select count(*) as n from run_chunks where run_id = $1 and roots <> '[]'`, [run.id])).toBe(0);
      expect(finished.map((r) => r.id)).toEqual([run.id]);
    });

    it('succeeds when every record is delivered, and an empty input succeeds with nothing read', async () => {
      const { launcher } = await start();
      const full = await waitForRun(b.store, (await launcher.enqueue(request(jsonlInput(records(9))))).id);
      expect(full.status).toBe('succeeded');
      expect(full.counts.delivered).toBe(9);
      const empty = await waitForRun(b.store, (await launcher.enqueue(request({ kind: 'document', name: 'none.jsonl', bytes: new Uint8Array() }))).id);
      expect(empty.status).toBe('succeeded');
      expect(empty.counts.read).toBe(0);
      expect(empty.reconciliation?.closes).toBe(true);
    });

    it('runs records handed in directly (replay) and marks the replayed dead letters', async () => {
      const { launcher } = await start();
      const queued = await launcher.enqueue(request(jsonlInput(records(5, (i) => (i === 2 ? '-1' : '1')))));
      const first = await waitForRun(b.store, queued.id);
      const letters = await b.store.listDeadLetters({ runId: first.id }, { limit: 10 });
      expect(letters.items).toHaveLength(1);
      const fixed = { ...(letters.items[0].sourceRecord as object), amount: '2', row: { id: 'r2', amount: '2' } };
      const replay = await launcher.enqueue(request({ kind: 'records', records: [{ data: fixed, sourceKey: letters.items[0].sourceKey }] }, {
        trigger: 'replay', replayOf: first.id, replayDeadLetterIds: [letters.items[0].id],
      }));
      const run = await waitForRun(b.store, replay.id);
      expect(run.status).toBe('succeeded');
      expect(run.counts.delivered).toBe(1);
      expect((await b.store.getDeadLetter(letters.items[0].id))?.status).toBe('replayed');
      expect(await countTarget(b.database, `select count(*) as n from q_rows where id = 'r2'`)).toBe(1);
    });

    it('creates the run row and its job in one transaction: when the job cannot be queued there is no run', async () => {
      const { launcher, boss } = await start({ worker: false });
      const schema = bossSchemaFor(b.database);
      const { rows } = await b.store.sql.query<{ table_name: string }>(`select partition_name as table_name from ${schema}.queue where name = $1`, [QUEUE_NAMES.split]);
      await b.store.sql.query(`create function ${schema}.refuse_jobs() returns trigger language plpgsql as $$ begin raise exception 'job table refuses inserts'; end $$`);
      await b.store.sql.query(`create trigger refuse before insert on ${schema}.${rows[0].table_name} for each row execute function ${schema}.refuse_jobs()`);
      await expect(launcher.enqueue(request(jsonlInput(records(3))))).rejects.toThrow(/refuses inserts/);
      expect(await count(b.store, 'select count(*) as n from runs')).toBe(0);
      expect(await count(b.store, 'select count(*) as n from run_inputs')).toBe(0);
      await b.store.sql.query(`drop trigger refuse on ${schema}.${rows[0].table_name}`);
      const run = await launcher.enqueue(request(jsonlInput(records(3))));
      expect(await count(b.store, 'select count(*) as n from runs')).toBe(1);
      expect((await findRunJobs(boss, QUEUE_NAMES.split, run.id)).length).toBe(1);
    });

    it('fails a malformed document before any chunk is queued, naming the file and line', async () => {
      const { launcher } = await start();
      const good = records(9).map((r) => JSON.stringify(r));
      good.splice(6, 0, '{"id": "broken", ');
      const queued = await launcher.enqueue(request({ kind: 'document', name: 'events.jsonl', bytes: new TextEncoder().encode(good.join('\n')) }));
      const run = await waitForRun(b.store, queued.id);
      expect(run.status).toBe('failed');
      expect(run.error?.message).toMatch(/events\.jsonl/);
      expect(run.error?.message).toMatch(/line 7/);
      expect(await count(b.store, 'select count(*) as n from run_chunks where run_id = $1', [run.id])).toBe(0);
      expect(await count(b.store, 'select count(*) as n from record_traces where run_id = $1', [run.id])).toBe(0);
      expect(await countTarget(b.database, 'select count(*) as n from q_rows')).toBe(0);
    });

    it('cancels a queued run: nothing is read or written', async () => {
      const first = await start({ worker: false });
      const queued = await first.launcher.enqueue(request(jsonlInput(records(6))));
      const cancelled = await first.launcher.cancel(queued.id, 'olga');
      expect(cancelled?.status).toBe('cancelled');
      expect(cancelled?.error?.message).toBe('Cancelled by olga');
      // A second cancel changes nothing.
      expect((await first.launcher.cancel(queued.id, 'someone else'))?.error?.message).toBe('Cancelled by olga');
      await first.stop();
      const second = await start();
      // Let the worker take the split job; it must leave the cancelled run alone.
      await waitForJobsDone(second, queued.id);
      expect((await b.store.getRun(queued.id))?.status).toBe('cancelled');
      expect(await count(b.store, 'select count(*) as n from run_chunks where run_id = $1', [queued.id])).toBe(0);
      expect(await countTarget(b.database, 'select count(*) as n from q_rows')).toBe(0);
    });

    it('cancels a running run: the chunk in progress reports what it wrote, the rest are skipped', async () => {
      let runId = '';
      let cancelled = false;
      const { launcher } = await start({
        concurrency: 1,
        // The first chunk done cancels the run before it commits.
        hooks: { beforeChunkCommit: async () => { if (!cancelled) { cancelled = true; await launcher.cancel(runId, 'olga'); } } },
      });
      runId = (await launcher.enqueue(request(jsonlInput(records(10))))).id;
      const run = await waitForRun(b.store, runId);
      expect(run.status).toBe('cancelled');
      await waitForJobsDone(queue!, runId);
      const after = (await b.store.getRun(runId))!;
      expect(after.counts.delivered).toBe(4);
      expect(await countTarget(b.database, 'select count(*) as n from q_rows')).toBe(4);
      expect(await count(b.store, 'select count(*) as n from record_traces where run_id = $1', [runId])).toBe(4);
      expect(await count(b.store, `select count(*) as n from run_chunks where run_id = $1 and status = 'pending'`, [runId])).toBe(0);
      expect(after.reconciliation?.closes).toBe(false);
    });

    it('retries a chunk whose worker died after writing: one trace per record, one row per key', async () => {
      const { launcher } = await start({
        hooks: { beforeChunkCommit: ({ chunkNo, attempt }) => { if (chunkNo === 2 && attempt === 1) throw new Error('worker died before committing chunk 2'); } },
      });
      const queued = await launcher.enqueue(request(jsonlInput(records(10))));
      const run = await waitForRun(b.store, queued.id, 60_000);
      expect(run.status, JSON.stringify({ counts: run.counts, reconciliation: run.reconciliation })).toBe('succeeded');
      expect(await countTarget(b.database, 'select count(*) as n from q_rows')).toBe(10);
      const { rows } = await b.store.sql.query<{ lineage_key: string; n: unknown }>(
        'select lineage_key, count(*) as n from record_traces where run_id = $1 group by lineage_key', [run.id]);
      expect(rows).toHaveLength(10);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      // Until the ledger reports keys delivered under the same claim token as delivered,
      // the retried chunk's four records count as duplicates; either way each is accounted once.
      expect(run.counts.delivered + run.counts.duplicate).toBe(10);
      expect(run.reconciliation?.closes).toBe(true);
      expect(await count(b.store, 'select attempts as n from run_chunks where run_id = $1 and chunk_no = 2', [run.id])).toBe(2);
    });

    it('fails the run when a chunk keeps failing after its retries', async () => {
      const { launcher } = await start({
        tuning: { ...TEST_TUNING, retryLimit: 1 },
        hooks: { beforeChunkCommit: ({ chunkNo }) => { if (chunkNo === 1) throw new Error('target database is read-only'); } },
      });
      const queued = await launcher.enqueue(request(jsonlInput(records(10))));
      const run = await waitForRun(b.store, queued.id, 60_000);
      expect(run.status).toBe('failed');
      expect(run.error?.message).toMatch(/chunk 1 .* after 2 attempts: target database is read-only/);
      expect(await count(b.store, `select count(*) as n from run_chunks where run_id = $1 and status = 'failed'`, [run.id])).toBe(1);
      expect(await count(b.store, `select count(*) as n from run_chunks where run_id = $1 and status = 'pending'`, [run.id])).toBe(0);
    });

    it('retries a split that died after queuing some chunks without queuing them twice', async () => {
      let failed = false;
      const { launcher, boss } = await start({
        hooks: { afterChunksStored: ({ last }) => { if (!last && !failed) { failed = true; throw new Error('worker died while reading'); } } },
      });
      const queued = await launcher.enqueue(request(jsonlInput(records(10))));
      const run = await waitForRun(b.store, queued.id, 60_000);
      expect(failed).toBe(true);
      expect(run.status).toBe('succeeded');
      expect(run.counts).toMatchObject({ read: 10, delivered: 10 });
      expect(await count(b.store, 'select count(*) as n from run_chunks where run_id = $1', [run.id])).toBe(3);
      expect((await findRunJobs(boss, QUEUE_NAMES.chunk, run.id)).length).toBe(3);
      expect(await count(b.store, 'select count(*) as n from record_traces where run_id = $1', [run.id])).toBe(10);
    });

    it('fails the run, naming the reference data set, when the flow cannot be prepared', async () => {
      const { launcher } = await start();
      // The set is gone: no current version and none of its loaded versions.
      await b.store.sql.query(`delete from reference_sets where set_name = 'queue-test-currencies'`);
      await b.store.sql.query(`delete from reference_data_loads where set_name = 'queue-test-currencies'`);
      const run = await waitForRun(b.store, (await launcher.enqueue(request(jsonlInput(records(3))))).id);
      expect(run.status).toBe('failed');
      expect(run.error?.message).toMatch(/reference data set 'queue-test-currencies'/);
      expect(await count(b.store, 'select count(*) as n from run_chunks where run_id = $1', [run.id])).toBe(0);
    });

    it('stops gracefully: the chunk in progress is finished, the next worker does the rest', async () => {
      let stopping: Promise<void> | undefined;
      const first = await start({
        concurrency: 1,
        hooks: {
          beforeChunkCommit: async () => {
            if (stopping) return;
            stopping = first.stop();
            await new Promise((r) => setTimeout(r, 200));
          },
        },
      });
      const queued = await first.launcher.enqueue(request(jsonlInput(records(10))));
      while (!stopping) await new Promise((r) => setTimeout(r, 20));
      await stopping;
      const done = await b.store.sql.query<{ chunk_no: number; attempts: number }>(
        `select chunk_no, attempts from run_chunks where run_id = $1 and status = 'done'`, [queued.id]);
      expect(done.rows.length).toBeGreaterThan(0);
      expect(done.rows.every((r) => Number(r.attempts) === 1)).toBe(true);
      expect((await b.store.getRun(queued.id))?.status).toBe('running');
      await start();
      const run = await waitForRun(b.store, queued.id);
      expect(run.status).toBe('succeeded');
      expect(run.counts).toMatchObject({ read: 10, delivered: 10, duplicate: 0 });
      expect(await count(b.store, 'select count(*) as n from record_traces where run_id = $1', [run.id])).toBe(10);
    });

    it('reports queue depth and live workers', async () => {
      const { launcher, worker } = await start();
      const stats = await launcher.stats();
      expect(stats.workers.map((w) => w.id)).toContain(worker!.id);
      expect(stats.queued).toBeGreaterThanOrEqual(0);
    });
  });
}

/** Waits until the run's pg-boss jobs are all settled. */
async function waitForJobsDone(queue: StartedQueue, runId: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const split = await findRunJobs(queue.boss, QUEUE_NAMES.split, runId);
    const chunks = await findRunJobs(queue.boss, QUEUE_NAMES.chunk, runId);
    if ([...split, ...chunks].every((j) => j.state === 'completed' || j.state === 'failed' || j.state === 'cancelled') && split.length) return;
    if (Date.now() > until) throw new Error(`jobs of run ${runId} still open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
