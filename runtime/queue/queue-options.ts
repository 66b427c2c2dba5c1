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
   * A job whose worker stops renewing its lease for this long is retried by
   * another worker (see job-leases.ts). A SIGKILLed worker's chunks are picked
   * up after this plus at most `superviseIntervalSeconds` and the first retry delay (1–2 s).
   */
  heartbeatSeconds: number;
  /** How often pg-boss looks for jobs whose lease lapsed, and archives finished ones (default 5). */
  superviseIntervalSeconds: number;
  /** Upper bound on one chunk's processing time before it is retried (default 15 min). */
  chunkExpireSeconds: number;
  /** Upper bound on reading a whole run's input (default 4 h). */
  splitExpireSeconds: number;
  /**
   * Attempts after the first before a job is given up and its run failed
   * (default 7: retried after about 1, 2, 4 … 64 s, 2–4 minutes in all).
   */
  retryLimit: number;
  /** Chunk jobs a worker fetches at once (default 2). */
  fetchBatchSize: number;
  /** Seconds between polls of an idle queue; a worker that found jobs fetches again at once (default 0.5). */
  pollingIntervalSeconds: number;
}

export const DEFAULT_TUNING: QueueTuning = {
  chunkSize: 500,
  chunksPerInsert: 10,
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 5,
  chunkExpireSeconds: 15 * 60,
  splitExpireSeconds: 4 * 60 * 60,
  retryLimit: 7,
  fetchBatchSize: 2,
  pollingIntervalSeconds: 0.5,
};

export function tuningOf(partial: Partial<QueueTuning> = {}): QueueTuning {
  const t = { ...DEFAULT_TUNING, ...partial };
  if (!Number.isInteger(t.chunkSize) || t.chunkSize < 1) throw new Error(`chunkSize must be a whole number ≥ 1, not ${t.chunkSize}`);
  if (!Number.isInteger(t.heartbeatSeconds) || t.heartbeatSeconds < 3) throw new Error(`heartbeatSeconds must be a whole number ≥ 3, not ${t.heartbeatSeconds}`);
  if (!Number.isInteger(t.fetchBatchSize) || t.fetchBatchSize < 1) throw new Error(`fetchBatchSize must be a whole number ≥ 1, not ${t.fetchBatchSize}`);
  if (!(t.pollingIntervalSeconds > 0)) throw new Error(`pollingIntervalSeconds must be above 0, not ${t.pollingIntervalSeconds}`);
  return t;
}

/**
 * Options of a queue and every job in it. pg-boss 10 doubles the retry delay
 * from 1 s without a ceiling, so the retry limit bounds the wait. A job
 * expires (and is retried) when its lease is not renewed for `heartbeatSeconds`;
 * the worker itself gives up a job after `maxSeconds`.
 */
export function jobOptions(t: QueueTuning, kind: 'split' | 'chunk') {
  return {
    retryLimit: t.retryLimit,
    retryDelay: 1,
    retryBackoff: true,
    expireInSeconds: t.heartbeatSeconds,
    deadLetter: kind === 'split' ? QUEUE_NAMES.splitFailed : QUEUE_NAMES.chunkFailed,
  };
}

/** Longest a worker works on one job of this kind before giving it up for a retry. */
export function jobMaxSeconds(t: QueueTuning, kind: 'split' | 'chunk'): number {
  return kind === 'split' ? t.splitExpireSeconds : t.chunkExpireSeconds;
}

/** Job payloads. */
export interface SplitJobData { runId: string }
export interface ChunkJobData { runId: string; chunkNo: number }
