/**
 * A worker's fetch loop over one pg-boss queue: fetch a batch, handle it,
 * and fetch again at once while jobs keep coming (no pause between batches
 * while work is waiting); an empty queue is polled every `pollMs`, and a job
 * queued in this process wakes its loops at once (`wakeQueue`).
 */
import type { PgBoss, QueueJob } from './boss.ts';

export interface JobLoopOptions<T> {
  boss: PgBoss;
  queue: string;
  batchSize: number;
  pollMs: number;
  /** Awaited before each fetch: the loop takes no job while it waits (other workers may). */
  beforeFetch?: () => Promise<void>;
  handle(jobs: QueueJob<T>[]): Promise<void>;
  onError(err: Error): void;
}

export interface JobLoop {
  /** Stops fetching and waits for the batch in hand. */
  stop(): Promise<void>;
}

const wakers = new WeakMap<PgBoss, Map<string, Set<() => void>>>();

/** Wakes this process's idle loops on `queue`: call after a transaction that queued jobs has committed. */
export function wakeQueue(boss: PgBoss, queue: string): void {
  for (const wake of wakers.get(boss)?.get(queue) ?? []) wake();
}

function register(boss: PgBoss, queue: string, wake: () => void): () => void {
  let byQueue = wakers.get(boss);
  if (!byQueue) wakers.set(boss, (byQueue = new Map()));
  let set = byQueue.get(queue);
  if (!set) byQueue.set(queue, (set = new Set()));
  set.add(wake);
  return () => set.delete(wake);
}

export function startJobLoop<T>(options: JobLoopOptions<T>): JobLoop {
  const { boss, queue } = options;
  let stopping = false;
  let woken = false;
  let wake: (() => void) | undefined;
  const unregister = register(boss, queue, () => {
    woken = true;
    wake?.();
  });

  const idle = () => new Promise<void>((resolve) => {
    const timer = setTimeout(done, options.pollMs);
    function done() {
      clearTimeout(timer);
      wake = undefined;
      resolve();
    }
    wake = done;
  });

  const running = (async () => {
    while (!stopping) {
      woken = false;
      let jobs: QueueJob<T>[] = [];
      try {
        await options.beforeFetch?.();
        if (stopping) break;
        jobs = await boss.fetch<T>(queue, { batchSize: options.batchSize, includeMetadata: true });
        if (jobs.length) await options.handle(jobs);
      } catch (err) {
        options.onError(err instanceof Error ? err : new Error(String(err)));
      }
      // Jobs came: there may be more. Nothing came: wait, unless a job was queued meanwhile.
      if (!jobs.length && !woken && !stopping) await idle();
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await running;
      unregister();
    },
  };
}
