/**
 * Names and tunables of the durable queue, in one place: the pg-boss queues a
 * run's jobs go through, and how long a job may go unseen before another
 * worker takes it over.
 */

/** pg-boss queue names. A run has one `split` job; its records travel in `chunk` jobs. */
export const QUEUE_NAMES = {
  split: 'ledgerflow-split',
  chunk: 'ledgerflow-chunk',
  /** Jobs that used up their retries land here; the worker fails their run with the last error. */
  splitFailed: 'ledgerflow-split-failed',
  chunkFailed: 'ledgerflow-chunk-failed',
} as const;

export interface QueueTuning {
  /** Source records per chunk job (default 500). */
  chunkSize: number;
  /** Chunks stored and queued per transaction while a run is split (default 10). */
  chunksPerInsert: number;
  /**
   * A job whose worker stops sending heartbeats for this long is retried by
   * another worker (pg-boss minimum 10). A SIGKILLed worker's chunks are picked
   * up after this plus at most `superviseIntervalSeconds`.
   */
  heartbeatSeconds: number;
  /** How often pg-boss looks for expired jobs and lost heartbeats (default 5). */
  superviseIntervalSeconds: number;
  /** Upper bound on one chunk's processing time before it is retried (default 15 min). */
  chunkExpireSeconds: number;
  /** Upper bound on reading a whole run's input (default 4 h). */
  splitExpireSeconds: number;
  /** Attempts after the first before a job is given up and its run failed (default 10). */
  retryLimit: number;
  /** Chunk jobs a worker fetches at once; ≥ 2 keeps pg-boss fetching without pauses while work is waiting (default 2). */
  fetchBatchSize: number;
  /** Seconds between polls when idle (pg-boss minimum 0.5). */
  pollingIntervalSeconds: number;
}

export const DEFAULT_TUNING: QueueTuning = {
  chunkSize: 500,
  chunksPerInsert: 10,
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 5,
  chunkExpireSeconds: 15 * 60,
  splitExpireSeconds: 4 * 60 * 60,
  retryLimit: 10,
  fetchBatchSize: 2,
  pollingIntervalSeconds: 0.5,
};

export function tuningOf(partial: Partial<QueueTuning> = {}): QueueTuning {
  const t = { ...DEFAULT_TUNING, ...partial };
  if (!Number.isInteger(t.chunkSize) || t.chunkSize < 1) throw new Error(`chunkSize must be a whole number ≥ 1, not ${t.chunkSize}`);
  if (!Number.isInteger(t.heartbeatSeconds) || t.heartbeatSeconds < 10) throw new Error(`heartbeatSeconds must be a whole number ≥ 10 (pg-boss), not ${t.heartbeatSeconds}`);
  if (t.fetchBatchSize < 2) throw new Error('fetchBatchSize must be ≥ 2: with 1, pg-boss pauses after every fetch');
  return t;
}

/** Options every job of a queue is created with. */
export function jobOptions(t: QueueTuning, kind: 'split' | 'chunk') {
  return {
    retryLimit: t.retryLimit,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 30,
    heartbeatSeconds: t.heartbeatSeconds,
    expireInSeconds: kind === 'split' ? t.splitExpireSeconds : t.chunkExpireSeconds,
    deadLetter: kind === 'split' ? QUEUE_NAMES.splitFailed : QUEUE_NAMES.chunkFailed,
  };
}

/** Job payloads. */
export interface SplitJobData { runId: string }
export interface ChunkJobData { runId: string; chunkNo: number }
