/**
 * Job leases (pg-boss 10 has no heartbeats): a job whose worker renews its
 * lease stays with that worker past `heartbeatSeconds`; a job whose worker
 * stopped renewing (killed) is handed back for a retry within the lease plus
 * one supervision interval, and the old holder learns it lost the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBoss, findRunJobs, type PgBoss } from '../../../runtime/queue/boss.ts';
import { JobLeases } from '../../../runtime/queue/job-leases.ts';
import { startJobLoop, wakeQueue } from '../../../runtime/queue/job-loop.ts';
import { QUEUE_NAMES, tuningOf } from '../../../runtime/queue/queue-options.ts';
import { backendNames, openBackend, type OpenedBackend } from './queue-fixtures.ts';

const tuning = tuningOf({ heartbeatSeconds: 3, superviseIntervalSeconds: 1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of backendNames()) {
  describe(`job leases on ${backend}`, () => {
    let b: OpenedBackend;
    let boss: PgBoss;

    beforeAll(async () => {
      b = await openBackend(backend);
      boss = await openBoss(b.database, { tuning });
    });

    afterAll(async () => {
      await boss?.stop({ graceful: false }).catch(() => {});
      await b?.cleanup();
    });

    const queueJob = (runId: string) => boss.insert([{ name: QUEUE_NAMES.chunk, data: { runId, chunkNo: 1 } }]);
    const fetchOne = async () => (await boss.fetch<{ runId: string }>(QUEUE_NAMES.chunk, { batchSize: 1, includeMetadata: true }))[0];
    const stateOf = async (runId: string) => (await findRunJobs(boss, QUEUE_NAMES.chunk, runId))[0]?.state;

    it('a renewed lease keeps the job; a lapsed one hands it back for a retry and tells the old holder', async () => {
      const errors: Error[] = [];
      const leases = new JobLeases(boss, tuning.heartbeatSeconds, (e) => errors.push(e));
      leases.start();
      await queueJob('kept');
      await queueJob('lost');
      const kept = await fetchOne();
      const lost = await fetchOne();
      const keptLease = leases.hold(QUEUE_NAMES.chunk, kept, 60);
      // The worker holding `lost` "dies": nobody renews its lease.
      const started = Date.now();
      while ((await stateOf('lost')) === 'active') {
        expect(Date.now() - started).toBeLessThan(15_000);
        await sleep(200);
      }
      // Back for a retry within the 3 s lease plus a 1 s supervision interval (and this machine's pace).
      expect(await stateOf('lost')).toBe('retry');
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
      expect(await stateOf('kept')).toBe('active');
      expect(keptLease.lost).toBe(false);

      // A holder that renews after its job was handed back (taken by another worker) learns it lost it.
      const lostLease = leases.hold(QUEUE_NAMES.chunk, lost, 60);
      await sleep(1_500);
      expect(lostLease.lost).toBe(true);
      expect(lostLease.signal.aborted).toBe(true);
      keptLease.release();
      lostLease.release();
      await leases.stop();
      await boss.complete(QUEUE_NAMES.chunk, kept.id);
      expect(errors).toEqual([]);
    }, 60_000);

    it('a job past its time limit has its signal aborted', async () => {
      const leases = new JobLeases(boss, tuning.heartbeatSeconds, () => {});
      await queueJob('slow');
      const job = await fetchOne();
      const lease = leases.hold(QUEUE_NAMES.chunk, job, 0.2);
      await sleep(400);
      expect(lease.signal.aborted).toBe(true);
      expect(String(lease.signal.reason)).toMatch(/longer than its limit/);
      expect(lease.lost).toBe(false);
      lease.release();
      await boss.complete(QUEUE_NAMES.chunk, job.id);
    });

    it('a retry fetched while the failed attempt still holds its lease (another loop of the same worker) keeps its own lease', async () => {
      await boss.purgeQueue(QUEUE_NAMES.chunk);
      const leases = new JobLeases(boss, tuning.heartbeatSeconds, () => {});
      leases.start();
      await boss.insert([{ name: QUEUE_NAMES.chunk, data: { runId: 'twice', chunkNo: 1 }, retryLimit: 3, retryDelay: 0, retryBackoff: false }]);
      const first = await fetchOne();
      const firstLease = leases.hold(QUEUE_NAMES.chunk, first, 60);
      // The attempt fails; its batch goes on with its other jobs and releases its leases only at the end.
      await boss.fail(QUEUE_NAMES.chunk, first.id, { message: 'worker died before committing' });
      let retry = await fetchOne();
      while (!retry) {
        await sleep(100);
        retry = await fetchOne();
      }
      expect(retry.id).toBe(first.id);
      expect(retry.retryCount).toBe(first.retryCount + 1);
      const retryLease = leases.hold(QUEUE_NAMES.chunk, retry, 60);
      firstLease.release();
      // Well past the 3 s lease and a supervision interval: the retry's lease was renewed all along.
      await sleep(10_000);
      expect(await stateOf('twice')).toBe('active');
      expect(retryLease.lost).toBe(false);
      expect(retryLease.signal.aborted).toBe(false);
      retryLease.release();
      await leases.stop();
      await boss.complete(QUEUE_NAMES.chunk, retry.id);
    }, 60_000);

    it('the fetch loop takes jobs back to back while they come, and a queued job wakes it at once', async () => {
      // Jobs left waiting by the tests before (a retry) would be fetched too.
      await boss.purgeQueue(QUEUE_NAMES.chunk);
      const handled: string[] = [];
      const errors: Error[] = [];
      // A poll interval far longer than the test: only burst fetching and waking can get the jobs through.
      const loop = startJobLoop<{ runId: string }>({
        boss, queue: QUEUE_NAMES.chunk, batchSize: 2, pollMs: 60_000, onError: (e) => errors.push(e),
        handle: async (jobs) => {
          for (const job of jobs) {
            handled.push(job.data.runId);
            await boss.complete(QUEUE_NAMES.chunk, job.id);
          }
        },
      });
      try {
        await sleep(300); // the loop has found the queue empty and sleeps
        for (let i = 0; i < 5; i++) await queueJob(`r${i}`);
        wakeQueue(boss, QUEUE_NAMES.chunk);
        const started = Date.now();
        while (handled.length < 5) {
          expect(Date.now() - started).toBeLessThan(20_000);
          await sleep(50);
        }
        expect(handled.sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
        expect(errors).toEqual([]);
      } finally {
        await loop.stop();
      }
    }, 60_000);
  });
}
