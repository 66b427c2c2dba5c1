/**
 * One call for a process that starts runs and (usually) works on them too:
 * `serve` gets a launcher and an in-process worker over one pg-boss instance.
 */
import { openBoss, type PgBoss } from './boss.ts';
import { createRunLauncher } from './launcher.ts';
import { tuningOf } from './queue-options.ts';
import type { RunLauncher } from './run-launcher.ts';
import { createWorker, type QueueWorker, type WorkerOptions } from './worker.ts';

export interface StartQueueOptions extends Omit<WorkerOptions, 'boss'> {
  /** Run a worker in this process (default true). */
  worker?: boolean;
  /** Run pg-boss maintenance here (default true). */
  supervise?: boolean;
  /**
   * Longest a job of the in-process worker waits for incoming runs to be
   * queued first (default 250 ms; 0: no priority). Queuing a webhook is what a
   * sender waits for; running it can wait a little.
   */
  intakePriorityMs?: number;
}

export interface StartedQueue {
  launcher: RunLauncher;
  /** Null when started without a worker. */
  worker: QueueWorker | null;
  boss: PgBoss;
  /** Stops the worker (finishing the chunks in hand), then pg-boss. */
  stop(): Promise<void>;
}

export async function startQueue(options: StartQueueOptions): Promise<StartedQueue> {
  const tuning = tuningOf(options.tuning);
  const onError = (err: Error) => {
    options.logger?.error({ err }, `queue: ${err.message}`);
    options.onError?.(err);
  };
  const boss = await openBoss(options.database, { tuning, schema: options.bossSchema, supervise: options.supervise, onError });
  const launcher = createRunLauncher({ database: options.database, boss, tuning });
  const priorityMs = options.intakePriorityMs ?? 250;
  const worker = options.worker === false ? null : createWorker({
    ...options, boss, tuning,
    yieldBeforeJob: options.yieldBeforeJob ?? (priorityMs > 0 ? () => launcher.intakeIdle(priorityMs) : undefined),
  });
  try {
    await worker?.start();
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    launcher, worker, boss,
    stop: () => (stopping ??= (async () => {
      await worker?.stop();
      await boss.stop({ graceful: true, timeout: 10_000 });
    })()),
  };
}
