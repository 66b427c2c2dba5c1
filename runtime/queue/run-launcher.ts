/**
 * The seam between whoever starts runs (API, webhooks, schedules, polling,
 * replays) and the durable queue that executes them across workers.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import type { RunRow } from '../store/store.ts';
import type { QueuedRunRow } from '../store/jobs-repo.ts';
import type { GivenRecord } from '../engine/run-flow.ts';

/** What a queued run reads. Input bytes are stored durably with the run before it is queued. */
export type QueuedRunInput =
  | { kind: 'document'; name: string; bytes: Uint8Array }
  | { kind: 'records'; records: GivenRecord[] }
  | { kind: 'source' };

/** A run to start: its row as the store writes it (jobs-repo.ts), without the id it is given. */
export interface RunRequest extends Omit<QueuedRunRow, 'id' | 'input'> {
  input: QueuedRunInput;
  /**
   * The hash of the webhook signature this run consumes. It is recorded in the
   * same transaction as the run: a signature already used makes `enqueue`
   * throw SignatureReplayedError with nothing queued, and a run that could not
   * be queued leaves the signature unused, so the sender may retry it.
   */
  webhookSignature?: string;
  /**
   * Written in the run's own transaction (e.g. its audit entries): the run is
   * queued with them or not at all. A failure here fails the enqueue.
   */
  alongside?: (tx: SqlClient, run: RunRow) => Promise<void>;
}

/** A webhook signature that was already used: the request is a replay and nothing was queued. */
export class SignatureReplayedError extends Error {
  constructor() {
    super('this signature was already used (replayed request)');
    this.name = 'SignatureReplayedError';
  }
}

export interface RunLauncher {
  /**
   * Creates the run row and its job in one transaction: once this resolves the
   * run is durably queued and a worker will pick it up, even after a crash.
   */
  enqueue(request: RunRequest): Promise<RunRow>;
  /** Stops a queued or running run; chunks not yet processed are skipped. */
  cancel(runId: string, by: string): Promise<RunRow | null>;
  /** Jobs waiting and active, and workers seen recently (for /readyz, health and metrics). */
  stats(): Promise<{ queued: number; active: number; workers: { id: string; lastSeenAt: string; chunksDone: number }[] }>;
}
