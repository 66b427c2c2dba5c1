/**
 * Webhook-to-queued latency: the real server (PGlite in a temp folder, or a
 * fresh database on a Postgres server; the durable queue and its worker) on a
 * free port, signed webhooks sent at a steady rate over loopback; the time
 * from sending to the 202 (which comes only once the run is durably queued)
 * is measured. The sender runs in a worker thread, so its own work does not
 * hold up the server's event loop (as a separate client would not).
 *
 *   npx tsx test/bench/webhook-latency.ts [rate=200] [seconds=10] [--no-worker] [--postgres] [--warmup=1]
 *
 * The first `--warmup` seconds (default 1) are sent at the same rate but left
 * out of the figures (reported apart as warmupP99Ms): a freshly started
 * process compiles its code paths on its first requests and runs.
 *
 * With the in-process worker (the default, as `serve` runs) the runs compete
 * with the webhooks for the database (PGlite: the one connection and the one
 * thread); --no-worker measures the queuing path alone. --postgres uses
 * TEST_DATABASE_URL (or DATABASE_URL): a database made for the run and dropped after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { startServer } from '../../runtime/main.ts';
import { signWebhook } from '../../runtime/triggers/webhook-signature.ts';

export interface WebhookLatency {
  rate: number;
  seconds: number;
  sent: number;
  accepted: number;
  failed: number;
  /** Statuses (or errors) of the requests that did not get 202. */
  failures: Record<string, number>;
  /** Whether the in-process worker ran the queued runs meanwhile. */
  worker: boolean;
  database: 'pglite' | 'postgres';
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests per second actually achieved. */
  achievedRate: number;
  /** p99 latency of the requests sent in each second (shows a backlog building or draining). */
  p99BySecondMs: number[];
  warmupSeconds: number;
  /** p99 of the warm-up requests (not in the figures above). */
  warmupP99Ms: number | null;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

