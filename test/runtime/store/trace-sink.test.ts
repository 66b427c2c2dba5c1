/** The sink's batching, ordering, back-pressure and failure rules, on a fake database. */
import { describe, expect, it } from 'vitest';
import type { DeadLetterEntry, RecordTrace } from '../../../runtime/engine/run-types.ts';
import type { Db } from '../../../runtime/store/db.ts';
import { createTraceSink } from '../../../runtime/store/trace-sink.ts';
import { runPrefix, traceLine } from '../../../runtime/store/trace-rows.ts';

interface Call { table: string; lines: string[]; inTransaction: boolean }

/** A Db whose COPYs wait until the test lets them through. */
function fakeDb() {
  const calls: Call[] = [];
  const gates: (() => void)[] = [];
  let failNext: Error | null = null;
  let auto = false;
  const copy = (inTransaction: boolean) => async (table: string, _cols: readonly string[], text: string | Uint8Array | readonly Uint8Array[]) => {
    if (!auto) await new Promise<void>((resolve) => gates.push(resolve));
    if (failNext) { const e = failNext; failNext = null; throw e; }
    const decoded = typeof text === 'string' ? text : Buffer.concat((text instanceof Uint8Array ? [text] : text).map((b) => Buffer.from(b))).toString('utf8');
    calls.push({ table, lines: decoded.split('\n').filter(Boolean), inTransaction });
    return 0;
  };
  // Dead letters are merged through a staging table (one open entry per record): its statements run in the transaction too.
  const txDb = {
    copyFrom: copy(true),
    transaction: async <T>(fn: (tx: Db) => Promise<T>) => fn(txDb),
    exec: async () => {},
    query: async () => ({ rows: [] }),
  } as unknown as Db;
  const db = {
    kind: 'pglite',
    copyFrom: copy(false),
    transaction: async <T>(fn: (tx: Db) => Promise<T>) => fn(txDb),
  } as unknown as Db;
  return {
    db, calls,
    waiting: () => gates.length,
    release: async (n = 1) => {
      for (let i = 0; i < n; i++) { await settle(); gates.shift()?.(); }
      await settle();
    },
    auto: () => { auto = true; for (const g of gates.splice(0)) g(); },
    failNext: (e: Error) => { failNext = e; },
  };
}

const settle = () => new Promise<void>((r) => setTimeout(r, 0));

function trace(i: number): RecordTrace {
  return { runId: 'run_1', lineageKey: String(i), sourceKey: `s${i}`, businessKey: `INV-${i}`, path: ['src', 'tgt'],
    outcome: 'delivered', endNode: 'tgt', input: { i }, output: { i }, steps: [], finishedAt: 1_700_000_000_000 };
}

function deadLetter(i: number): DeadLetterEntry {
  return { runId: 'run_1', lineageKey: String(i), sourceKey: `s${i}`, businessKey: `INV-${i}`, nodeId: 'check',
    disposition: 'quarantined', errorClass: 'validation', error: { errorClass: 'validation', message: 'bad' }, sourceRecord: { i } };
}

const lineageOf = (line: string) => line.split('\t')[4];
const options = { runId: 'run_1', flowId: 'f', version: 1, environment: 'dev' };

