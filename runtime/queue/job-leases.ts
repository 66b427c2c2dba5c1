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
 */
import { bossTables } from '../store/jobs-repo.ts';
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
    const held: Held = { queue, retryCount, controller, lost: false };
    this.held.set(id, held);
    return {
      signal: controller.signal,
      get lost() { return held.lost; },
      release: () => {
        clearTimeout(timer);
        this.held.delete(id);
      },
    };
  }

  private async renew(): Promise<void> {
    const byQueue = new Map<string, string[]>();
    for (const [id, h] of this.held) if (!h.lost) byQueue.set(h.queue, [...(byQueue.get(h.queue) ?? []), id]);
    const schema = schemaOfBoss(this.boss);
    for (const [queue, ids] of byQueue) {
      try {
        const counts = ids.map((id) => this.held.get(id)?.retryCount ?? -1);
        const renewed = await bossTables(this.boss.getDb(), schema).renewLeases(queue, ids, counts);
        for (const id of ids) {
          const h = this.held.get(id);
          if (!h || renewed.has(id)) continue;
          h.lost = true;
          h.controller.abort(new Error('The job was taken over by another worker after this one stopped renewing it.'));
        }
      } catch (err) {
        this.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
