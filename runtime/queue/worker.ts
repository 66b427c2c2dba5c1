/**
 * A worker: takes `split` and `chunk` jobs from pg-boss and runs them; any
 * number of workers in any number of processes share one database's work.
 * Chunk jobs are fetched several at a time with pg-boss's burst mode, so a
 * busy worker never sleeps between fetches. Heartbeats go to pg-boss (a dead
 * worker's jobs are retried elsewhere) and to the `workers` table (health).
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileSink } from '../../nodes/define-node.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { catalog as defaultCatalog } from '../../nodes/catalog.ts';
import { createFileSink, type ClosableFileSink } from '../connectors/files.ts';
import { runtimeFetch } from '../connectors/http-client.ts';
import type { RunRow, Store } from '../store/store.ts';
import { storeBackend } from '../store/queue-backend.ts';
import { heartbeatWorker, settleChunk, stopWorkerRow } from '../store/queue-repo.ts';
import type { JobWithMetadata } from 'pg-boss';
import { openBoss, type PgBoss } from './boss.ts';
import { CancelWatch } from './cancel-watch.ts';
import { runChunkJob } from './chunk-job.ts';
import { defaultConnectionsFor } from './default-connections.ts';
import { FlowCache, type ConnectionsFor } from './flow-cache.ts';
import { QUEUE_NAMES, tuningOf, type ChunkJobData, type QueueTuning, type SplitJobData } from './queue-options.ts';
import { endRun } from './run-lifecycle.ts';
import { runSplitJob } from './split-job.ts';
import { describeJobError, isPermanentJobError } from './permanent-errors.ts';
import { isConnectionError, waitForDatabase } from './database-outage.ts';
import type { QueueHooks, WorkerContext } from './worker-context.ts';
import type { Logger } from '../observability/logger.ts';
import type { LedgerflowMetrics } from '../observability/metrics.ts';
import type { RunTracing } from '../observability/tracing.ts';
import { createWorkTelemetry } from '../observability/work-telemetry.ts';

export interface WorkerOptions {
  store: Store;
  /** A started pg-boss to share (serve: one per process); otherwise the worker starts its own. */
  boss?: PgBoss;
  catalog?: NodeCatalog;
  /** Binds a flow's connections in an environment; default: Postgres connections → the store's database. */
  connectionsFor?: ConnectionsFor;
  /** Where file targets write; default the folder `out` under the working directory. */
  files?: FileSink;
  /** Default: the runtime's HTTP client (see `runtimeFetch`). */
  fetch?: typeof fetch;
  /** Chunk jobs in progress at once in this process (default 2). */
  concurrency?: number;
  tuning?: Partial<QueueTuning>;
  /** pg-boss schema (see openBoss). */
  bossSchema?: string;
  /** Milliseconds between heartbeats in the `workers` table (default 5000). */
  heartbeatMs?: number;
  hooks?: QueueHooks;
  /**
   * Awaited before each job starts: lets work of higher priority in the same
   * process go first (serve: queuing incoming runs on the one PGlite connection).
   */
  yieldBeforeJob?: () => Promise<void>;
  /** Called once for each run this worker finished (the last chunk, a failure). */
  onRunFinished?: (run: RunRow) => void;
  onError?: (err: Error) => void;
  /** Log lines of the work (runs finished, dead letters by node, errors); default: none. */
  logger?: Logger;
  /** Counters and histograms updated as chunks commit and runs finish. */
  metrics?: LedgerflowMetrics;
  /** OpenTelemetry spans of runs and chunks, when configured. */
  tracing?: RunTracing | null;
  id?: string;
}

export interface QueueWorker {
  readonly id: string;
  start(): Promise<void>;
  /** Stops taking jobs and waits for the chunks in progress to finish. */
  stop(): Promise<void>;
  counters(): { chunksDone: number; recordsDone: number };
}

