/**
 * The lookup node through the engine (dry runs, which give lookups the connections they are handed):
 * one query per chunk for all its keys, cached for the run within its size limit, found / missing
 * ports or a default, one-to-many as a list, HTTP GET per key with 404 as not found, and errors
 * naming the node and the field.
 */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import type { ConnectionResolver, SqlClient } from '../../../nodes/define-node.ts';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { validateFlow } from '../../../nodes/validate-flow.ts';
import { dryRunFlow } from '../../../runtime/dry-run.ts';
import { LookupCache } from '../../../nodes/transform/lookup-cache.ts';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';

const evaluators = createEvaluatorRegistry();

const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, config });

const CUSTOMERS = [
  { id: 'C1', name: 'Alpenmilch AG', credit_limit: '50000.00' },
  { id: 'C2', name: 'Fjord Fisk AS', credit_limit: '1250.50' },
  { id: 'C2', name: 'Fjord Fisk AS (Bergen)', credit_limit: '99.99' },
];

/** A Postgres connection answering `= any($1)` from CUSTOMERS, counting the queries. */
function fakeSql(): SqlClient & { queries: string[][] } {
  const queries: string[][] = [];
  const client = {
    queries,
    async query<R>(text: string, params?: unknown[]) {
      if (/^SET /.test(text)) {
        queries.push([text]);
        return { rows: [] as R[] };
      }
      const keys = params![0] as string[];
      queries.push(keys);
      return { rows: CUSTOMERS.filter((c) => keys.includes(c.id)) as R[] };
    },
    transaction: <T,>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => fn(client),
  };
  return client;
}

function lookupFlow(config: Record<string, unknown>): FlowDocument {
  const base = { source: 'postgres', connection: 'crm', query: 'select id, name, credit_limit from customer where id = any($1)', matchColumn: 'id', key: 'customerId', into: 'customer' };
  const cfg: Record<string, unknown> = { ...base, ...config };
  const withMissing = cfg.onMissing !== 'default';
  return {
    id: 'lookup-test', name: 'Lookup test', connections: { crm: { kind: cfg.source === 'http' ? 'http' : 'postgres' } },
    nodes: [
      node('orders', 'source.webhook', {}),
      node('customer', 'transform.lookup', cfg),
      node('out', 'target.file', { path: 'out.jsonl', format: 'jsonl', idempotencyKey: 'id' }),
      ...(withMissing ? [node('unknown', 'target.file', { path: 'unknown.jsonl', format: 'jsonl', idempotencyKey: 'id' })] : []),
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'customer' },
      { id: 'e2', source: 'customer', sourceHandle: 'found', target: 'out' },
      ...(withMissing ? [{ id: 'e3', source: 'customer', sourceHandle: 'missing', target: 'unknown' }] : []),
    ],
  };
}

async function run(doc: FlowDocument, records: unknown[], connections: Partial<ConnectionResolver>) {
  expect(validateFlow(doc, catalog, evaluators.for(doc))).toEqual([]);
  const resolver: ConnectionResolver = {
    sql: () => { throw new Error('no sql'); }, http: () => { throw new Error('no http'); }, ...connections,
  };
  const result = await dryRunFlow({
    doc, catalog, evaluator: evaluators.for(doc), reference: createReferenceData({}), connections: resolver,
    input: { kind: 'records', records: records.map((data) => ({ data })) }, captureOutputs: 1000,
  });
  return result;
}

const orders = [
  { id: 'O1', customerId: 'C1' }, { id: 'O2', customerId: 'C9' }, { id: 'O3', customerId: 'C1' }, { id: 'O4', customerId: 'C2' }, { id: 'O5' },
];

