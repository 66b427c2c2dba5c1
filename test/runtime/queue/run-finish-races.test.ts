/**
 * Races around the end of a queued run, each forced with hooks instead of
 * waited for under load: a split retried by a worker started with another
 * chunk size, the worker that committed the last chunk losing the database
 * before it finished the run, and a stale split attempt storing early chunks
 * after another attempt finished the split. Nothing may be lost, and a run
 * whose records were not all counted must not say finished.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startQueue, type StartedQueue, type StartQueueOptions } from '../../../runtime/queue/start-queue.ts';
import { findRunJobs } from '../../../runtime/queue/boss.ts';
import { QUEUE_NAMES } from '../../../runtime/queue/queue-options.ts';
import type { RunRequest } from '../../../runtime/queue/run-launcher.ts';
import { getProgress, setProgress, startProgress } from '../../../runtime/store/queue-repo.ts';
import {
  TEST_TUNING, backendNames, count, countTarget, jsonlInput, openBackend, records, setUpFlow, waitForRun, type OpenedBackend,
} from './queue-fixtures.ts';

const request = (input: RunRequest['input']): RunRequest => ({
  flowId: 'queue-test', version: 1, environment: 'dev', trigger: 'manual', input, requestedBy: 'tester',
});

for (const backend of backendNames()) {
  describe(`the end of a queued run on ${backend}`, () => {
    let b: OpenedBackend;
    const queues: StartedQueue[] = [];

    const start = async (options: Partial<StartQueueOptions> = {}) => {
      const queue = await startQueue({ database: b.database, tuning: TEST_TUNING, ...options });
      queues.push(queue);
      return queue;
    };

    beforeEach(async () => {
      b = await openBackend(backend);
      await setUpFlow(b.database);
    });

    afterEach(async () => {
      for (const q of queues.splice(0)) await q.stop();
      await b.cleanup();
    });

    /**
     * A worker with chunks of 2 stores chunks 1–3 (records 1–6) and dies while
     * reading; a worker with chunks of 5 retries the split. Cut its own way it
     * would find chunks 1 and 2 stored, skip them and finish the run with 6
     * of the 10 records read (records 7–10 never processed, the run succeeded).
     */
    async function splitDiesThenRetriedWithChunksOf5(beforeRetry: (runId: string) => Promise<void> = async () => {}) {
      let reachedStore!: () => void;
      const reached = new Promise<void>((r) => { reachedStore = r; });
      let dieNow!: () => void;
      const die = new Promise<void>((r) => { dieNow = r; });
      const first = await start({
        tuning: { ...TEST_TUNING, chunkSize: 2 },
        hooks: {
          afterChunksStored: async ({ last, chunksSoFar }) => {
            // The split stores its first chunk alone, then two at a time: die after the second store.
            if (last || chunksSoFar < 2) return;
            reachedStore();
            await die;
            throw new Error('worker died while reading');
          },
        },
      });
      const runId = (await first.launcher.enqueue(request(jsonlInput(records(10))))).id;
      await reached;
      // The first worker stops taking jobs, then its split attempt fails: the retry is the second worker's.
      const stopped = first.stop();
      dieNow();
      await stopped;
      expect(await count(b.store, 'select count(*) as n from run_chunks where run_id = $1', [runId])).toBe(3);
      await beforeRetry(runId);
      await start({ tuning: { ...TEST_TUNING, chunkSize: 5 } });
      return waitForRun(b.store, runId, 60_000);
    }

    it('a split retried by a worker with another chunk size cuts the chunks the run started with: nothing lost', async () => {
      const run = await splitDiesThenRetriedWithChunksOf5();
      expect(run.status, JSON.stringify(run.counts)).toBe('succeeded');
      expect(run.counts).toMatchObject({ read: 10, delivered: 10, duplicate: 0 });
      expect(await countTarget(b.database, 'select count(*) as n from q_rows')).toBe(10);
      expect(await count(b.store, 'select count(*) as n from record_traces where run_id = $1', [run.id])).toBe(10);
      // Five chunks of two, each stored once.
      const { rows } = await b.store.sql.query<{ chunk_no: unknown; first_seq: unknown }>(
        'select chunk_no, first_seq from run_chunks where run_id = $1 order by chunk_no', [run.id]);
      expect(rows.map((r) => [Number(r.chunk_no), Number(r.first_seq)])).toEqual([[1, 1], [2, 3], [3, 5], [4, 7], [5, 9]]);
      expect((await getProgress(b.database.db, run.id))?.chunkSize).toBe(2);
    }, 120_000);

    it('a run split before its chunk size was kept, retried with another size, fails naming the chunk instead of losing records', async () => {
      const run = await splitDiesThenRetriedWithChunksOf5(async (runId) => {
        // What a run split by a Ledgerflow before migration 0021 looks like: no chunk size kept.
        await b.store.sql.query('update run_progress set chunk_size = null where run_id = $1', [runId]);
      });
      expect(run.status).toBe('failed');
      expect(run.error?.message).toMatch(/chunk 2 of run \S+ was stored by an earlier attempt of the split starting at record 3, but this attempt cut it starting at record 6/);
      expect(run.counts.delivered).toBeLessThanOrEqual(6);
    }, 120_000);

    it('the retry of a chunk whose worker lost the database after committing it finishes the run', async () => {
      let lost = false;
      const queue: StartedQueue = await start({
        hooks: {
          afterChunkCommit: async ({ runId }) => {
            if (lost) return;
            lost = true;
            // The split has checked already (the chunk was pending then) and is done: only this chunk's job is left to finish the run.
            for (;;) {
              const split = await findRunJobs(queue.boss, QUEUE_NAMES.split, runId);
              if (split.some((j) => j.state === 'completed')) break;
              await new Promise((r) => setTimeout(r, 50));
            }
            throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
          },
        },
      });
      // Three records, chunks of four: one chunk, the last one.
      const runId = (await queue.launcher.enqueue(request(jsonlInput(records(3))))).id;
      const run = await waitForRun(b.store, runId, 60_000);
      expect(lost).toBe(true);
      expect(run.status).toBe('succeeded');
      expect(run.counts).toMatchObject({ read: 3, delivered: 3 });
      expect(await count(b.store, 'select attempts as n from run_chunks where run_id = $1 and chunk_no = 1', [runId])).toBe(1);
    }, 90_000);

    it('an attempt of the split storing early chunks after another attempt finished the split leaves it finished', async () => {
      const { launcher } = await start({ worker: false });
      const runId = (await launcher.enqueue(request(jsonlInput(records(10))))).id;
      const db = b.database.db;
      expect((await startProgress(db, runId, 4)).chunkSize).toBe(4);
      // The attempt that finished reading.
      await setProgress(db, runId, { chunksTotal: 3, recordsRead: 10, splitDone: true });
      // The stale attempt (its lease lapsed while it was reading) stores its first batch afterwards.
      await setProgress(db, runId, { chunksTotal: 2, recordsRead: 8, splitDone: false });
      expect(await getProgress(db, runId)).toMatchObject({ splitDone: true, chunksTotal: 3, recordsRead: 10, chunkSize: 4 });
      // A retry started with another chunk size keeps the run's.
      expect((await startProgress(db, runId, 7)).chunkSize).toBe(4);
    });
  });
}
