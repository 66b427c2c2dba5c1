/**
 * What a worker reports as the work happens: a log line, metrics and (when
 * on) a span per committed chunk and per finished run. Built once per worker
 * from what its composition root passes in.
 */
import type { DeadLetterEntry, OutcomeCounts } from '../engine/run-types.ts';
import type { RunRow } from '../store/store.ts';
import { silentLogger, type Logger } from './logger.ts';
import { measuredFetch, observeChunk, type LedgerflowMetrics } from './metrics.ts';
import type { RunTracing } from './tracing.ts';

export interface ChunkReport {
  runId: string;
  flowId: string;
  chunkNo: number;
  seconds: number;
  counts: OutcomeCounts;
  deadLetters: readonly DeadLetterEntry[];
}

export interface WorkTelemetry {
  readonly logger: Logger;
  /** Runs a chunk's work (in a span when tracing is on). */
  chunk<T>(info: { runId: string; flowId: string; chunkNo: number; records: number }, work: () => Promise<T>): Promise<T>;
  /** A chunk was committed. */
  chunkDone(report: ChunkReport): void;
  runFinished(run: RunRow): void;
  /** The fetch HTTP targets get: timed into the HTTP-target histogram when there are metrics. */
  targetFetch(inner: typeof fetch): typeof fetch;
}

export interface WorkTelemetryOptions {
  logger?: Logger;
  metrics?: LedgerflowMetrics;
  tracing?: RunTracing | null;
}

/** Dead letters of a chunk grouped by node and class: one log line each, not one per record. */
function deadLetterGroups(deadLetters: readonly DeadLetterEntry[]) {
  const groups = new Map<string, { nodeId: string; errorClass: string; records: number; example: string }>();
  for (const d of deadLetters) {
    const key = `${d.nodeId}\u0000${d.errorClass}`;
    const g = groups.get(key);
    if (g) g.records++;
    else groups.set(key, { nodeId: d.nodeId, errorClass: d.errorClass, records: 1, example: d.error.message });
  }
  return [...groups.values()];
}

export function createWorkTelemetry(options: WorkTelemetryOptions): WorkTelemetry {
  const logger = options.logger ?? silentLogger();
  const { metrics, tracing } = options;
  return {
    logger,
    chunk: (info, work) => (tracing ? tracing.chunk(info, work) : work()),
    chunkDone(report) {
      if (metrics) observeChunk(metrics, { flowId: report.flowId, seconds: report.seconds, counts: report.counts, deadLetters: report.deadLetters });
      const ids = { runId: report.runId, flowId: report.flowId, chunkNo: report.chunkNo };
      logger.debug({ ...ids, ms: Math.round(report.seconds * 1000), counts: report.counts }, 'chunk committed');
      for (const g of deadLetterGroups(report.deadLetters)) {
        logger.warn({ ...ids, nodeId: g.nodeId, errorClass: g.errorClass, records: g.records }, `${g.records} record(s) ${g.errorClass === 'validation' ? 'quarantined' : 'dead-lettered'} at node ${g.nodeId}: ${g.example}`);
      }
    },
    runFinished(run) {
      metrics?.runs.inc({ status: run.status });
      tracing?.runFinished(run);
      const seconds = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
      const line = { runId: run.id, flowId: run.flowId, version: run.version, environment: run.environment, status: run.status, counts: run.counts, seconds, ...(run.error ? { nodeId: run.error.nodeId, error: run.error } : {}) };
      const c = run.counts;
      const msg = `run ${run.id} ${run.flowId} v${run.version ?? '-'} ${run.status}: read ${c.read} · delivered ${c.delivered} · quarantined ${c.quarantined} · dead-lettered ${c.deadLettered} · duplicate ${c.duplicate} · filtered ${c.filtered}`;
      if (run.status === 'failed') logger.error(line, `${msg} · ${run.error?.message ?? 'no reason recorded'}`);
      else logger.info(line, msg);
    },
    targetFetch: (inner) => (metrics ? measuredFetch(inner, metrics) : inner),
  };
}
