import { describe, expect, it } from 'vitest';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { prepareFlow } from '../../../runtime/engine/prepare-flow.ts';
import { edge, evaluator, flowOf, harness, jsonLines, mapLog, node, testCatalog, MemoryTarget } from './engine-fixtures.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const linear = (mapFn = 'identity', extra = {}) => flowOf(
  [node('src', 'test.lines'), node('map', 'test.map', { fn: mapFn }), node('check', 'test.check'), node('erp', 'test.target')],
  [edge('src', 'map'), edge('map', 'check'), edge('check', 'erp', 'valid')],
  extra,
);

const records = (n: number, f: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({ id: `R${i + 1}`, amount: '0.10', currency: 'EUR', ...f(i + 1) }));

describe('runFlow', () => {
  it('delivers every record once, traces each, and reconciles in exact decimals', async () => {
    const h = harness();
    const result = await h.run(linear(), jsonLines(records(10)), { chunkSize: 4 });
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ read: 10, delivered: 10, quarantined: 0, deadLettered: 0, duplicate: 0 });
    // 10 × 0.10 is exactly 1.00 (float addition would give 0.9999999999999999).
    expect(result.reconciliation.totals.read).toEqual({ EUR: '1.00' });
    expect(result.reconciliation.totals.delivered).toEqual({ EUR: '1.00' });
    expect(result.reconciliation.closes).toBe(true);
    expect(h.target.rows.size).toBe(10);
    expect(h.sink.traces).toHaveLength(10);
    const t = h.sink.traces.find((x) => x.businessKey === 'R3')!;
    expect(t).toMatchObject({ lineageKey: '3', outcome: 'delivered', path: ['src', 'map', 'check', 'erp'], targetNode: 'erp', targetStatus: 201 });
    expect(t.targetRef).toBe(`row-${t.sourceKey}`);
    expect(t.steps).toEqual([{ node: 'map', data: { id: 'R3', amount: '0.10', currency: 'EUR' } }]);
    const stats = Object.fromEntries(result.nodeStats.map((s) => [s.nodeId, s]));
    expect(stats.map).toMatchObject({ in: 10, out: 10, errors: 0 });
    expect(stats.erp).toMatchObject({ in: 10, out: 10 });
  });

  it('quarantines invalid records with every failed rule and lets the rest through', async () => {
    const h = harness();
    const input = records(5, (i) => (i === 2 ? { amount: '-4.50' } : i === 4 ? { amount: '0', id: undefined } : {}));
    const result = await h.run(linear(), jsonLines(input));
    expect(result.status).toBe('completed_with_exceptions');
    expect(result.counts).toMatchObject({ read: 5, delivered: 3, quarantined: 2 });
    expect(result.reconciliation.totals.quarantined).toEqual({ EUR: '-4.50' });
    expect(result.reconciliation.closes).toBe(true);
    const q = h.sink.traces.filter((t) => t.outcome === 'quarantined');
    expect(q.map((t) => t.errorClass)).toEqual(['validation', 'validation']);
    const withoutId = q.find((t) => t.lineageKey === '4')!;
    expect(withoutId.failures!.map((f) => f.rule)).toEqual(['positive', 'has-id']);
    expect(withoutId.error!.message).toContain('amount 0 must be positive; id present');
    expect(h.sink.deadLetters.map((d) => [d.lineageKey, d.disposition, d.nodeId])).toEqual([['2', 'quarantined', 'check'], ['4', 'quarantined', 'check']]);
    expect(h.sink.deadLetters[0].sourceRecord).toEqual(input[1]);
  });

  it('reads ports from the node declarations: a source\'s output and the quarantine port, whatever their names', async () => {
    const h = harness();
    const doc = flowOf(
      [node('in', 'test.rows'), node('screen', 'test.screen'), node('out', 'test.target')],
      [edge('in', 'screen', 'rows'), edge('screen', 'out', 'accepted')],
    );
    const result = await h.run(doc, jsonLines(records(3, (i) => (i === 2 ? { amount: '-1.00' } : {}))));
    expect(result.counts).toMatchObject({ read: 3, delivered: 2, quarantined: 1 });
    expect(h.sink.deadLetters.map((d) => [d.lineageKey, d.disposition, d.nodeId])).toEqual([['2', 'quarantined', 'screen']]);
    expect(result.nodeStats.find((s) => s.nodeId === 'screen')).toMatchObject({ out: 2, invalid: 1 });
  });

  it('dead-letters a record the mapping cannot handle, with its class, node and field', async () => {
    const h = harness();
    const result = await h.run(linear('failOnBad'), jsonLines(records(4, (i) => (i === 3 ? { bad: true } : {}))));
    expect(result.counts).toMatchObject({ delivered: 3, deadLettered: 1 });
    const dead = h.sink.traces.find((t) => t.outcome === 'dead_lettered')!;
    expect(dead).toMatchObject({ endNode: 'map', errorClass: 'mapping', path: ['src'] });
    expect(dead.error).toMatchObject({ message: 'cannot map record R3', field: 'bad', nodeId: 'map' });
  });

  it('never writes a key twice: a second run counts every record as duplicate', async () => {
    const h = harness();
    const input = records(7);
    await h.run(linear(), jsonLines(input));
    const second = await h.run(linear(), jsonLines(input));
    expect(second.status).toBe('succeeded');
    expect(second.counts).toMatchObject({ read: 7, delivered: 0, duplicate: 7 });
    expect(second.reconciliation.closes).toBe(true);
    expect(h.target.writes).toBe(7);
  });

  it('counts a retried chunk\'s own earlier deliveries as delivered, without writing them again', async () => {
    const h = harness();
    const input = records(3);
    const doc = linear();
    // A first attempt of the chunk (same run id, so the same claim token) delivered everything, then "crashed".
    await h.run(doc, jsonLines(input), { runId: 'run-crashed' } as never);
    const writes = h.target.writes;
    const retry = await h.run(doc, jsonLines(input), { runId: 'run-crashed' } as never);
    expect(retry.counts).toMatchObject({ delivered: 3, duplicate: 0 });
    expect(h.target.writes).toBe(writes);
    expect(h.sink.traces.slice(-3).map((t) => t.targetRef)).toEqual(h.sink.traces.slice(0, 3).map((t) => t.targetRef));
  });

  it('treats the same key twice within a run as a duplicate', async () => {
    const h = harness();
    const input = [...records(3), records(3)[1]];
    const result = await h.run(linear(), jsonLines(input));
    expect(result.counts).toMatchObject({ read: 4, delivered: 3, duplicate: 1 });
    expect(h.target.writes).toBe(3);
  });

  it('retries transient target failures with back-off, honouring Retry-After, and records each attempt', async () => {
    const h = harness();
    const doc = linear('identity');
    doc.nodes[3].retry = { attempts: 4, backoffMs: 1, maxBackoffMs: 5 };
    const input = records(3);
    // Fail the second record twice (its key is the digest of its content).
    const { createHash } = await import('node:crypto');
    const key = createHash('sha256').update(JSON.stringify(input[1])).digest('hex');
    h.target.failures.set(key, 2);
    h.target.retryAfterMs = 20;
    const started = Date.now();
    const result = await h.run(doc, jsonLines(input));
    expect(result.counts).toMatchObject({ delivered: 3, deadLettered: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(38);
    const t = h.sink.traces.find((x) => x.sourceKey === key)!;
    expect(t.retries!.map((r) => r.attempt)).toEqual([1, 2]);
    expect(t.retries![0].error).toMatchObject({ errorClass: 'transient', status: 503 });
  });

  it('dead-letters after the last attempt and releases the key so a replay can deliver it', async () => {
    const h = harness();
    const doc = linear();
    doc.nodes[3].retry = { attempts: 2, backoffMs: 1 };
    const input = records(2);
    const { createHash } = await import('node:crypto');
    const key = createHash('sha256').update(JSON.stringify(input[0])).digest('hex');
    h.target.failures.set(key, 5);
    const first = await h.run(doc, jsonLines(input));
    expect(first.counts).toMatchObject({ delivered: 1, deadLettered: 1 });
    const dead = h.sink.deadLetters[0];
    expect(dead).toMatchObject({ disposition: 'dead_lettered', errorClass: 'transient', nodeId: 'erp', sourceKey: key });
    expect(h.sink.traces.find((t) => t.sourceKey === key)!.retries).toHaveLength(1);

    h.target.failures.clear();
    const replay = await h.run(doc, { kind: 'records', records: [{ sourceKey: dead.sourceKey, data: dead.sourceRecord }] });
    expect(replay.counts).toMatchObject({ read: 1, delivered: 1 });
    const again = await h.run(doc, { kind: 'records', records: [{ sourceKey: dead.sourceKey, data: dead.sourceRecord }] });
    expect(again.counts).toMatchObject({ read: 1, delivered: 0, duplicate: 1 });
    expect(h.target.rows.size).toBe(2);
  });

  it('fans out: children get lineage suffixes and roll up to their source record', async () => {
    const h = harness();
    const doc = flowOf(
      [node('src', 'test.lines'), node('split', 'test.map', { fn: 'explode' }), node('check', 'test.check'), node('erp', 'test.target')],
      [edge('src', 'split'), edge('split', 'check'), edge('check', 'erp', 'valid')],
    );
    const input = [
      { id: 'A', amount: '10.00', currency: 'EUR', lines: [{ amount: '4' }, { amount: '6' }] },
      { id: 'B', amount: '5.00', currency: 'USD', lines: [{ amount: '5' }, { amount: '-1' }] },
    ];
    const result = await h.run(doc, jsonLines(input));
    expect(h.sink.traces.map((t) => [t.lineageKey, t.outcome])).toEqual([['2.1', 'quarantined'], ['1.0', 'delivered'], ['1.1', 'delivered'], ['2.0', 'delivered']]);
    // B has one line quarantined: the document as a whole is an exception.
    expect(result.counts).toMatchObject({ read: 2, delivered: 1, quarantined: 1 });
    expect(result.reconciliation.totals.delivered).toEqual({ EUR: '10.00' });
    expect(result.reconciliation.totals.quarantined).toEqual({ USD: '5.00' });
    // …and half-posted (one line written, one not): partially delivered, so the run does not close until a replay completes it.
    expect(result.reconciliation.partiallyDelivered).toBe(1);
    expect(result.reconciliation.closes).toBe(false);
    expect(new Set(h.sink.traces.map((t) => t.sourceKey)).size).toBe(4);
  });

  it('masks sensitive fields in traces but keeps the source record for replay', async () => {
    const h = harness();
    const doc = linear('identity', { sensitive: ['iban', 'payee.name'] });
    const input = [{ id: 'R1', amount: '-1', currency: 'EUR', iban: 'DE89370400440532013000', payee: { name: 'Jane', city: 'Bonn' } }];
    await h.run(doc, jsonLines(input));
    const t = h.sink.traces[0];
    expect(t.input).toEqual({ id: 'R1', amount: '-1', currency: 'EUR', iban: '***', payee: { name: '***', city: 'Bonn' } });
    expect(JSON.stringify(t)).not.toContain('DE89370400440532013000');
    expect(h.sink.deadLetters[0].sourceRecord).toEqual(input[0]);
  });

  it('fails the run on a malformed document before writing anything', async () => {
    const h = harness();
    const input = { kind: 'document' as const, document: { name: 'bad.jsonl', chunks: async function* () { yield new TextEncoder().encode('{"id":"R1","amount":"1","currency":"EUR"}\n{oops\n'); } } };
    const result = await h.run(linear(), input);
    expect(result.status).toBe('failed');
    expect(result.error!.message).toBe('bad.jsonl line 2: not JSON');
    expect(h.target.rows.size).toBe(0);
    expect(h.sink.traces).toHaveLength(0);
  });

  it('stops when cancelled and says so', async () => {
    const h = harness();
    const controller = new AbortController();
    const result = await h.run(linear(), jsonLines(records(2000)), {
      chunkSize: 100, signal: controller.signal,
      onChunk: ({ counts }) => { if (counts.delivered >= 300) controller.abort(); },
    });
    expect(result.status).toBe('cancelled');
    expect(result.counts.delivered).toBeGreaterThanOrEqual(300);
    expect(result.counts.delivered).toBeLessThan(2000);
  });

  it('keeps memory bounded while streaming many records', async () => {
    const h = harness();
    h.sink.write = () => {}; // traces are counted, not kept, here
    const n = 100_000;
    const big = 'x'.repeat(1000);
    async function* generate() {
      for (let i = 0; i < n; i++) yield { data: { id: `R${i}`, amount: '1', currency: 'EUR', note: big } };
    }
    const doc = flowOf([node('src', 'test.lines'), node('map', 'test.map'), node('erp', 'test.target')], [edge('src', 'map'), edge('map', 'erp')]);
    const target = h.target;
    target.rows = new Map() as never;
    target.rows.set = function (this: Map<string, unknown>) { return this; } as never; // do not keep rows
    // What the run keeps alive, not garbage V8 has not collected yet: measured after a full collection.
    const gc = exposedGc();
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let chunks = 0;
    const result = await h.run(doc, { kind: 'records', records: generate() }, {
      chunkSize: 500,
      onChunk: () => {
        if (++chunks % 10 !== 0) return;
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    expect(result.counts.delivered).toBe(n);
    // ~100 MB of records went through; the heap never held more than a few chunks of them
    // (the in-memory ledger keeps 100k keys, ~20 MB, which a real store does not).
    expect(peak - before).toBeLessThan(80 * 1024 * 1024);
  });
});

/** V8's full garbage collection, also when node was started without --expose-gc. */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('runFlow pipelining', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const logged = () => flowOf(
    [node('src', 'test.lines'), node('map', 'test.map', { fn: 'logged' }), node('erp', 'test.target')],
    [edge('src', 'map'), edge('map', 'erp')],
  );

  it('computes the next chunk while the previous one is written, and writes in source order', async () => {
    const h = harness();
    mapLog.length = 0;
    let n = 0;
    h.target.beforeWrite = async () => {
      const write = ++n;
      mapLog.push(`write ${write} starts`);
      await sleep(write === 1 ? 40 : 5 * (n % 3)); // uneven: a later write must still not overtake
      mapLog.push(`write ${write} ends`);
    };
    const result = await h.run(logged(), jsonLines(records(6)), { chunkSize: 2 });
    expect(result.counts).toMatchObject({ read: 6, delivered: 6 });
    expect([...h.target.rows.values()].map((d: any) => d.id)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
    expect(mapLog.indexOf('map R3')).toBeLessThan(mapLog.indexOf('write 1 ends'));
    expect(mapLog.indexOf('write 2 starts')).toBeGreaterThan(mapLog.indexOf('write 1 ends'));
    expect(h.sink.traces.map((t) => t.businessKey)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
  });

  it('lets two targets of one chunk write side by side', async () => {
    const h = harness();
    const events: string[] = [];
    h.target.beforeWrite = async (keys) => {
      events.push('start');
      await sleep(20);
      events.push('end');
      expect(keys).toHaveLength(2);
    };
    const doc = flowOf(
      [node('src', 'test.lines'), node('map', 'test.map'), node('erp-a', 'test.target'), node('erp-b', 'test.target', { idempotencyKey: '"b-" & $sourceKey' })],
      [edge('src', 'map'), edge('map', 'erp-a'), edge('map', 'erp-b')],
    );
    const result = await h.run(doc, jsonLines(records(2)));
    expect(result.counts).toMatchObject({ read: 2, delivered: 2 });
    expect(h.target.rows.size).toBe(4);
    expect(events).toEqual(['start', 'start', 'end', 'end']);
  });

  it('writes nothing of a later chunk once an earlier chunk failed', async () => {
    const h = harness();
    const claim = h.ledger.claim.bind(h.ledger);
    let claims = 0;
    h.ledger.claim = async (...args) => {
      if (++claims === 1) {
        await sleep(30); // the next chunk computes meanwhile
        throw new Error('ledger unreachable');
      }
      return claim(...args);
    };
    const result = await h.run(linear(), jsonLines(records(6)), { chunkSize: 2 });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('ledger unreachable');
    expect(claims).toBe(1);
    expect(h.target.rows.size).toBe(0);
    expect(h.sink.traces).toHaveLength(0);
  });
});

describe('prepareFlow', () => {
  it('refuses an invalid flow and lists every problem', () => {
    const doc = flowOf(
      [node('src', 'test.lines'), node('map', 'test.map'), node('erp', 'test.target', { idempotencyKey: '' }), node('x', 'test.nope')],
      [edge('src', 'map'), edge('map', 'ghost')],
    );
    let message = '';
    try {
      prepareFlow(doc, { catalog: testCatalog(new MemoryTarget()), evaluator, reference: createReferenceData({}), functions: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("Flow 'test-flow' is invalid and was not run");
    for (const problem of ["Node 'x' has unknown type 'test.nope'", "Edge 'map-out-ghost' ends at node 'ghost'", "Target 'erp' has no idempotency key", "Node 'map' (Map) has no outgoing connection"]) {
      expect(message).toContain(problem);
    }
  });
});
