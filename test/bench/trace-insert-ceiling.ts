/**
 * Trace-write ceilings of a store, for the benchmark: rows per second through
 * the store's trace sink (encoding included), and through bare COPY of rows
 * encoded beforehand (the database's own insert rate).
 */
import type { RecordTrace } from '../../runtime/engine/run-types.ts';
import type { Database } from '../../runtime/store/database.ts';
import type { Store } from '../../runtime/store/store.ts';
import { syntheticTrace } from './synthetic-trace.ts';
import { newRunId } from '../../runtime/store/ids.ts';
import { CopyPayload } from '../../runtime/store/copy-payload.ts';
import { TRACE_COLUMNS, runPrefix, traceLine } from '../../runtime/store/trace-rows.ts';

export interface CeilingOptions {
  batchSize?: number;
  maxPendingBatches?: number;
  /** Keep the synthetic rows instead of deleting them afterwards. */
  keep?: boolean;
}

/**
 * Writes `rows` synthetic traces (two ~1 KB snapshots each) through
 * `store.openTraceSink` and returns rows per second, counted from the first
 * `write` to the end of `flush` (encoding included, building the records not).
 */
export async function measureTraceInsertCeiling(store: Store, rows: number, options: CeilingOptions = {}): Promise<number> {
  const runId = newRunId().replace(/^run_/, 'ceiling_');
  // Records are made up front from a small pool: building them is the engine's
  // cost, not the store's.
  const pool = Array.from({ length: Math.min(rows, 1000) }, (_, i) => syntheticTrace(runId, i));
  const chunk = options.batchSize ?? 500;
  const sink = store.openTraceSink({
    runId, flowId: 'ceiling', version: null, environment: null,
    batchSize: options.batchSize, maxPendingBatches: options.maxPendingBatches,
  });

  const start = performance.now();
  for (let i = 0; i < rows; i += chunk) {
    const traces: RecordTrace[] = [];
    for (let j = i; j < Math.min(rows, i + chunk); j++) {
      traces.push({ ...pool[j % pool.length], lineageKey: String(j) });
    }
    const wait = sink.write(traces, []);
    if (wait) await wait;
  }
  await sink.flush();
  const seconds = (performance.now() - start) / 1000;

  if (!options.keep) await store.sql.query('delete from record_traces where run_id = $1', [runId]);
  return rows / seconds;
}

/**
 * The store's fastest bulk path for trace rows: these rows encoded as COPY
 * text beforehand, then only `COPY … FROM STDIN` timed, batch after batch of
 * `batchSize`, on the store's own database. Rows per second; the rows are
 * deleted afterwards. This is the ceiling the engine's traced throughput is
 * held against: the database's insert rate, with no engine work in it.
 */
export async function measureCopyCeiling(database: Database, traces: RecordTrace[], batchSize = 500): Promise<number> {
  const runId = newRunId().replace(/^run_/, 'ceiling_');
  const run = { runId, flowId: 'ceiling', version: null, environment: null };
  const prefix = runPrefix(run);
  const batches: Buffer[][] = [];
  for (let i = 0; i < traces.length; i += batchSize) {
    const rows = new CopyPayload();
    for (const t of traces.slice(i, i + batchSize)) rows.add(traceLine({ ...t, runId }, run, prefix));
    batches.push(rows.chunks());
  }
  const { db, store } = database;
  const start = performance.now();
  for (const batch of batches) await db.copyFrom('record_traces', TRACE_COLUMNS, batch);
  const seconds = (performance.now() - start) / 1000;
  await store.sql.query('delete from record_traces where run_id = $1', [runId]);
  return traces.length / seconds;
}
