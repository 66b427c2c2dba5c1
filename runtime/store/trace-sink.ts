/**
 * The trace sink: buffers traces and dead letters as COPY lines (each row's
 * JSON serialised once, when handed in) and writes them in batches, one after
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
import { TRACE_COLUMNS, deadLetterLine, runPrefix, traceLine, type RunColumns } from './trace-rows.ts';

interface Batch {
  traces: string;
  traceCount: number;
  deadLetters: string;
  deadLetterCount: number;
}

async function writeBatch(db: Db, batch: Batch): Promise<void> {
  if (batch.deadLetterCount === 0) {
    // A single COPY is atomic by itself.
    await db.copyFrom('record_traces', TRACE_COLUMNS, batch.traces);
    return;
  }
  await db.transaction(async (tx) => {
    if (batch.traceCount > 0) await tx.copyFrom('record_traces', TRACE_COLUMNS, batch.traces);
    await storeDeadLetters(tx, batch.deadLetters);
  });
}

/** Opens a sink writing to `db` for one run (or one chunk of it). */
export function createTraceSink(db: Db, options: TraceSinkOptions): TraceSink {
  const run: RunColumns = { runId: options.runId, flowId: options.flowId, version: options.version, environment: options.environment };
  const prefix = runPrefix(run);
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const maxPending = Math.max(1, options.maxPendingBatches ?? 4);

  let current: Batch = { traces: '', traceCount: 0, deadLetters: '', deadLetterCount: 0 };
  let tail: Promise<void> = Promise.resolve();
  // Completion of each batch not yet written, oldest first.
  const pending: Promise<void>[] = [];
  let failure: { error: unknown } | null = null;

  function enqueue(): void {
    if (current.traceCount === 0 && current.deadLetterCount === 0) return;
    const batch = current;
    current = { traces: '', traceCount: 0, deadLetters: '', deadLetterCount: 0 };
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
        current.traces += traceLine(t, run, prefix);
        current.traceCount++;
        const own = byLineage?.get(t.lineageKey);
        if (own) {
          for (const d of own) current.deadLetters += deadLetterLine(d, run, prefix);
          current.deadLetterCount += own.length;
          byLineage!.delete(t.lineageKey);
        }
        if (current.traceCount >= batchSize) enqueue();
      }
      // Dead letters whose trace is not in this call ride with the next batch.
      if (byLineage) {
        for (const list of byLineage.values()) {
          for (const d of list) current.deadLetters += deadLetterLine(d, run, prefix);
          current.deadLetterCount += list.length;
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