describe('lookup', () => {
  it('looks up a chunk in one query; found and missing ports; a key that gives nothing is quarantined naming node and field', async () => {
    const sql = fakeSql();
    const result = await run(lookupFlow({ many: true }), orders, { sql: () => sql });
    // Read-only, with a time limit, then one query for the chunk's keys.
    expect(sql.queries).toEqual([['SET TRANSACTION READ ONLY'], ['SET LOCAL statement_timeout = 10000'], ['C1', 'C9', 'C2']]);
    expect(result.outputs!.out.map((o) => o.data)).toEqual([
      { id: 'O1', customerId: 'C1', customer: [CUSTOMERS[0]] },
      { id: 'O3', customerId: 'C1', customer: [CUSTOMERS[0]] },
      { id: 'O4', customerId: 'C2', customer: [CUSTOMERS[1], CUSTOMERS[2]] },
    ]);
    expect(result.outputs!.unknown.map((o) => o.data)).toEqual([{ id: 'O2', customerId: 'C9' }]);
    const quarantined = result.traces.find((t) => t.outcome === 'quarantined')!;
    expect(quarantined.error?.message).toBe('Node "customer": the key expression /key (customerId) gave nothing for this record');
    expect(quarantined.error).toMatchObject({ nodeId: 'customer', field: '/key' });
  });

  it('a designer test run without the connection shows each record as not evaluated, naming the connection, and sends nothing on', async () => {
    const doc = lookupFlow({});
    // As the test-run preview calls it: no connections handed in.
    const result = await dryRunFlow({
      doc, catalog, evaluator: evaluators.for(doc), reference: createReferenceData({}),
      input: { kind: 'records', records: orders.map((data) => ({ data })) }, captureOutputs: 1000,
    });
    const shown = result.outputs!.customer;
    expect(shown.map((o) => [o.port, (o.data as { id: string }).id])).toEqual([['not evaluated', 'O1'], ['not evaluated', 'O2'], ['not evaluated', 'O3'], ['not evaluated', 'O4'], ['not evaluated', 'O5']]);
    expect(shown[0].failures).toEqual([{ rule: 'connection', severity: 'warning', message: expect.stringContaining("not evaluated in preview: needs connection 'crm'") }]);
    expect(result.outputs!.out).toBeUndefined();
    expect(result.outputs!.unknown).toBeUndefined();
    // Not failures: nothing quarantined or dead-lettered (the chunk's query is what could not run).
    expect(result.counts).toMatchObject({ read: 5, filtered: 5, quarantined: 0, deadLettered: 0, delivered: 0 });
    expect(result.deadLetters).toEqual([]);
    expect(result.traces.find((t) => t.lineageKey === '2')).toMatchObject({ outcome: 'filtered', endNode: 'customer', error: { code: 'NOT_EVALUATED_IN_PREVIEW' } });
  });

  it('one row per key unless one-to-many: a key matching several rows fails that record, naming the key', async () => {
    const result = await run(lookupFlow({}), [{ id: 'O4', customerId: 'C2' }, { id: 'O1', customerId: 'C1' }], { sql: () => fakeSql() });
    expect(result.outputs!.out.map((o) => o.data)).toEqual([{ id: 'O1', customerId: 'C1', customer: CUSTOMERS[0] }]);
    const failed = result.traces.find((t) => t.outcome === 'dead_lettered')!;
    expect(failed.error?.message).toBe('Lookup "customer": key \'C2\' matched 2 rows; turn on "All matches as a list" or narrow the query');
  });

  it('a default instead of the missing port', async () => {
    const result = await run(lookupFlow({ onMissing: 'default', default: "{ 'id': customerId, 'name': 'unknown customer', 'credit_limit': '0.00' }" }), [{ id: 'O2', customerId: 'C9' }], { sql: () => fakeSql() });
    expect(result.outputs!.out.map((o) => o.data)).toEqual([{ id: 'O2', customerId: 'C9', customer: { id: 'C9', name: 'unknown customer', credit_limit: '0.00' } }]);
  });

  it('caches per run: keys seen in an earlier chunk are not asked again; the size limit evicts the least used', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: `O${i}`, customerId: i % 2 ? 'C1' : 'C9' }));
    const sql = fakeSql();
    await run(lookupFlow({ many: true }), many, { sql: () => sql });
    // Chunks of 500: the first asks for both keys, the others find them cached (found or not).
    expect(sql.queries.filter((q) => !q[0].startsWith('SET '))).toEqual([['C9', 'C1']]);
    const uncached = fakeSql();
    await run(lookupFlow({ many: true, cacheSize: 0 }), many, { sql: () => uncached });
    expect(uncached.queries.filter((q) => !q[0].startsWith('SET ')).length).toBe(3);
  });

  it('the cache keeps at most its limit, dropping the least recently used, and starts empty for a new run', () => {
    const cache = new LookupCache(2).forRun('r1');
    cache.set('A', [1]);
    cache.set('B', []);
    expect(cache.get('A')).toEqual([1]);
    cache.set('C', [3]);
    expect([cache.get('A'), cache.get('B'), cache.get('C'), cache.size]).toEqual([[1], undefined, [3], 2]);
    expect(cache.forRun('r2').size).toBe(0);
  });

  it('HTTP: a GET per key, 404 is missing, at most `concurrency` requests at once', async () => {
    let inFlight = 0;
    let most = 0;
    const asked: string[] = [];
    const fetchStub = (async (url: string) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      asked.push(new URL(url).pathname);
      const id = decodeURIComponent(new URL(url).pathname.split('/').pop()!);
      const found = CUSTOMERS.filter((c) => c.id === id);
      return found.length ? new Response(JSON.stringify(found[0]), { status: 200 }) : new Response('not here', { status: 404 });
    }) as typeof fetch;
    const doc = lookupFlow({ source: 'http', path: '/customers/{{key}}', concurrency: 2 });
    const result = await dryRunFlow({
      doc, catalog, evaluator: evaluators.for(doc), reference: createReferenceData({}), captureOutputs: 100,
      connections: { sql: () => { throw new Error('no sql'); }, http: () => ({ baseUrl: 'http://crm.test/api', headers: {} }) },
      input: { kind: 'records', records: [{ data: { id: 'O1', customerId: 'C1' } }, { data: { id: 'O2', customerId: 'C 9' } }, { data: { id: 'O3', customerId: 'C3' } }] },
      fetch: fetchStub,
    });
    expect(asked.sort()).toEqual(['/api/customers/C%209', '/api/customers/C1', '/api/customers/C3']);
    expect(most).toBeLessThanOrEqual(2);
    expect(result.outputs!.out.map((o) => o.data)).toEqual([{ id: 'O1', customerId: 'C1', customer: CUSTOMERS[0] }]);
    expect(result.outputs!.unknown.map((o) => (o.data as { id: string }).id)).toEqual(['O2', 'O3']);
  });

  it('config problems name the field', () => {
    const lookup = catalog.get('transform.lookup')!;
    const check = (config: Record<string, unknown>) => lookup.check!({ ...lookup.defaults, connection: 'crm', key: 'k', ...config }, evaluators.for({}));
    expect(check({ query: 'select * from customer where id = $2', matchColumn: '' }).map((p) => p.path)).toEqual(['/query', '/query', '/matchColumn']);
    expect(check({ query: 'select * from c where id = any($1); delete from c', matchColumn: 'id' }).map((p) => p.message)).toEqual(['One SELECT statement only (a lookup can only read)']);
    expect(check({ source: 'http', path: '/customers' })).toEqual([{ path: '/path', message: 'The path must contain {{key}}, where the key goes' }]);
    expect(check({ query: 'select * from c where id = any($1)', matchColumn: 'id', onMissing: 'default' })).toEqual([{ path: '/default', message: 'Give the default value for keys not found' }]);
  });
});