describe('trace sink', () => {
  it('writes full batches in the background and the rest on flush, in order', async () => {
    const f = fakeDb();
    const sink = createTraceSink(f.db, { ...options, batchSize: 10 });
    expect(sink.write(Array.from({ length: 25 }, (_, i) => trace(i)), [])).toBeUndefined();
    await settle();
    expect(f.waiting()).toBe(1); // first batch started without waiting for flush
    const flushed = sink.flush();
    f.auto();
    await flushed;
    expect(f.calls.map((c) => c.lines.length)).toEqual([10, 10, 5]);
    expect(f.calls.flatMap((c) => c.lines.map(lineageOf))).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
  });

  it('encodes each row whole into its block, as traceLine gives it, also rows larger than a block', async () => {
    const f = fakeDb();
    f.auto();
    const sink = createTraceSink(f.db, { ...options, batchSize: 1000 });
    // Rows of every size around the 64 KiB block, multi-byte text and escapes included.
    const traces = [10, 30_000, 40_000, 70_000, 5, 65_000, 200_000, 1].map((size, i) => ({
      ...trace(i), input: { note: `€\\"\t${'x'.repeat(size)}` }, output: { other: 'ä'.repeat(size % 7) },
    }));
    sink.write(traces, []);
    await sink.flush();
    const run = { runId: options.runId, flowId: options.flowId, version: options.version, environment: options.environment };
    expect(f.calls.flatMap((c) => c.lines.map((l) => `${l}\n`))).toEqual(traces.map((t) => traceLine(t, run, runPrefix(run))));
  });

  it('applies back-pressure only when more than maxPendingBatches are in flight', async () => {
    const f = fakeDb();
    const sink = createTraceSink(f.db, { ...options, batchSize: 2, maxPendingBatches: 2 });
    expect(sink.write([trace(0), trace(1)], [])).toBeUndefined();
    expect(sink.write([trace(2), trace(3)], [])).toBeUndefined();
    const wait = sink.write([trace(4), trace(5)], []);
    expect(wait).toBeInstanceOf(Promise);
    let resolved = false;
    void wait!.then(() => { resolved = true; });
    await settle();
    expect(resolved).toBe(false);
    await f.release(1);
    expect(resolved).toBe(true);
    expect(f.calls).toHaveLength(1);
    const flushed = sink.flush();
    f.auto();
    await flushed;
    expect(f.calls.flatMap((c) => c.lines)).toHaveLength(6);
  });

  it('keeps each dead letter in the same transaction as its trace', async () => {
    const f = fakeDb();
    f.auto();
    const sink = createTraceSink(f.db, { ...options, batchSize: 3 });
    // Dead letters for records 1 and 4 arrive in one call whose traces span two batches.
    sink.write([0, 1, 2, 3, 4].map(trace), [deadLetter(4), deadLetter(1)]);
    await sink.flush();
    expect(f.calls.map((c) => [c.table, c.inTransaction, c.lines.map(lineageOf)])).toEqual([
      ['record_traces', true, ['0', '1', '2']],
      ['dead_letters_incoming', true, ['1']],
      ['record_traces', true, ['3', '4']],
      ['dead_letters_incoming', true, ['4']],
    ]);
  });

  it('writes batches without dead letters as a single COPY outside a transaction', async () => {
    const f = fakeDb();
    f.auto();
    const sink = createTraceSink(f.db, options);
    sink.write([trace(1)], []);
    await sink.flush();
    expect(f.calls).toEqual([expect.objectContaining({ table: 'record_traces', inTransaction: false })]);
  });

  it('stops after a failed batch: flush and later writes throw that error, nothing more is written', async () => {
    const f = fakeDb();
    const sink = createTraceSink(f.db, { ...options, batchSize: 2, maxPendingBatches: 10 });
    sink.write([0, 1, 2, 3, 4, 5].map(trace), []);
    f.failNext(new Error('disk full'));
    f.auto();
    await expect(sink.flush()).rejects.toThrow('disk full');
    expect(f.calls).toHaveLength(0);
    expect(() => sink.write([trace(9)], [])).toThrow('disk full');
    await expect(sink.flush()).rejects.toThrow('disk full');
  });

  it('rejects the back-pressure wait when a batch fails meanwhile', async () => {
    const f = fakeDb();
    const sink = createTraceSink(f.db, { ...options, batchSize: 1, maxPendingBatches: 1 });
    sink.write([trace(0)], []);
    const wait = sink.write([trace(1)], []);
    expect(wait).toBeInstanceOf(Promise);
    f.failNext(new Error('connection lost'));
    f.auto();
    await expect(wait).rejects.toThrow('connection lost');
  });

  it('serialises a record when it is handed in, so later changes by the engine do not leak in', async () => {
    const f = fakeDb();
    const sink = createTraceSink(f.db, options);
    const t = trace(1);
    sink.write([t], []);
    (t.input as { i: number }).i = 999;
    f.auto();
    await sink.flush();
    expect(f.calls[0].lines[0]).toContain('{"i":1}');
  });
});
