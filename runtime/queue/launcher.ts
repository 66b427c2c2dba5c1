/**
 * The RunLauncher over pg-boss: a run row, its stored input and its `split`
 * job are written in one transaction, so a worker never sees a job whose run
 * does not exist and a run never waits for a job that was not queued.
 */
import { FlowError } from '../../nodes/errors.ts';
import type { RunRow, Store } from '../store/store.ts';
import { storeBackend } from '../store/queue-backend.ts';
import { runsRepo } from '../store/runs-repo.ts';
import { newRunId } from '../store/ids.ts';
import { insertRunInput, listLiveWorkers } from '../store/queue-repo.ts';
import { bossDbOf, type PgBoss } from './boss.ts';
import { QUEUE_NAMES, jobOptions, tuningOf, type QueueTuning, type SplitJobData } from './queue-options.ts';
import { endRun } from './run-lifecycle.ts';
import type { RunLauncher, RunRequest } from './run-launcher.ts';

export interface LauncherOptions {
  store: Store;
  boss: PgBoss;
  tuning?: Partial<QueueTuning>;
  /** Workers not seen for this long are left out of `stats()` (default 60 s). */
  workerSeenWithinSeconds?: number;
}

export function createRunLauncher(options: LauncherOptions): RunLauncher {
  const { store, boss } = options;
  const db = storeBackend(store).db;
  const tuning = tuningOf(options.tuning);

  return {
    async enqueue(request: RunRequest): Promise<RunRow> {
      const version = await store.getVersion(request.flowId, request.version);
      if (!version) throw new FlowError('validation', `flow '${request.flowId}' has no version ${request.version}`);
      const input = request.input;
      return db.transaction(async (tx) => {
        const run = await runsRepo(tx).createRun({
          id: newRunId(), flowId: request.flowId, version: request.version, environment: request.environment,
          trigger: request.trigger, triggerRef: request.triggerRef ?? null, replayOf: request.replayOf ?? null,
        });
        await insertRunInput(tx, run.id, {
          kind: input.kind,
          name: input.kind === 'document' ? input.name : null,
          bytes: input.kind === 'document' ? input.bytes : null,
          records: input.kind === 'records' ? input.records : null,
          replayDeadLetterIds: request.replayDeadLetterIds ?? [],
          requestedBy: request.requestedBy,
        });
        await boss.send(QUEUE_NAMES.split, { runId: run.id } satisfies SplitJobData, { ...jobOptions(tuning, 'split'), db: bossDbOf(tx) });
        return run;
      });
    },

    async cancel(runId: string, by: string): Promise<RunRow | null> {
      await endRun(db, runId, 'cancelled', { errorClass: 'permanent', code: 'RUN_CANCELLED', message: `Cancelled by ${by}` });
      return store.getRun(runId);
    },

    async stats() {
      const queues = await boss.getQueues([QUEUE_NAMES.split, QUEUE_NAMES.chunk]);
      const workers = await listLiveWorkers(db, options.workerSeenWithinSeconds ?? 60);
      return {
        queued: queues.reduce((n, q) => n + Number(q.queuedCount ?? 0), 0),
        active: queues.reduce((n, q) => n + Number(q.activeCount ?? 0), 0),
        workers: workers.map((w) => ({ id: w.id, lastSeenAt: w.lastSeenAt, chunksDone: w.chunksDone })),
      };
    },
  };
}