export function createWorker(options: WorkerOptions): QueueWorker {
  const { store } = options;
  const id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const tuning = tuningOf(options.tuning);
  const db = storeBackend(store).db;
  const counters = { chunksDone: 0, recordsDone: 0 };
  const telemetry = createWorkTelemetry({ logger: options.logger?.child({ workerId: id }), metrics: options.metrics, tracing: options.tracing });
  const report = (err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    telemetry.logger.error({ err: error }, `queue worker: ${error.message}`);
    options.onError?.(error);
  };
  let boss: PgBoss | undefined;
  let ownBoss = false;
  let ownFiles: ClosableFileSink | undefined;
  let ctx: WorkerContext | undefined;
  let timers: NodeJS.Timeout[] = [];
  let started = false;
  let stopping = new AbortController();

  const beat = () => heartbeatWorker(db, { id, host: hostname(), pid: process.pid, ...counters }).catch(report);

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    stopping = new AbortController();
    boss = options.boss;
    if (!boss) {
      boss = await openBoss(store, { tuning, schema: options.bossSchema, onError: report });
      ownBoss = true;
    }
    const cancels = new CancelWatch(db);
    ctx = {
      store, db, boss, tuning, workerId: id, cancels, counters,
      flows: new FlowCache({ store, catalog: options.catalog ?? defaultCatalog, connectionsFor: options.connectionsFor ?? defaultConnectionsFor(store) }),
      files: options.files ?? (ownFiles = createFileSink(resolve('out'))),
      fetch: telemetry.targetFetch(options.fetch ?? runtimeFetch()),
      hooks: options.hooks ?? {},
      telemetry,
      onRunFinished: (run) => {
        telemetry.runFinished(run);
        options.onRunFinished?.(run);
      },
    };
    const c = ctx;
    await beat();
    timers = [
      setInterval(beat, options.heartbeatMs ?? 5000),
      setInterval(() => { cancels.poll().catch(report); }, 1000),
    ];
    for (const t of timers) t.unref();

    // NOTIFY wakes a worker when a job is queued, but not when a failed job's retry
    // comes due: the backstop poll must stay short for retries to happen promptly.
    const polling = { pollingIntervalSeconds: tuning.pollingIntervalSeconds, notifyPollingIntervalSeconds: Math.max(1, tuning.pollingIntervalSeconds) };
    const yieldFirst = options.yieldBeforeJob ?? (async () => {});
    await boss.work<SplitJobData>(QUEUE_NAMES.split, { batchSize: 1, ...polling }, async ([job]) => {
      await yieldFirst();
      try {
        await runSplitJob(c, job.data.runId, job.signal);
      } catch (err) {
        if (isConnectionError(err)) await waitForDatabase(db, { signal: stopping.signal });
        throw err;
      }
    });
    await boss.work<ChunkJobData>(QUEUE_NAMES.chunk, {
      batchSize: tuning.fetchBatchSize,
      burstWhenBatchFull: true,
      ...polling,
      localConcurrency: Math.max(1, options.concurrency ?? 2),
      perJobResults: true,
    }, async (jobs) => {
      // One after another: records are evaluated sequentially (see FACTS.md); concurrency comes from localConcurrency.
      const results = [];
      // In chunk order: a run's records are written in the order they were read, as far as one worker can.
      for (const job of [...jobs].sort((x, y) => x.data.chunkNo - y.data.chunkNo)) {
        await yieldFirst();
        try {
          await runChunkJob(c, job.data.runId, job.data.chunkNo, job.signal);
          results.push({ id: job.id, status: 'completed' as const });
        } catch (err) {
          report(err);
          // The database went away mid-chunk: the chunk's transaction did not commit. Retry it once the database is back.
          if (isConnectionError(err)) await waitForDatabase(db, { signal: stopping.signal });
          // A flow that cannot be prepared (a missing version or reference set) or a record the store
          // refuses (a NUL character) fails the same way on every attempt: straight to the failed-jobs
          // queue, which fails the run.
          const hopeless = isPermanentJobError(err);
          results.push({ id: job.id, status: hopeless ? 'deadletter' as const : 'failed' as const, output: { message: describeJobError(err) } });
        }
      }
      return results;
    });
    await boss.work(QUEUE_NAMES.splitFailed, { batchSize: 1, includeMetadata: true, ...polling }, async ([job]: JobWithMetadata<SplitJobData>[]) => {
      const ended = await endRun(db, job.data.runId, 'failed', {
        errorClass: 'permanent', code: 'RUN_READ_FAILED',
        message: `The input of run ${job.data.runId} could not be read after ${attempts(job)}: ${lastError(job.sourceOutput)}`,
      });
      if (ended) c.onRunFinished(ended);
    });
    await boss.work(QUEUE_NAMES.chunkFailed, { batchSize: 1, includeMetadata: true, ...polling }, async ([job]: JobWithMetadata<ChunkJobData>[]) => {
      const { runId, chunkNo } = job.data;
      const error = {
        errorClass: 'permanent' as const, code: 'CHUNK_FAILED',
        message: `Records of chunk ${chunkNo} of run ${runId} could not be processed after ${attempts(job)}: ${lastError(job.sourceOutput)}`,
      };
      await db.transaction((tx) => settleChunk(tx, runId, chunkNo, { status: 'failed', error }));
      const ended = await endRun(db, runId, 'failed', error);
      if (ended) c.onRunFinished(ended);
    });
  }

  async function stop(): Promise<void> {
    if (!started || !boss) return;
    started = false;
    stopping.abort();
    // Stop fetching and wait for the jobs in hand (each finishes its chunk).
    for (const name of Object.values(QUEUE_NAMES)) await boss.offWork(name, { wait: true }).catch(report);
    for (const t of timers) clearInterval(t);
    timers = [];
    await stopWorkerRow(db, id).catch(report);
    await ctx?.flows.close();
    await ownFiles?.close().catch(report);
    if (ownBoss) await boss.stop({ graceful: true, timeout: 10_000 }).catch(report);
    boss = undefined;
  }

  return { id, start, stop, counters: () => ({ ...counters }) };
}

/** How many times the job that landed in a failed-jobs queue was tried. */
function attempts(job: JobWithMetadata<unknown>): string {
  const n = (job.sourceRetryCount ?? 0) + 1;
  return n === 1 ? '1 attempt' : `${n} attempts`;
}

function lastError(output: unknown): string {
  const o = output as { message?: unknown } | null;
  return typeof o?.message === 'string' ? o.message : output ? JSON.stringify(output) : 'no error was recorded';
}