/**
 * Sends `requests` at their due times (ms after start) from a worker thread
 * and reports each one's status and latency. Plain JavaScript: the thread
 * needs no TypeScript loader.
 */
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, requests } = workerData;
const results = new Array(requests.length);
const start = performance.now();
let done = 0;
const finish = () => { if (++done === requests.length) parentPort.postMessage({ results, elapsedMs: performance.now() - start }); };
let i = 0;
function next() {
  const now = performance.now() - start;
  while (i < requests.length && requests[i].due <= now + 0.5) {
    const k = i++;
    const r = requests[k];
    const t0 = performance.now();
    fetch(url, { method: 'POST', headers: r.headers, body: r.body }).then(async (res) => {
      await res.arrayBuffer();
      results[k] = { status: String(res.status), ms: performance.now() - t0 };
      finish();
    }, (err) => {
      results[k] = { status: (err.cause && err.cause.message) || err.message, ms: performance.now() - t0 };
      finish();
    });
  }
  if (i < requests.length) setTimeout(next, Math.max(0, requests[i].due - (performance.now() - start)));
}
next();
`;

interface SentResult { status: string; ms: number }

function sendFromThread(url: string, requests: { due: number; headers: Record<string, string>; body: string }[]): Promise<{ results: SentResult[]; elapsedMs: number }> {
  return new Promise((resolveSent, reject) => {
    const worker = new Worker(SENDER, { eval: true, workerData: { url, requests } });
    worker.once('message', (m) => { resolveSent(m); void worker.terminate(); });
    worker.once('error', reject);
  });
}

/** A database of its own on the server at `url`, dropped by the returned function. */
async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lf_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function measureWebhookLatency(options: { rate?: number; seconds?: number; worker?: boolean; postgresUrl?: string; warmupSeconds?: number } = {}): Promise<WebhookLatency> {
  const rate = options.rate ?? 200;
  const seconds = options.seconds ?? 10;
  const warmupSeconds = options.warmupSeconds ?? 1;
  const dataDir = await mkdtemp(join(tmpdir(), 'lf-bench-'));
  const database = options.postgresUrl ? await scratchDatabase(options.postgresUrl) : null;
  let server;
  try {
    server = await startServer({
      env: {
        LEDGERFLOW_DATA: dataDir, LEDGERFLOW_ADMIN_PASSWORD: 'bench-password-1', LEDGERFLOW_WORKER: options.worker === false ? '0' : '1',
        ...(database ? { DATABASE_URL: database.url } : {}),
      },
      port: 0, host: '127.0.0.1', designerDir: null, examples: false, out: () => {},
    });
  } catch (err) {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  try {
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method, headers: { cookie, origin: server.url, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const flow = {
      id: 'bench-hook', name: 'Webhook bench', businessKey: 'id',
      nodes: [
        { id: 'in', type: 'source.webhook', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
        { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, config: { expression: '{ "id": id, "amount": amount }' } },
        { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 400, y: 0 }, config: { path: 'bench.jsonl', idempotencyKey: 'id' } },
      ],
      edges: [{ id: 'e1', source: 'in', target: 'map' }, { id: 'e2', source: 'map', target: 'out' }],
    };
    await api('POST', '/api/flows', { document: flow });
    await api('POST', '/api/flows/bench-hook/versions', { message: 'bench' });
    await api('POST', '/api/flows/bench-hook/deployments', { environment: 'dev', version: 1 });
    const { secret } = await api('POST', '/api/flows/bench-hook/triggers/dev/webhook-secret', {});

    // Signed up front (timestamps stay well inside the 5-minute window): the sender only sends.
    const total = rate * seconds;
    const warm = rate * warmupSeconds;
    const ts = Math.floor(Date.now() / 1000);
    const requests = Array.from({ length: warm + total }, (_, i) => {
      const body = JSON.stringify({ id: `E-${i}`, amount: (i % 1000) / 10 });
      return { due: (i * 1000) / rate, body, headers: { 'content-type': 'application/json', 'x-ledgerflow-timestamp': String(ts), 'x-ledgerflow-signature': signWebhook(secret, ts, body) } };
    });
    const sent = await sendFromThread(`${server.url}/hooks/bench-hook/dev`, requests);

    const latencies: number[] = [];
    let failed = 0;
    const failures: Record<string, number> = {};
    const warmup = sent.results.slice(0, warm).map((r) => r.ms).sort((a, b) => a - b);
    const measured = sent.results.slice(warm);
    for (const r of measured) {
      if (r.status === '202') latencies.push(r.ms);
      else { failed++; failures[r.status] = (failures[r.status] ?? 0) + 1; }
    }
    const elapsed = sent.elapsedMs / 1000;
    const bySecond = Array.from({ length: seconds }, (_, sec) => measured.slice(sec * rate, (sec + 1) * rate).map((r) => r.ms).sort((a, b) => a - b));
    latencies.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      rate, seconds, sent: total, accepted: latencies.length, failed, failures, worker: options.worker !== false, database: database ? 'postgres' : 'pglite',
      p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(latencies.at(-1) ?? NaN),
      achievedRate: Math.round((warm + total) / elapsed),
      p99BySecondMs: bySecond.map((l) => Math.round(percentile(l, 99))),
      warmupSeconds, warmupP99Ms: warmup.length ? Math.round(percentile(warmup, 99)) : null,
    };
  } finally {
    await server.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [rate, seconds] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
  const postgresUrl = process.argv.includes('--postgres') ? process.env.TEST_DATABASE_URL || process.env.DATABASE_URL : undefined;
  if (process.argv.includes('--postgres') && !postgresUrl) {
    console.error('--postgres needs TEST_DATABASE_URL or DATABASE_URL');
    process.exit(64);
  }
  const warmupArg = process.argv.find((a) => a.startsWith('--warmup='));
  const warmupSeconds = warmupArg ? Number(warmupArg.slice('--warmup='.length)) : undefined;
  measureWebhookLatency({ rate: rate || undefined, seconds: seconds || undefined, worker: !process.argv.includes('--no-worker'), postgresUrl, warmupSeconds }).then((r) => {
    console.log(JSON.stringify(r, null, 2));
    process.exit(0);
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}
