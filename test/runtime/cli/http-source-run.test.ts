/**
 * `ledgerflow run` of a flow whose source is a REST API (no --input): the
 * connection is bound from a connections file with the client secret taken
 * from the environment; a run that fails halfway leaves the watermark where
 * it was (the next run asks for the same changes again, and what the failed
 * run delivered counts as duplicate), a successful one moves it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli-capture.ts';
import { startProcurementApi, type ProcurementApi } from '../../nodes/source/procurement-api.ts';

const SECRET = 'cli-client-secret-31337';
let data: string;
let api: ProcurementApi;
let failPage: string | undefined;


const flow = {
  id: 'po-from-procurement-api', name: 'POs from the procurement API', recordKey: 'id', businessKey: 'id',
  amount: { value: 'amount', currency: 'currency' },
  connections: { procurement: { kind: 'http', description: 'Procurement platform REST API' } },
  nodes: [
    {
      id: 'orders', type: 'source.http', typeVersion: 1, position: { x: 0, y: 0 },
      config: {
        connection: 'procurement', path: '/orders', recordsPath: 'data',
        pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 5 },
        watermark: { field: 'updatedAt', param: 'updated_since' },
        retry: { maxAttempts: 2, backoffMs: 0, maxWaitMs: 0 },
      },
    },
    { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 300, y: 0 }, config: { path: 'orders.jsonl', format: 'jsonl', idempotencyKey: 'id' } },
  ],
  edges: [{ id: 'e1', source: 'orders', target: 'out' }],
};

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'lf-http-source-'));
  process.env.LEDGERFLOW_DATA = join(data, 'store');
  process.env.LEDGERFLOW_OUT = join(data, 'out');
  process.env.PROCUREMENT_CLIENT_SECRET = SECRET;
  delete process.env.DATABASE_URL;
  api = await startProcurementApi({
    orders: 23, auth: 'oauth2', clientSecret: SECRET,
    intercept: (q) => (q.params.page === failPage ? { status: 500, body: '{"error":"database unavailable"}' } : undefined),
  });
  await writeFile(join(data, 'flow.json'), JSON.stringify(flow));
  await writeFile(join(data, 'connections.json'), JSON.stringify({
    procurement: {
      kind: 'http', baseUrl: api.baseUrl,
      auth: { type: 'oauth2-client-credentials', tokenUrl: api.tokenUrl, clientId: 'ledgerflow', clientSecret: '$env:PROCUREMENT_CLIENT_SECRET' },
    },
  }));
});
afterAll(async () => {
  await api?.close();
  delete process.env.PROCUREMENT_CLIENT_SECRET;
  await rm(data, { recursive: true, force: true });
});

const run = async () => {
  const r = await cli('run', join(data, 'flow.json'), '--connections', join(data, 'connections.json'), '--chunk-size', '5', '--json');
  return { ...r, summary: r.out ? JSON.parse(r.out) : undefined };
};
const sinceOfLastRun = () => api.stats.seen.filter((s) => s.params.page === '1').at(-1)?.params.updated_since;

describe('ledgerflow run with an HTTP source', { timeout: 300_000 }, () => {
  it('a failed run keeps the watermark; a successful one moves it, and the next run reads only what changed', async () => {
    failPage = '3';
    const failed = await run();
    expect(failed.code).toBe(2);
    // As a server's run: chunks are worked while the source is still read, so what pages 1 and 2 gave may be
    // delivered before page 3 fails the run — each of those records read and delivered, none twice.
    expect(failed.summary).toMatchObject({ status: 'failed' });
    const deliveredBefore: number = failed.summary.counts.delivered ?? 0;
    expect(failed.summary.counts.read ?? 0).toBe(deliveredBefore);
    expect(deliveredBefore).toBeLessThanOrEqual(10);
    expect(failed.summary.error.message).toMatch(/^The input of run \S+ could not be read after 3 attempts: page 3 of connection 'procurement' \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders\) answered 500 Internal Server Error: .*database unavailable.* \(after 2 tries\)$/);
    expect(JSON.stringify(failed.summary)).not.toContain(SECRET);
    expect(sinceOfLastRun()).toBeUndefined();

    failPage = undefined;
    const retried = await run();
    expect(retried.code).toBe(0);
    // The watermark did not move: the API was asked for everything again.
    expect(sinceOfLastRun()).toBeUndefined();
    // What the failed run delivered counts as duplicate now: written once in all.
    expect(retried.summary).toMatchObject({ status: 'succeeded', counts: { read: 23 } });
    expect(retried.summary.counts.delivered).toBe(23 - deliveredBefore);
    expect(retried.summary.counts.duplicate ?? 0).toBe(deliveredBefore);
    expect(retried.summary.reconciliation.totals.read).toEqual({ EUR: '287.50' });
    const lines = (await readFile(join(data, 'out', 'orders.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).id);
    // Each once; chunks may finish in any order, as on the server (a flow's `ordering` keeps per-key order).
    expect(lines.sort()).toEqual(Array.from({ length: 23 }, (_, i) => `PO-${i + 1}`).sort());

    api.addOrders(2);
    const next = await run();
    expect(next.code).toBe(0);
    expect(sinceOfLastRun()).toBe(api.orders[22].updatedAt);
    expect(next.summary).toMatchObject({ status: 'succeeded', counts: { read: 2, delivered: 2, duplicate: 0 } });
    // One token for all three runs of this process: cached until it expires.
    expect(api.stats.tokenRequests).toBe(1);
  });
});
