/**
 * The RunLauncher over pg-boss: a run row, its stored input and its `split`
 * job are written in one transaction, so a worker never sees a job whose run
 * does not exist and a run never waits for a job that was not queued.
 * Requests arriving together share that transaction (group commit): one
 * commit for many webhooks, each answered only after it.
 */
import type { RunRow } from '../store/store.ts';
import type { Database } from '../store/database.ts';
import { listLiveWorkers } from '../store/queue-repo.ts';
import type { PgBoss } from './boss.ts';
import { enqueueBatch, requestProblem, requestSize } from './enqueue-batch.ts';
import { createGroupCommit, type GroupCommit } from './group-commit.ts';
import { wakeQueue } from './job-loop.ts';
import { QUEUE_NAMES, tuningOf, type QueueTuning } from './queue-options.ts';
import { endRun } from './run-lifecycle.ts';
import type { RunLauncher, RunRequest } from './run-launcher.ts';

export interface LauncherOptions {
  database: Database;
  boss: PgBoss;
  tuning?: Partial<QueueTuning>;
  /** Workers not seen for this long are left out of `stats()` (default 60 s). */
  workerSeenWithinSeconds?: number;
  /** Group commit of enqueues (see group-commit.ts): at most this many runs per transaction (default 200). */
  maxRunsPerCommit?: number;
  /** Milliseconds a lone enqueue waits for others to share its transaction (default 0). */
  commitWindowMs?: number;
}

/** The pg-boss launcher, plus how its group commits went (benchmarks, tests). */
export interface QueueRunLauncher extends RunLauncher {
  commitStats(): ReturnType<GroupCommit<RunRequest, RunRow>['stats']>;
  /**
   * Resolves when no enqueue is waiting or being written, or after `maxWaitMs`.
   * A worker in the same process waits for this before each job, so incoming
   * runs are queued first and run with what is left (see startQueue).
   */
  intakeIdle(maxWaitMs: number): Promise<void>;
}

export function createRunLauncher(options: LauncherOptions): QueueRunLauncher {
  const { database, boss } = options;
  const { store, db } = database;
  const tuning = tuningOf(options.tuning);
  const commits = createGroupCommit<RunRequest, RunRow>({
    write: async (requests) => {
      const outcomes = await enqueueBatch(db, boss, tuning, requests);
      wakeQueue(boss, QUEUE_NAMES.split);
      return outcomes;
    },
    maxItems: options.maxRunsPerCommit,
    windowMs: options.commitWindowMs,
    sizeOf: requestSize,
  });

  return {
    async enqueue(request: RunRequest): Promise<RunRow> {
      const problem = requestProblem(request);
      if (problem) throw problem;
      return commits.submit(request);
    },

    commitStats: () => commits.stats(),

    intakeIdle(maxWaitMs: number): Promise<void> {
      if (commits.idle()) return Promise.resolve();
      return new Promise((resolveIdle) => {
        const timer = setTimeout(resolveIdle, maxWaitMs);
        void commits.drain().then(() => {
          clearTimeout(timer);
          resolveIdle();
        });
      });
    },

    async cancel(runId: string, by: string): Promise<RunRow | null> {
      await endRun(db, runId, 'cancelled', { errorClass: 'permanent', code: 'RUN_CANCELLED', message: `Cancelled by ${by}` });
      return store.getRun(runId);
    },

    async stats() {
      let queued = 0;
      let active = 0;
      for (const name of [QUEUE_NAMES.split, QUEUE_NAMES.chunk]) {
        const waiting = await boss.getQueueSize(name);
        queued += waiting;
        active += (await boss.getQueueSize(name, { before: 'completed' })) - waiting;
      }
      const workers = await listLiveWorkers(db, options.workerSeenWithinSeconds ?? 60);
      return {
        queued,
        active,
        workers: workers.map((w) => ({ id: w.id, lastSeenAt: w.lastSeenAt, chunksDone: w.chunksDone })),
      };
    },
  };
}
