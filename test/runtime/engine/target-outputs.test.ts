/**
 * A target's `out` port: the ERP's document number (a column the database assigns) goes on to a
 * transform and a second target that writes it back to the procurement API. Exactly once holds
 * for both: a retry after a crash and a replay in another run pass on the answer the ledger kept
 * with the first delivery (the same document number), never writing the ERP row again.
 * On PGlite always, and on Postgres when TEST_DATABASE_URL is set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import type { ConnectionResolver } from '../../../nodes/define-node.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { prepareFlow, type PreparedFlow } from '../../../runtime/engine/prepare-flow.ts';
import { processChunk, type ChunkIO, type RootRecord } from '../../../runtime/engine/process-chunk.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { backendNames, openBackend, type OpenedBackend } from '../queue/queue-fixtures.ts';
import { createHash } from 'node:crypto';
import { runFlow } from '../../../runtime/engine/run-flow.ts';
import { edge, flowOf, jsonLines, MemoryTraceSink, node } from './engine-fixtures.ts';

const RECORDS = 6;
const retry = { retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 } };

function docOf(writeBackExpression = '{ "po": record.po, "erpDocument": response.row.doc_number, "erpKey": response.key }'): FlowDocument {
  return flowOf([
    node('in', 'source.webhook', {}),
    node('erp', 'target.postgres', {
      connection: 'db', table: 'to_erp', mode: 'insert', keyColumns: ['po'], columns: { po: 'po', amount: 'amount' },
      returning: ['doc_number'], batchSize: 4, idempotencyKey: 'po',
    }),
    node('map', 'transform.jsonata', { expression: writeBackExpression }),
    node('back', 'target.http', { connection: 'procurement', method: 'PATCH', path: '/orders/{{po}}', batchSize: 10, concurrency: 1, timeoutMs: 5000, idempotencyKey: 'po' }, retry),
  ], [edge('in', 'erp'), edge('erp', 'map', 'out'), edge('map', 'back')], {
    id: 'write-back', businessKey: 'po', connections: { db: { kind: 'postgres' }, procurement: { kind: 'http' } },
  });
}

const roots: RootRecord[] = Array.from({ length: RECORDS }, (_, k) => {
  const po = `PO-${k + 1}`;
  const amount = `${k + 1}00.25`;
  return { seq: k + 1, sourceKey: po, businessKey: po, amount, currency: 'EUR', data: { po, amount } };
});

/** The procurement API: records every PATCH; refuses the orders in `refuse` with 422. */
class ProcurementApi {
  patches: { path: string; body: { po: string; erpDocument: string } ; key: string }[] = [];
  refuse = new Set<string>();
  fetch: typeof fetch = (async (url: string, init: RequestInit) => {
    const path = new URL(url).pathname;
    const body = JSON.parse(String(init.body));
    if (this.refuse.has(body.po)) return new Response(JSON.stringify({ error: 'order locked' }), { status: 422, headers: { 'content-type': 'application/json' } });
    this.patches.push({ path, body, key: (init.headers as Record<string, string>)['Idempotency-Key'] });
    return new Response(JSON.stringify({ updated: body.po }), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

for (const backend of backendNames()) describe(`target out port: ERP document number written back (${backend})`, () => {
  let opened: OpenedBackend;
  let store: Store;
  let flow: PreparedFlow;
  let api: ProcurementApi;

  const prepare = (doc: FlowDocument) => prepareFlow(doc, { catalog, evaluator: createReferenceEvaluator(), reference: createReferenceData({}), functions: {} });

  beforeAll(async () => {
    opened = await openBackend(backend);
    store = opened.store;
    await store.sql.query('create sequence to_erp_seq');
    await store.sql.query(`create table to_erp (po text primary key, amount numeric not null,
      doc_number text not null default 'ERP-' || lpad(nextval('to_erp_seq')::text, 6, '0'))`);
    flow = prepare(docOf());
  }, 60_000);

  afterAll(async () => {
    await opened?.cleanup();
  });

  beforeEach(async () => {
    for (const table of ['to_erp', 'idempotency_ledger']) await store.sql.query(`delete from ${table}`);
    await store.sql.query('drop table if exists ledgerflow_delivery');
    api = new ProcurementApi();
  });

  function io(runId: string, attempt = 1, crashPoint?: ChunkIO['crashPoint']): ChunkIO {
    const connections: ConnectionResolver = { sql: () => store.sql, http: () => ({ baseUrl: 'http://procurement.test', headers: {} }) };
    return {
      runId, claimToken: `${runId}:${attempt}`, ledger: store.ledger,
      target: { connections, files: { append: async () => {} }, fetch: api.fetch, signal: new AbortController().signal },
      ...(crashPoint ? { crashPoint } : {}),
    };
  }

  async function erpDocuments(): Promise<Map<string, string>> {
    const { rows } = await store.sql.query<{ po: string; doc_number: string }>('select po, doc_number from to_erp order by po');
    return new Map(rows.map((r) => [r.po, r.doc_number]));
  }

  const sentBack = () => new Map(api.patches.map((p) => [p.body.po, p.body.erpDocument]));

  it('passes each record on with the returned column; the write-back carries the number the database assigned', async () => {
    const result = await processChunk(flow, roots, io('run-1'));
    const documents = await erpDocuments();
    expect(documents.size).toBe(RECORDS);
    expect(new Set(documents.values()).size).toBe(RECORDS);
    for (const doc of documents.values()) expect(doc).toMatch(/^ERP-\d{6}$/);
    expect(sentBack()).toEqual(documents);
    expect(api.patches.map((p) => p.path).sort()).toEqual(roots.map((r) => `/orders/${(r.data as { po: string }).po}`).sort());
    expect(api.patches.every((p) => (p.body as { erpKey?: string }).erpKey === p.body.po)).toBe(true);
    // One trace per record, ending at the write-back; its steps show the ERP's out record.
    expect(result.traces).toHaveLength(RECORDS);
    for (const t of result.traces) {
      expect(t).toMatchObject({ outcome: 'delivered', endNode: 'back', targetNode: 'back', path: ['in', 'erp', 'map', 'back'] });
      const po = (t.input as { po: string }).po;
      const erpStep = t.steps.find((s) => s.node === 'erp');
      expect(erpStep?.data).toEqual({ record: t.input, response: { key: po, row: { doc_number: documents.get(po) } } });
    }
    // The outcome side of the chunk (the read side is counted where records are read).
    expect(result.reconciliation.counts).toMatchObject({ delivered: RECORDS, deadLettered: 0, duplicate: 0, filtered: 0 });
    const cents = roots.reduce((sum, r) => sum + BigInt((r.amount as string).replace('.', '')), 0n);
    expect(result.reconciliation.totals.delivered).toEqual({ EUR: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}` });
    const stats = new Map(result.nodeStats.map((s) => [s.nodeId, s]));
    expect(stats.get('erp')).toMatchObject({ in: RECORDS, out: RECORDS });
    expect(stats.get('map')).toMatchObject({ in: RECORDS, out: RECORDS });
    expect(stats.get('back')).toMatchObject({ in: RECORDS, out: RECORDS });
  });

  it('a replay in another run: the ERP is not written again and the out record carries the number kept in the ledger', async () => {
    api.refuse.add('PO-3');
    const first = await processChunk(flow, roots, io('run-a'));
    expect(first.deadLetters.map((d) => [d.sourceKey, d.nodeId])).toEqual([['PO-3', 'back']]);
    // Written to the ERP, refused by the write-back: a partial delivery, named for a replay.
    expect(first.reconciliation.partiallyDelivered).toBe(1);
    const documents = await erpDocuments();
    expect(documents.size).toBe(RECORDS);

    api.refuse.clear();
    const replay = await processChunk(flow, roots.filter((r) => r.sourceKey === 'PO-3'), io('run-b'));
    // Not one more ERP row, not one more sequence number taken.
    expect(await erpDocuments()).toEqual(documents);
    const { rows } = await store.sql.query<{ n: unknown }>("select count(*) as n from to_erp where doc_number > $1", [[...documents.values()].sort().at(-1)]);
    expect(Number(rows[0].n)).toBe(0);
    expect(api.patches.filter((p) => p.body.po === 'PO-3')).toEqual([expect.objectContaining({ body: { po: 'PO-3', erpDocument: documents.get('PO-3'), erpKey: 'PO-3' } })]);
    expect(replay.traces).toHaveLength(1);
    expect(replay.traces[0]).toMatchObject({ outcome: 'delivered', endNode: 'back' });
    expect(replay.traces[0].steps.find((s) => s.node === 'erp')?.data).toMatchObject({ response: { row: { doc_number: documents.get('PO-3') } } });
    // The whole run again: the ERP and the write-back both say duplicate, nothing is sent.
    const before = api.patches.length;
    const again = await processChunk(flow, roots, io('run-c'));
    expect(api.patches.length).toBe(before);
    expect(again.traces.map((t) => t.outcome)).toEqual(Array(RECORDS).fill('duplicate'));
    expect(await erpDocuments()).toEqual(documents);
  });

  it('a retry after the ERP committed and before the ledger heard of it: the same number goes on, read back from the row', async () => {
    let died = false;
    await expect(processChunk(flow, roots, io('run-x', 1, (point, at) => {
      if (!died && point === 'after-batch' && at.nodeId === 'erp' && at.batch === 0) {
        died = true;
        throw new Error('worker died');
      }
    }))).rejects.toThrow('worker died');
    const committed = await erpDocuments();
    expect(committed.size).toBe(4);
    // The retried chunk has the same claim token (a crashed attempt of the same chunk).
    const result = await processChunk(flow, roots, io('run-x', 1));
    const documents = await erpDocuments();
    expect(documents.size).toBe(RECORDS);
    for (const [po, doc] of committed) expect(documents.get(po)).toBe(doc);
    expect(sentBack()).toEqual(documents);
    expect(result.traces.map((t) => t.outcome)).toEqual(Array(RECORDS).fill('delivered'));
  });

  it('a retry after the write-back was sent: the stored answers go on again, the ERP is not written twice', async () => {
    let died = false;
    await expect(processChunk(flow, roots, io('run-y', 1, (point, at) => {
      if (!died && point === 'after-confirm' && at.nodeId === 'back' && at.batch === 0) {
        died = true;
        throw new Error('worker died');
      }
    }))).rejects.toThrow('worker died');
    const documents = await erpDocuments();
    expect(sentBack()).toEqual(documents);
    const sent = api.patches.length;
    const result = await processChunk(flow, roots, io('run-y', 1));
    expect(api.patches.length).toBe(sent);
    expect(await erpDocuments()).toEqual(documents);
    expect(result.traces.map((t) => t.outcome)).toEqual(Array(RECORDS).fill('delivered'));
  });

  it('a record filtered out after the target counts as delivered there', async () => {
    const filtering = prepare(docOf('record.po = "PO-2" ? undefined : { "po": record.po, "erpDocument": response.row.doc_number }'));
    const result = await processChunk(filtering, roots, io('run-f'));
    const filtered = result.traces.find((t) => (t.input as { po: string }).po === 'PO-2')!;
    expect(filtered).toMatchObject({ outcome: 'delivered', endNode: 'map', targetNode: 'erp', targetRef: 'PO-2' });
    expect(result.reconciliation.counts).toMatchObject({ delivered: RECORDS, filtered: 0 });
    expect(api.patches).toHaveLength(RECORDS - 1);
  });

  it('a whole run over several chunks succeeds and its control totals close; every trace shows the ERP answer', async () => {
    const records = Array.from({ length: 25 }, (_, k) => ({ po: `RUN-${k + 1}`, amount: `${k + 1}.10`, currency: 'EUR' }));
    const sink = new MemoryTraceSink();
    const connections: ConnectionResolver = { sql: () => store.sql, http: () => ({ baseUrl: 'http://procurement.test', headers: {} }) };
    const result = await runFlow({
      runId: 'whole-run', flow: prepare({ ...docOf(), amount: { value: 'amount', currency: 'currency' } }), input: jsonLines(records), ledger: store.ledger, traces: sink,
      connections, files: { append: async () => {} }, fetch: api.fetch, digest: (t) => createHash('sha256').update(t).digest('hex'), chunkSize: 7,
    });
    expect(result.status).toBe('succeeded');
    expect(result.reconciliation.closes).toBe(true);
    expect(result.counts).toMatchObject({ read: 25, delivered: 25, filtered: 0, deadLettered: 0 });
    const cents = records.reduce((sum, r) => sum + BigInt(r.amount.replace('.', '')), 0n);
    expect(result.reconciliation.totals.delivered).toEqual({ EUR: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}` });
    const documents = await erpDocuments();
    expect(sentBack()).toEqual(documents);
    expect(sink.traces).toHaveLength(25);
    for (const t of sink.traces) {
      const po = (t.input as { po: string }).po;
      expect(t.steps.find((s) => s.node === 'erp')?.data).toMatchObject({ response: { row: { doc_number: documents.get(po) } } });
    }
  });

  it('a dry run writes nothing, so there is no answer to pass on: records end at the target', async () => {
    const result = await processChunk(flow, roots, { ...io('dry'), dryRun: true });
    expect(result.traces.map((t) => [t.outcome, t.endNode])).toEqual(Array(RECORDS).fill(['delivered', 'erp']));
    expect(await erpDocuments()).toEqual(new Map());
    expect(api.patches).toEqual([]);
  });
});
