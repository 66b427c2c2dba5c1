/**
 * Lookups in a designer test run: the preview worker asks the main thread for rows, which queries
 * the dev environment's bound connection (Postgres on TEST_DATABASE_URL when set) within caps per
 * test run; the worker is never handed the connection's URL or password. A connection not bound
 * in dev leaves the records "not evaluated", naming it.
 */
import { randomBytes } from 'node:crypto';
import { deserialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConnectionResolver, LookupRequest, SqlClient } from '../../../nodes/define-node.ts';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import type { ClosableConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import { devLookups } from '../../../runtime/preview/preview-lookups.ts';
import { createHarness, type Harness } from '../api/harness.ts';

const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, config });
const TABLE = `look17_customer_${randomBytes(4).toString('hex')}`;
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

function lookupFlow(id: string): FlowDocument {
  return {
    id, name: 'Orders with customers', connections: { crm: { kind: 'postgres' } },
    nodes: [
      node('orders', 'source.webhook', {}),
      node('customer', 'transform.lookup', { source: 'postgres', connection: 'crm', query: `select id, name, credit_limit from ${TABLE} where id = any($1)`, matchColumn: 'id', key: 'customerId', into: 'customer' }),
      node('out', 'target.file', { path: 'out.jsonl', format: 'jsonl', idempotencyKey: 'id' }),
      node('unknown', 'target.file', { path: 'unknown.jsonl', format: 'jsonl', idempotencyKey: 'id' }),
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'customer' },
      { id: 'e2', source: 'customer', sourceHandle: 'found', target: 'out' },
      { id: 'e3', source: 'customer', sourceHandle: 'missing', target: 'unknown' },
    ],
  };
}

const ORDERS = [{ id: 'O1', customerId: 'C1' }, { id: 'O2', customerId: 'C9' }, { id: 'O3', customerId: 'C2' }];

type Shown = { port: string; data: { id: string; customer?: unknown }; failures?: { message: string }[] };

/** What the main thread posts to preview workers, as text (the job deserialised), captured as it is posted. */
function watchWorkerMessages(): string[] {
  const posted: string[] = [];
  const original = Worker.prototype.postMessage;
  vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, message: unknown, transfer?: readonly unknown[]) {
    const m = message as { job?: Uint8Array };
    posted.push(JSON.stringify(m.job instanceof Uint8Array ? { ...m, job: deserialize(m.job) } : m));
    return original.call(this, message, transfer as never);
  });
  return posted;
}

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());
afterEach(() => vi.restoreAllMocks());

describe.skipIf(!process.env.TEST_DATABASE_URL)('designer test run with a lookup on the dev connection (Postgres)', () => {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://x@localhost/x');
  const target = new pg.Client({ connectionString: url.toString() });

  beforeAll(async () => {
    await target.connect();
    await target.query(`create table ${TABLE} (id text primary key, name text not null, credit_limit numeric(12,2) not null)`);
    await target.query(`insert into ${TABLE} values ('C1', 'Alpenmilch AG', 50000.00), ('C2', 'Fjord Fisk AS', 1250.50)`);
  });
  afterAll(async () => {
    await target.query(`drop table if exists ${TABLE}`);
    await target.end();
  });

  it('enriches found records with the real rows and sends the others to missing; the worker gets rows, never the URL or password', async () => {
    // The password is a secret of the dev binding (the server trusts local connections, so any password opens it).
    const withSecret = new URL(url.toString());
    withSecret.password = 'SECRET_SLOT';
    await h.json('admin', 'PUT', '/api/connections/dev/crm', { kind: 'postgres', settings: { url: withSecret.toString().replace('SECRET_SLOT', '{{secret:pw}}') }, secrets: { pw: PASSWORD } });
    await h.json('analyst', 'POST', '/api/flows', { document: lookupFlow('orders-crm') }, 201);
    const posted = watchWorkerMessages();

    const out = await h.json('analyst', 'POST', '/api/flows/orders-crm/test-run', { records: ORDERS });

    const shown = out.outputs.customer as Shown[];
    expect(shown.map((o) => [o.port, o.data])).toEqual([
      ['found', { id: 'O1', customerId: 'C1', customer: { id: 'C1', name: 'Alpenmilch AG', credit_limit: '50000.00' } }],
      ['missing', { id: 'O2', customerId: 'C9' }],
      ['found', { id: 'O3', customerId: 'C2', customer: { id: 'C2', name: 'Fjord Fisk AS', credit_limit: '1250.50' } }],
    ]);
    expect(out.counts).toMatchObject({ read: 3, delivered: 3, quarantined: 0, deadLettered: 0 });
    // The test run went through a preview worker, whose lookup was answered with rows only.
    expect(posted.some((m) => m.includes('"kind":"test-run"'))).toBe(true);
    const replies = posted.filter((m) => m.includes('lookupReply'));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain('Alpenmilch AG');
    for (const m of posted) {
      expect(m).not.toContain(PASSWORD);
      expect(m).not.toContain(url.host);
      expect(m).not.toContain('postgres://');
    }
    // Nothing of the test run is stored.
    expect((await h.store.listRuns({}, { limit: 10 })).items).toEqual([]);
  });
});

