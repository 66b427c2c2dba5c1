/**
 * Leases on the jobs a worker holds: what heartbeats were in pg-boss 12, done
 * with pg-boss 10. A queue's jobs expire `heartbeatSeconds` after they start
 * (its `expireInSeconds`); while a worker holds a job it moves the job's start
 * forward every third of that. A worker that dies stops renewing, and pg-boss's
 * supervision fails the job (so another worker retries it) within
 * `heartbeatSeconds` plus one supervision interval.
 *
 * Renewing writes pg-boss's `job.started_on`, the column its expiry reads
 * (pg-boss 10's tables, version 24; `openBoss` refuses other versions).
 *
 * A lease is one fetch of a job (its id and retry count): a failed job comes
 * back under the same id, and one worker may fetch the retry in one loop while
 * another loop's batch still holds the failed attempt. Each has its own lease;
 * releasing the old one leaves the retry's alone.
 */
import { bossTables, leaseKey } from '../store/jobs-repo.ts';
import { schemaOfBoss, type PgBoss } from './boss.ts';

export interface JobLease {
  /** Aborted when the job was taken from this worker (its lease lapsed) or ran past its time limit. */
  readonly signal: AbortSignal;
  /** True once another worker may hold the job: then this one must neither complete nor fail it. */
  readonly lost: boolean;
  release(): void;
}

interface Held {
  queue: string;
  id: string;
  /** pg-boss counts a job's fetches in `retry_count`: the same id fetched again by another worker has a higher one. */
  retryCount: number;
  controller: AbortController;
  lost: boolean;
}

export class JobLeases {
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly boss: PgBoss,
    private readonly heartbeatSeconds: number,
    private readonly onError: (err: Error) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { this.renewing ??= this.renew().finally(() => { this.renewing = undefined; }); }, (this.heartbeatSeconds * 1000) / 3);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  /** Holds `job` of `queue` until released; gives it up after `maxSeconds`. */
  hold(queue: string, job: { id: string; retryCount: number }, maxSeconds: number): JobLease {
    const { id, retryCount } = job;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`The job took longer than its limit of ${maxSeconds} s and is given up for a retry.`)), maxSeconds * 1000);
    timer.unref();
    const key = leaseKey(id, retryCount);
    const held: Held = { queue, id, retryCount, controller, lost: false };
    this.held.set(key, held);
    return {
      signal: controller.signal,
      get lost() { return held.lost; },
      release: () => {
        clearTimeout(timer);
        if (this.held.get(key) === held) this.held.delete(key);
      },
    };
  }

  private async renew(): Promise<void> {
    const byQueue = new Map<string, Held[]>();
    for (const h of this.held.values()) if (!h.lost) byQueue.set(h.queue, [...(byQueue.get(h.queue) ?? []), h]);
    const schema = schemaOfBoss(this.boss);
    for (const [queue, leases] of byQueue) {
      try {
        const renewed = await bossTables(this.boss.getDb(), schema).renewLeases(queue, leases.map((h) => h.id), leases.map((h) => h.retryCount));
        // Each lease is judged by its own fetch: a retry fetched meanwhile under the same id is not the one that lost.
        for (const h of leases) {
          if (renewed.has(leaseKey(h.id, h.retryCount))) continue;
          h.lost = true;
          h.controller.abort(new Error('The job was taken over by another worker after this one stopped renewing it.'));
        }
      } catch (err) {
        this.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
