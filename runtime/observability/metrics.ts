/**
 * Prometheus metrics through prom-client, on a registry the composition root
 * makes and passes in (never the process-wide default, so several apps can live
 * in one process). Counters and histograms are updated where the work happens
 * (a chunk committed, a run finished, an HTTP target answered); the
 * database-wide figures of the health page are gauges refreshed at most every
 * LEDGERFLOW_METRICS_SAMPLE_SECONDS (see health-sampler.ts), never per scrape.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeadLetterEntry, OutcomeCounts } from '../engine/run-types.ts';

/** Record outcomes as the `outcome` label spells them. */
const OUTCOMES: [keyof OutcomeCounts, string][] = [
  ['delivered', 'delivered'], ['quarantined', 'quarantined'], ['deadLettered', 'dead_lettered'], ['duplicate', 'duplicate'], ['filtered', 'filtered'],
];

function instruments(registry: Registry) {
  const registers = [registry];
  return {
    records: new Counter({ name: 'ledgerflow_records_total', help: 'Records processed by this process, by flow and outcome (delivered, quarantined, dead_lettered, duplicate, filtered).', labelNames: ['flow', 'outcome'] as const, registers }),
    runs: new Counter({ name: 'ledgerflow_runs_finished_total', help: 'Runs finished by this process, by status.', labelNames: ['status'] as const, registers }),
    deadLetters: new Counter({ name: 'ledgerflow_dead_letters_total', help: 'Records quarantined or dead-lettered by this process, by error class.', labelNames: ['error_class'] as const, registers }),
    chunkSeconds: new Histogram({ name: 'ledgerflow_chunk_duration_seconds', help: 'Time to process and commit one chunk of records, by flow.', labelNames: ['flow'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers }),
    httpTargetSeconds: new Histogram({ name: 'ledgerflow_http_target_request_duration_seconds', help: 'HTTP target requests, by host and status class (2xx … 5xx, or error when no answer came).', labelNames: ['host', 'status'] as const, buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    // Database-wide figures (sampled; see health-sampler.ts).
    runsLastHour: new Gauge({ name: 'ledgerflow_runs_last_hour', help: 'Runs created in the last hour.', registers }),
    runsFailedLastHour: new Gauge({ name: 'ledgerflow_runs_failed_last_hour', help: 'Failed runs in the last hour.', registers }),
    runsWithExceptionsLastHour: new Gauge({ name: 'ledgerflow_runs_with_exceptions_last_hour', help: 'Runs with quarantined or dead-lettered records in the last hour.', registers }),
    recordsReadLastHour: new Gauge({ name: 'ledgerflow_records_read_last_hour', help: 'Records read in the last hour.', registers }),
    recordsDeliveredLastHour: new Gauge({ name: 'ledgerflow_records_delivered_last_hour', help: 'Records delivered in the last hour.', registers }),
    recordsFailedLastHour: new Gauge({ name: 'ledgerflow_records_failed_last_hour', help: 'Records quarantined or dead-lettered in the last hour, by error class.', labelNames: ['error_class'] as const, registers }),
    syncLatency: new Gauge({ name: 'ledgerflow_sync_latency_seconds', help: 'Source event time to delivery, last hour.', labelNames: ['quantile'] as const, registers }),
    runDuration: new Gauge({ name: 'ledgerflow_run_duration_seconds', help: 'Run duration, last hour.', labelNames: ['quantile'] as const, registers }),
    deadLettersOpen: new Gauge({ name: 'ledgerflow_dead_letters_open', help: 'Open dead letters.', registers }),
    deadLettersOpenByAge: new Gauge({ name: 'ledgerflow_dead_letters_open_by_age', help: 'Open dead letters by age bucket.', labelNames: ['age'] as const, registers }),
    deadLetterOldestAge: new Gauge({ name: 'ledgerflow_dead_letter_oldest_age_seconds', help: 'Age of the oldest open dead letter.', registers }),
    queueDepth: new Gauge({ name: 'ledgerflow_queue_depth', help: 'Jobs waiting.', registers }),
    queueActive: new Gauge({ name: 'ledgerflow_queue_active', help: 'Jobs being worked on.', registers }),
    workers: new Gauge({ name: 'ledgerflow_workers', help: 'Workers online (seen by their heartbeat recently).', registers }),
    sampledAt: new Gauge({ name: 'ledgerflow_health_sampled_timestamp_seconds', help: 'When the database-wide gauges were last refreshed (Unix time).', registers }),
  };
}

export type LedgerflowMetrics = ReturnType<typeof instruments> & { registry: Registry };

/** The instruments on `registry` (default: a new one); `processMetrics` adds Node's own (CPU, memory, event loop). */
export function createMetrics(options: { registry?: Registry; processMetrics?: boolean } = {}): LedgerflowMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return { registry, ...instruments(registry) };
}

/** Counts a committed chunk: its records by outcome, its dead letters by class, its duration. */
export function observeChunk(metrics: LedgerflowMetrics, chunk: { flowId: string; seconds: number; counts: OutcomeCounts; deadLetters: readonly DeadLetterEntry[] }): void {
  for (const [key, outcome] of OUTCOMES) if (chunk.counts[key]) metrics.records.inc({ flow: chunk.flowId, outcome }, chunk.counts[key]);
  for (const d of chunk.deadLetters) metrics.deadLetters.inc({ error_class: d.errorClass });
  metrics.chunkSeconds.observe({ flow: chunk.flowId }, chunk.seconds);
}

const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;

function hostOf(input: Parameters<typeof fetch>[0]): string {
  try {
    return new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).host;
  } catch {
    return 'unknown';
  }
}

/** `fetch` that times every request into the HTTP-target histogram (the runtime hands fetch to HTTP targets only). */
export function measuredFetch(inner: typeof fetch, metrics: LedgerflowMetrics): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const end = metrics.httpTargetSeconds.startTimer({ host: hostOf(input) });
    try {
      const response = await inner(input, init);
      end({ status: statusClass(response.status) });
      return response;
    } catch (err) {
      end({ status: 'error' });
      throw err;
    }
  }) as typeof fetch;
}