describe('designer test run with a lookup whose connection is not bound in dev', () => {
  it('shows each record as not evaluated, naming the connection and dev, even when another environment binds it', async () => {
    await h.json('admin', 'PUT', '/api/connections/test/crm2', { kind: 'postgres', settings: { url: 'postgres://ledgerflow@db.test.example:5432/crm' } });
    const doc = lookupFlow('orders-unbound');
    doc.connections = { crm2: { kind: 'postgres' } };
    (doc.nodes[1].config as { connection: string }).connection = 'crm2';
    await h.json('analyst', 'POST', '/api/flows', { document: doc }, 201);

    const out = await h.json('analyst', 'POST', '/api/flows/orders-unbound/test-run', { records: ORDERS });

    const shown = out.outputs.customer as Shown[];
    expect(shown.map((o) => [o.port, o.data.id])).toEqual([['not evaluated', 'O1'], ['not evaluated', 'O2'], ['not evaluated', 'O3']]);
    expect(shown[0].failures?.[0].message).toBe("not evaluated in preview: connection 'crm2' is not bound in dev (a test run's lookups query the dev environment's connections)");
    expect(out.counts).toMatchObject({ read: 3, filtered: 3, delivered: 0, deadLettered: 0 });
    expect(out.outputs.out).toBeUndefined();
  });

  it('an operator may not start a test run (analysts and admins only)', async () => {
    expect((await h.call('operator', 'POST', '/api/flows/orders-unbound/test-run', { records: ORDERS })).status).toBe(403);
  });
});

describe('test run lookup caps', () => {
  const request: LookupRequest = { source: 'postgres', connection: 'crm', query: 'select id from c where id = any($1)', matchColumn: 'id', timeoutMs: 60_000, nodeId: 'customer' };
  function fake(rowsPerKey: number) {
    const seen: { environment: string | null; timeouts: string[]; closed: number } = { environment: null, timeouts: [], closed: 0 };
    const sql: SqlClient = {
      async query<R>(text: string, params?: unknown[]) {
        if (text.startsWith('SET LOCAL statement_timeout')) seen.timeouts.push(text);
        if (text.startsWith('SET')) return { rows: [] as R[] };
        const keys = params![0] as string[];
        return { rows: keys.flatMap((id) => Array.from({ length: rowsPerKey }, () => ({ id }))) as R[] };
      },
      transaction: <T,>(fn: (tx: SqlClient) => Promise<T>) => fn(sql),
    };
    const resolver: ClosableConnectionResolver = {
      sql: () => sql, http: () => { throw new Error('no http'); }, close: async () => { seen.closed++; },
    } satisfies ConnectionResolver & { close(): Promise<void> };
    const source = (limits: { maxQueries: number; maxRows: number; timeoutMs: number }) => devLookups({}, {
      connections: { connectionsFor: async (environment) => { seen.environment = environment; return resolver; } },
      boundNames: async () => ['crm'], fetch: globalThis.fetch,
    }, limits);
    return { seen, source };
  }

  it('queries the dev binding with the shorter of the node\'s and the preview\'s timeout, and stops at the query cap', async () => {
    const { seen, source } = fake(1);
    const lookups = source({ maxQueries: 2, maxRows: 100, timeoutMs: 5_000 });
    expect([...(await lookups.rows(request, ['A'])).keys()]).toEqual(['A']);
    await lookups.rows(request, ['B']);
    await expect(lookups.rows(request, ['C'])).rejects.toMatchObject({ message: "not evaluated in preview: the test run's lookups reached their limit of 2 queries; test on a smaller sample", details: { code: 'NOT_EVALUATED_IN_PREVIEW' } });
    expect(seen.environment).toBe('dev');
    expect(seen.timeouts).toEqual(['SET LOCAL statement_timeout = 5000', 'SET LOCAL statement_timeout = 5000']);
    await lookups.close();
    expect(seen.closed).toBe(1);
  });

  it('stops at the row cap', async () => {
    const { source } = fake(3);
    const lookups = source({ maxQueries: 10, maxRows: 5, timeoutMs: 5_000 });
    await lookups.rows(request, ['A']);
    await expect(lookups.rows(request, ['B'])).rejects.toMatchObject({ message: "not evaluated in preview: the test run's lookups reached their limit of 5 rows; test on a smaller sample" });
  });
});
