/**
 * What a worker reports as the work happens: metrics counted where chunks
 * commit and runs finish, one JSON log line per event with run, flow and node
 * ids, and (with tracing on) a span per chunk under its run's span.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { createMetrics } from '../../../runtime/observability/metrics.ts';
import { createRunTracing, runSpanIds } from '../../../runtime/observability/tracing.ts';
import { captureLogger } from '../observability/capture-logger.ts';
import { TEST_TUNING, jsonlInput, openBackend, records, setUpFlow, waitForRun, type OpenedBackend } from './queue-fixtures.ts';

describe('worker telemetry', () => {
  let b: OpenedBackend;
  let queue: StartedQueue | undefined;

  beforeEach(async () => {
    b = await openBackend('pglite');
    await setUpFlow(b.database);
  });

  afterEach(async () => {
    await queue?.stop();
    await b.cleanup();
  });

  it('counts records, runs and dead letters as chunks commit, logs JSON lines with ids, and traces chunks under their run', async () => {
    const { logger, lines } = captureLogger('debug');
    const metrics = createMetrics();
    const exporter = new InMemorySpanExporter();
    const tracing = createRunTracing({ exporter })!;
    queue = await startQueue({ database: b.database, tuning: TEST_TUNING, logger, metrics, tracing });
    const queued = await queue.launcher.enqueue({
      flowId: 'queue-test', version: 1, environment: 'dev', trigger: 'manual', requestedBy: 'tester',
      input: jsonlInput(records(10, (i) => (i === 3 || i === 7 ? '-5' : `${i}.10`))),
    });
    const run = await waitForRun(b.store, queued.id);
    expect(run.status).toBe('completed_with_exceptions');
    // The finishing worker reports after the run row is final: wait for its line.
    await expect.poll(() => lines.some((l) => l.msg.startsWith(`run ${run.id}`)), { timeout: 10_000 }).toBe(true);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledgerflow_records_total\{flow="queue-test",outcome="delivered"\} 8$/m);
    expect(text).toMatch(/^ledgerflow_records_total\{flow="queue-test",outcome="quarantined"\} 2$/m);
    expect(text).toMatch(/^ledgerflow_runs_finished_total\{status="completed_with_exceptions"\} 1$/m);
    expect(text).toMatch(/^ledgerflow_dead_letters_total\{error_class="validation"\} 2$/m);
    // 10 records in chunks of 4.
    expect(text).toMatch(/^ledgerflow_chunk_duration_seconds_count\{flow="queue-test"\} 3$/m);

    for (const line of lines) {
      expect(line.level).toMatch(/^(debug|info|warn|error)$/);
      expect(Date.parse(line.time)).not.toBeNaN();
    }
    const finished = lines.find((l) => l.msg.startsWith(`run ${run.id}`))!;
    expect(finished).toMatchObject({ level: 'info', runId: run.id, flowId: 'queue-test', status: 'completed_with_exceptions', counts: { read: 10, delivered: 8, quarantined: 2 } });
    expect(finished.msg).toContain('completed_with_exceptions: read 10 · delivered 8 · quarantined 2');
    const quarantined = lines.filter((l) => l.level === 'warn' && l.runId === run.id);
    expect(quarantined.length).toBeGreaterThanOrEqual(1);
    expect(quarantined[0]).toMatchObject({ flowId: 'queue-test', nodeId: 'check', errorClass: 'validation' });
    expect(quarantined.reduce((n, l) => n + (l.records as number), 0)).toBe(2);
    expect(lines.filter((l) => l.msg === 'chunk committed' && l.runId === run.id)).toHaveLength(3);

    const spans = exporter.getFinishedSpans();
    const ids = runSpanIds(run.id);
    const runSpan = spans.find((s) => s.name === 'ledgerflow.run')!;
    expect(runSpan.spanContext()).toMatchObject(ids);
    expect(runSpan.attributes).toMatchObject({ 'ledgerflow.run_id': run.id, 'ledgerflow.flow_id': 'queue-test', 'ledgerflow.status': 'completed_with_exceptions' });
    const chunks = spans.filter((s) => s.name === 'ledgerflow.chunk');
    expect(chunks).toHaveLength(3);
    for (const c of chunks) {
      expect(c.spanContext().traceId).toBe(ids.traceId);
      expect(c.parentSpanContext?.spanId).toBe(ids.spanId);
    }
    await tracing.shutdown();
  });
});
