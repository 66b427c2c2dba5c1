/**
 * A worker: takes `split` and `chunk` jobs from pg-boss and runs them; any
 * number of workers in any number of processes share one database's work.
 * Chunk jobs are fetched several at a time, and fetched again at once while
 * work is waiting (job-loop.ts). The worker renews a lease on every job it
 * holds (a dead worker's jobs are retried elsewhere, job-leases.ts) and
 * heartbeats in the `workers` table (health).
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileSink } from '../../nodes/define-node.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { catalog as defaultCatalog } from '../../nodes/catalog.ts';
import { createEvaluatorRegistry, type EvaluatorRegistry } from '../evaluators.ts';
import { createFileSink, type ClosableFileSink } from '../connectors/files.ts';
import { runtimeFetch } from '../connectors/http-client.ts';
import type { RunRow } from '../store/store.ts';
import type { Database } from '../store/database.ts';
import { heartbeatWorker, stopWorkerRow } from '../store/queue-repo.ts';
import { openBoss, type PgBoss, type QueueJob } from './boss.ts';
import { CancelWatch } from './cancel-watch.ts';
import { runChunkJob } from './chunk-job.ts';
import { defaultConnectionsFor } from './default-connections.ts';
import { failChunkRun, failChunkRunOfJob, failSplitRun, failureOutput } from './failed-jobs.ts';
import { FlowCache, type ConnectionsFor } from './flow-cache.ts';
import { JobLeases } from './job-leases.ts';
import { startJobLoop, wakeQueue, type JobLoop } from './job-loop.ts';
import { QUEUE_NAMES, jobMaxSeconds, tuningOf, type ChunkJobData, type QueueTuning, type SplitJobData } from './queue-options.ts';
import { runSplitJob } from './split-job.ts';
import { SplitPriority } from './split-priority.ts';
import { describeJobError, isPermanentJobError } from './permanent-errors.ts';
import { isConnectionError, waitForDatabase } from './database-outage.ts';
import type { QueueHooks, WorkerContext } from './worker-context.ts';
import type { Logger } from '../observability/logger.ts';
import type { LedgerflowMetrics } from '../observability/metrics.ts';
import type { RunTracing } from '../observability/tracing.ts';
import { createWorkTelemetry } from '../observability/work-telemetry.ts';

export interface WorkerOptions {
  /** The database the work is in (runs, chunks, traces, pg-boss's jobs). */
  database: Database;
  /** A started pg-boss to share (serve: one per process); otherwise the worker starts its own. */
  boss?: PgBoss;
  catalog?: NodeCatalog;
  /** The JSONata evaluators flows run with (runtime/evaluators.ts); default: a new registry for this worker. */
  evaluators?: EvaluatorRegistry;
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
  const { database } = options;
  const { store, db } = database;
  const id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const tuning = tuningOf(options.tuning);
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
  let leases: JobLeases | undefined;
  let loops: JobLoop[] = [];
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
      boss = await openBoss(database, { tuning, schema: options.bossSchema, onError: report });
      ownBoss = true;
    }
    const b = boss;
    const cancels = new CancelWatch(database.jobs);
    const splits = new SplitPriority();
    ctx = {
      store, db, boss, tuning, workerId: id, cancels, splits, counters,
      flows: new FlowCache({ store, catalog: options.catalog ?? defaultCatalog, evaluators: options.evaluators ?? createEvaluatorRegistry(), connectionsFor: options.connectionsFor ?? defaultConnectionsFor(database) }),
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
    const held = (leases = new JobLeases(b, tuning.heartbeatSeconds, report));
    held.start();
    await beat();
    timers = [
      setInterval(beat, options.heartbeatMs ?? 5000),
      setInterval(() => { cancels.poll().catch(report); }, 1000),
    ];
    for (const t of timers) t.unref();

    const yieldFirst = options.yieldBeforeJob ?? (async () => {});
    const pollMs = tuning.pollingIntervalSeconds * 1000;

    /**
     * Runs a fetched batch one job after another (records are evaluated
     * sequentially, see FACTS.md; concurrency comes from several loops), each
     * under a lease taken for the whole batch at once, so the jobs waiting their
     * turn do not lapse. Then completes or fails each job with pg-boss, unless
     * its lease was lost (another worker may hold it by then).
     */
    async function runBatch<T>(queue: string, kind: 'split' | 'chunk', jobs: QueueJob<T>[], work: (job: QueueJob<T>, signal: AbortSignal) => Promise<void>) {
      const leased = jobs.map((job) => ({ job, lease: held.hold(queue, job, jobMaxSeconds(tuning, kind)) }));
      try {
        for (const { job, lease } of leased) {
          try {
            await yieldFirst();
            await work(job, lease.signal);
            if (!lease.lost) await b.complete(queue, job.id);
          } catch (err) {
            report(err);
            // The database went away mid-job: its transaction did not commit. Retry once the database is back.
            if (isConnectionError(err)) await waitForDatabase(database.jobs, { signal: stopping.signal });
            if (lease.lost) continue;
            const attempts = job.retryCount + 1;
            // A flow that cannot be prepared (a missing version or reference set) or a record the store
            // refuses (a NUL character, a record nested too deeply) fails the same way on every attempt:
            // its run fails now instead of after every retry.
            if (kind === 'chunk' && isPermanentJobError(err)) {
              await failChunkRun(c, job.data as ChunkJobData, attempts, describeJobError(err));
              await b.complete(queue, job.id);
              continue;
            }
            await b.fail(queue, job.id, failureOutput(err, attempts));
            // Out of retries, it is now in the failed-jobs queue: that loop can take it at once.
            wakeQueue(b, kind === 'split' ? QUEUE_NAMES.splitFailed : QUEUE_NAMES.chunkFailed);
          }
        }
      } finally {
        for (const { lease } of leased) lease.release();
      }
    }

    const loop = <T>(queue: string, batchSize: number, handle: (jobs: QueueJob<T>[]) => Promise<void>, beforeFetch?: () => Promise<void>) =>
      startJobLoop<T>({ boss: b, queue, batchSize, pollMs, handle, beforeFetch, onError: report });
    loops = [
      loop<SplitJobData>(QUEUE_NAMES.split, 1, (jobs) => runBatch(QUEUE_NAMES.split, 'split', jobs, (job, signal) => runSplitJob(c, job.data.runId, signal))),
      ...Array.from({ length: Math.max(1, options.concurrency ?? 2) }, () => loop<ChunkJobData>(QUEUE_NAMES.chunk, tuning.fetchBatchSize, (jobs) =>
        // In chunk order: a run's records are written in the order they were read, as far as one worker can.
        runBatch(QUEUE_NAMES.chunk, 'chunk', [...jobs].sort((x, y) => x.data.chunkNo - y.data.chunkNo), async (job, signal) => {
          await runChunkJob(c, job.data.runId, job.data.chunkNo, signal);
        }), () => splits.beforeChunk())),
      loop<SplitJobData>(QUEUE_NAMES.splitFailed, 1, ([job]) => settleFailed(QUEUE_NAMES.splitFailed, job, () => failSplitRun(c, job))),
      loop<ChunkJobData>(QUEUE_NAMES.chunkFailed, 1, ([job]) => settleFailed(QUEUE_NAMES.chunkFailed, job, () => failChunkRunOfJob(c, job))),
    ];

    async function settleFailed(queue: string, job: QueueJob<unknown>, failRun: () => Promise<void>) {
      try {
        await failRun();
        await b.complete(queue, job.id);
      } catch (err) {
        report(err);
        await b.fail(queue, job.id, failureOutput(err, job.retryCount + 1));
      }
    }
  }

  async function stop(): Promise<void> {
    if (!started || !boss) return;
    started = false;
    stopping.abort();
    // Stop fetching and wait for the jobs in hand (each finishes its chunk).
    await Promise.all(loops.map((l) => l.stop()));
    loops = [];
    await leases?.stop();
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
