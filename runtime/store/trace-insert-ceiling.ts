/**
 * The most trace rows per second this store can take through the sink: the
 * ceiling the engine's throughput runs into when every record is traced.
 */
import type { RecordTrace } from '../engine/run-types.ts';
import type { Store } from './store.ts';
import { syntheticTrace } from './synthetic-trace.ts';
import { newRunId } from './ids.ts';

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
