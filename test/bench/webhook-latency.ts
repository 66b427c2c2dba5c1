/**
 * Webhook-to-queued latency: the real server (PGlite in a temp folder, the
 * durable queue and its worker) on a free port, signed webhooks sent at a
 * steady rate from this process with fetch; the time from sending to the 202
 * (which comes only once the run is durably queued) is measured.
 *
 *   npx tsx test/bench/webhook-latency.ts [rate=200] [seconds=10] [--no-worker]
 *
 * With the in-process worker (the default, as `serve` runs) the runs compete
 * with the webhooks for the one PGlite connection; --no-worker measures the
 * queuing path alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests per second actually achieved. */
  achievedRate: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

export async function measureWebhookLatency(options: { rate?: number; seconds?: number; worker?: boolean } = {}): Promise<WebhookLatency> {
  const rate = options.rate ?? 200;
  const seconds = options.seconds ?? 10;
  const dataDir = await mkdtemp(join(tmpdir(), 'lf-bench-'));
  const server = await startServer({
    env: { LEDGERFLOW_DATA: dataDir, LEDGERFLOW_ADMIN_PASSWORD: 'bench-password-1', LEDGERFLOW_WORKER: options.worker === false ? '0' : '1' },
    port: 0, host: '127.0.0.1', designerDir: null, examples: false, out: () => {},
  });
  try {
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
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

    const latencies: number[] = [];
    let failed = 0;
    const failures: Record<string, number> = {};
    const fail = (what: string) => { failed++; failures[what] = (failures[what] ?? 0) + 1; };
    const total = rate * seconds;
    const interval = 1000 / rate;
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const body = JSON.stringify({ id: `E-${i}`, amount: (i % 1000) / 10 });
      const ts = Math.floor(Date.now() / 1000);
      const t0 = performance.now();
      inFlight.push(fetch(`${server.url}/hooks/bench-hook/dev`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ledgerflow-timestamp': String(ts), 'x-ledgerflow-signature': signWebhook(secret, ts, body) },
        body,
      }).then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 202) latencies.push(performance.now() - t0);
        else fail(String(res.status));
      }, (err: Error) => fail((err.cause as Error | undefined)?.message ?? err.message)));
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      rate, seconds, sent: total, accepted: latencies.length, failed, failures, worker: options.worker !== false,
      p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(latencies.at(-1) ?? NaN),
      achievedRate: Math.round(total / elapsed),
    };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [rate, seconds] = process.argv.slice(2, 4).map(Number);
  measureWebhookLatency({ rate: rate || undefined, seconds: seconds || undefined, worker: !process.argv.includes('--no-worker') }).then((r) => {
    console.log(JSON.stringify(r, null, 2));
    process.exit(0);
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}
