/**
 * Optional OpenTelemetry tracing of runs and chunks (on when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set). A run's chunks are processed by any
 * worker in any process, so no process holds a span open for the whole run:
 * the run's trace id and span id are derived from its id, each chunk is a span
 * whose parent is that run span, and the run span itself is recorded when the
 * run finishes, with the run's own start and end times.
 */
import { createHash } from 'node:crypto';
import { ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type Context, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, SimpleSpanProcessor, type IdGenerator, type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { RunRow } from '../store/store.ts';

/** Span ids of the span being started are the run's own when pinned (see `pin`). */
class RunIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  pinned: { traceId: string; spanId: string } | null = null;
  generateTraceId = () => this.pinned?.traceId ?? this.random.generateTraceId();
  generateSpanId = () => this.pinned?.spanId ?? this.random.generateSpanId();
}

/** The run's trace and span ids: the same in every process. */
export function runSpanIds(runId: string): { traceId: string; spanId: string } {
  const hex = createHash('sha256').update(`ledgerflow-run:${runId}`).digest('hex');
  return { traceId: hex.slice(0, 32), spanId: hex.slice(32, 48) };
}

export interface RunTracing {
  /** Runs `work` in a span of the chunk, a child of its run's span. */
  chunk<T>(info: { runId: string; flowId: string; chunkNo: number; records: number }, work: () => Promise<T>): Promise<T>;
  /** Records the run's span (start to finish) when the run ended. */
  runFinished(run: RunRow): void;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP collector base URL: spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Instead of the OTLP exporter (tests: an in-memory exporter, spans exported at once). */
  exporter?: SpanExporter;
}

/** Tracing as configured, or null when there is neither an endpoint nor an exporter. */
export function createRunTracing(options: TracingOptions): RunTracing | null {
  if (!options.endpoint && !options.exporter) return null;
  const ids = new RunIdGenerator();
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new BasicTracerProvider({ idGenerator: ids, spanProcessors: [processor] });
  const tracer: Tracer = provider.getTracer('ledgerflow');

  const runContext = (runId: string): Context => trace.setSpanContext(ROOT_CONTEXT, { ...runSpanIds(runId), traceFlags: TraceFlags.SAMPLED, isRemote: true });

  return {
    async chunk(info, work) {
      const span = tracer.startSpan('ledgerflow.chunk', {
        attributes: { 'ledgerflow.run_id': info.runId, 'ledgerflow.flow_id': info.flowId, 'ledgerflow.chunk_no': info.chunkNo, 'ledgerflow.records': info.records },
      }, runContext(info.runId));
      try {
        return await work();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
    runFinished(run) {
      ids.pinned = runSpanIds(run.id);
      let span;
      try {
        span = tracer.startSpan('ledgerflow.run', {
          root: true,
          startTime: run.startedAt ? new Date(run.startedAt) : new Date(run.createdAt),
          attributes: {
            'ledgerflow.run_id': run.id, 'ledgerflow.flow_id': run.flowId, 'ledgerflow.version': run.version ?? -1,
            'ledgerflow.environment': run.environment ?? '', 'ledgerflow.status': run.status, 'ledgerflow.trigger': run.trigger,
            'ledgerflow.records_read': run.counts.read, 'ledgerflow.records_delivered': run.counts.delivered,
          },
        });
      } finally {
        ids.pinned = null;
      }
      if (run.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: run.error?.message ?? 'failed' });
      span.end(run.finishedAt ? new Date(run.finishedAt) : new Date());
    },
    shutdown: () => provider.shutdown(),
  };
}
