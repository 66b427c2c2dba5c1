/**
 * The HTTP source against a local REST server: 100 pages of 500 purchase
 * orders (page-number pagination, bearer auth), read through the runtime's
 * HTTP client. Two figures, records/s: the source alone (median of 3 reads),
 * and a whole engine run (source → JSON Lines file, with traces, on an
 * embedded store on disk). `node --import tsx test/bench/http-source-bench.ts`
 * prints one JSON line; `npm run bench` includes it.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog } from '../../nodes/catalog.ts';
import type { SourceContext } from '../../nodes/define-node.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { EMPTY_REFERENCE_DATA } from '../../nodes/reference-data.ts';
import { httpSource, type HttpSourceConfig } from '../../nodes/source/http.ts';
import { createConnectionResolver } from '../../runtime/connectors/connection-registry.ts';
import { createFileSink } from '../../runtime/connectors/files.ts';
import { httpFetch } from '../../runtime/connectors/http-client.ts';
import { executeRun } from './execute-run.ts';
import { openPgliteStore } from '../../runtime/store/open-store.ts';

const PAGES = 100;
const PAGE_SIZE = 500;
const TOKEN = 'bench-token-5f1c2a';

function purchaseOrder(i: number) {
  return {
    id: `PO-${String(i).padStart(7, '0')}`, supplierId: `SUP-${(i % 97) + 1}`, legalEntity: ['DE01', 'DE02', 'US01'][i % 3],
    status: 'approved', currency: 'EUR', amount: `${(i % 9000) + 100}.${String(i % 100).padStart(2, '0')}`,
    costCentre: `CC-${(i % 40) + 100}`, buyer: `buyer${i % 12}@example.com`, updatedAt: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString(),
  };
}

async function startServer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const pages = Array.from({ length: PAGES + 1 }, (_, p) => JSON.stringify({
    data: p < PAGES ? Array.from({ length: PAGE_SIZE }, (_, k) => purchaseOrder(p * PAGE_SIZE + k + 1)) : [],
    meta: { page: p + 1 },
  }));
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(pages[Math.min(page, PAGES + 1) - 1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const CONFIG: HttpSourceConfig = {
  ...httpSource.defaults, connection: 'procurement', path: '/orders', recordsPath: 'data',
  pagination: { ...httpSource.defaults.pagination, style: 'page', sizeParam: 'pageSize', pageSize: PAGE_SIZE },
  watermark: { field: 'updatedAt', param: 'updated_since', initial: '' },
};

async function readAlone(baseUrl: string): Promise<number> {
  const ctx: SourceContext = {
    connections: createConnectionResolver({ procurement: { kind: 'http', baseUrl, auth: { type: 'bearer', token: TOKEN } } }),
    fetch: httpFetch, proposeWatermark: () => {}, signal: new AbortController().signal,
  };
  const started = performance.now();
  let n = 0;
  for await (const _ of httpSource.create(CONFIG, { nodeId: 'orders', evaluator: undefined as never, reference: EMPTY_REFERENCE_DATA, functions: {} }).read(ctx)) n++;
  if (n !== PAGES * PAGE_SIZE) throw new Error(`read ${n} records, expected ${PAGES * PAGE_SIZE}`);
  return n / ((performance.now() - started) / 1000);
}

async function engineRun(baseUrl: string): Promise<{ recordsPerSec: number; status: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lf-bench-http-'));
  const store = await openPgliteStore({ dataDir: join(dir, 'pgdata') });
  const files = createFileSink(join(dir, 'out'));
  const doc: FlowDocument = {
    id: 'bench-http-source', name: 'HTTP source bench', recordKey: 'id', businessKey: 'id', amount: { value: 'amount', currency: 'currency' },
    connections: { procurement: { kind: 'http' } },
    nodes: [
      { id: 'orders', type: 'source.http', typeVersion: 1, position: { x: 0, y: 0 }, config: CONFIG as unknown as Record<string, unknown> },
      { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 300, y: 0 }, config: { path: 'orders.jsonl', format: 'jsonl', idempotencyKey: 'id' } },
    ],
    edges: [{ id: 'e', source: 'orders', target: 'out' }],
  };
  try {
    await store.saveDraft(doc, 'bench');
    const version = await store.saveVersion(doc.id, doc, 'bench', 'bench');
    const connections = createConnectionResolver({ procurement: { kind: 'http', baseUrl, auth: { type: 'bearer', token: TOKEN } } });
    const started = performance.now();
    const { result } = await executeRun({ store, catalog, connections, files, fetch: httpFetch }, {
      doc, version: version.version, trigger: 'manual', input: { kind: 'source' }, reference: EMPTY_REFERENCE_DATA,
    });
    if (result.counts.read !== PAGES * PAGE_SIZE) throw new Error(`engine read ${result.counts.read} records: ${result.error?.message}`);
    return { recordsPerSec: result.counts.read / ((performance.now() - started) / 1000), status: result.status };
  } finally {
    await files.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const server = await startServer();
try {
  const rates: number[] = [];
  for (let round = 0; round < 3; round++) rates.push(await readAlone(server.baseUrl));
  const engine = await engineRun(server.baseUrl);
  console.log(JSON.stringify({
    pages: PAGES, recordsPerPage: PAGE_SIZE,
    sourceRecordsPerSec: rates.sort((a, b) => a - b)[1],
    engineRecordsPerSec: engine.recordsPerSec, engineStatus: engine.status,
  }));
} finally {
  await server.close();
}
