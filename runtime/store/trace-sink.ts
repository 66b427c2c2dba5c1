/**
 * The trace sink: buffers traces and dead letters as COPY rows in UTF-8 (each
 * row's JSON serialised once, when handed in) and writes them in batches, one after
 * another in the background while the engine keeps computing.
 *
 * - A dead letter goes into the same batch as the trace with its lineage key,
 *   and a batch holding dead letters is one transaction: no dead letter is
 *   ever stored without its trace.
 * - Batches are written in order, so row ids follow the order traces came in.
 * - Back-pressure: `write` returns a promise only when more than
 *   `maxPendingBatches` batches are waiting or being written.
 * - After a failed batch nothing more is written: `write` and `flush` throw
 *   that error, so a run cannot end looking complete with traces missing.
 */
import type { DeadLetterEntry, RecordTrace, TraceSink } from '../engine/run-types.ts';
import type { Db } from './db.ts';
import type { TraceSinkOptions } from './store.ts';
import { storeDeadLetters } from './dead-letters-repo.ts';
import { TRACE_COLUMNS, deadLetterLine, runPrefix, writeTraceRow, type RunColumns } from './trace-rows.ts';
import { CopyPayload } from './copy-payload.ts';

interface Batch {
  traces: CopyPayload;
  deadLetters: CopyPayload;
}

const emptyBatch = (): Batch => ({ traces: new CopyPayload(), deadLetters: new CopyPayload() });

async function writeBatch(db: Db, batch: Batch): Promise<void> {
  if (batch.deadLetters.rows === 0) {
    // A single COPY is atomic by itself.
    await db.copyFrom('record_traces', TRACE_COLUMNS, batch.traces.chunks());
    return;
  }
  await db.transaction(async (tx) => {
    if (batch.traces.rows > 0) await tx.copyFrom('record_traces', TRACE_COLUMNS, batch.traces.chunks());
    await storeDeadLetters(tx, batch.deadLetters.chunks());
  });
}

/** Opens a sink writing to `db` for one run (or one chunk of it). */
export function createTraceSink(db: Db, options: TraceSinkOptions): TraceSink {
  const run: RunColumns = { runId: options.runId, flowId: options.flowId, version: options.version, environment: options.environment };
  const prefix = runPrefix(run);
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const maxPending = Math.max(1, options.maxPendingBatches ?? 4);

  let current: Batch = emptyBatch();
  let tail: Promise<void> = Promise.resolve();
  // Completion of each batch not yet written, oldest first.
  const pending: Promise<void>[] = [];
  let failure: { error: unknown } | null = null;

  function enqueue(): void {
    if (current.traces.rows === 0 && current.deadLetters.rows === 0) return;
    const batch = current;
    current = emptyBatch();
    const done = tail.then(async () => {
      if (failure) return;
      try {
        await writeBatch(db, batch);
      } catch (error) {
        failure = { error };
      }
    }).finally(() => { pending.shift(); });
    pending.push(done);
    tail = done;
  }

  function throwIfFailed(): void {
    if (failure) throw failure.error;
  }

  return {
    write(traces: RecordTrace[], deadLetters: DeadLetterEntry[]): void | Promise<void> {
      throwIfFailed();
      let byLineage: Map<string, DeadLetterEntry[]> | null = null;
      if (deadLetters.length > 0) {
        byLineage = new Map();
        for (const d of deadLetters) {
          const list = byLineage.get(d.lineageKey);
          if (list) list.push(d); else byLineage.set(d.lineageKey, [d]);
        }
      }
      for (const t of traces) {
        writeTraceRow(t, run, prefix, current.traces.add);
        const own = byLineage?.get(t.lineageKey);
        if (own) {
          for (const d of own) current.deadLetters.add(deadLetterLine(d, run, prefix));
          byLineage!.delete(t.lineageKey);
        }
        if (current.traces.rows >= batchSize) enqueue();
      }
      // Dead letters whose trace is not in this call ride with the next batch.
      if (byLineage) {
        for (const list of byLineage.values()) {
          for (const d of list) current.deadLetters.add(deadLetterLine(d, run, prefix));
        }
      }
      if (pending.length > maxPending) {
        return pending[pending.length - 1 - maxPending].then(throwIfFailed);
      }
    },

    async flush(): Promise<void> {
      enqueue();
      await tail;
      throwIfFailed();
    },
  };
}
