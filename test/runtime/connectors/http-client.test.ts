import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, runtimeFetch, httpFetch } from '../../../runtime/connectors/http-client.ts';
import { httpTarget } from '../../../nodes/target/http.ts';
import type { TargetOutcome } from '../../../nodes/define-node.ts';
import { connections, setupContext, targetContext } from '../../nodes/target/target-test-context.ts';

interface Echo {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  socket: number;
}

let server: Server;
let other: Server; // a second origin, for cross-origin redirects
let base: string;
let otherBase: string;
let received: Echo[] = [];
let connectionsOpened = 0;
const socketIds = new WeakMap<Socket, number>();

function route(req: IncomingMessage, res: ServerResponse, _body: string): void {
  const [path, query = ''] = req.url!.split('?');
  const params = new URLSearchParams(query);
  const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(payload));
  };
  switch (path) {
    case '/redirect':
      res.writeHead(Number(params.get('status')), { Location: params.get('to') ?? '/echo' }).end();
      return;
    case '/ok':
      return json(201, { id: `ERP-${received.length}` });
    case '/limited':
      return json(429, { error: 'quota exceeded' }, { 'Retry-After': '7' });
    case '/down':
      return json(500, { error: 'boom' });
    case '/gzip':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(gzipSync(JSON.stringify({ zipped: true })));
      return;
    case '/empty-gzip':
      res.writeHead(204, { 'Content-Encoding': 'gzip' }).end();
      return;
    case '/slow': {
      const timer = setTimeout(() => json(200, { late: true }), 2000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case '/slow-body': {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '20' });
      res.write('first half');
      const timer = setTimeout(() => res.end('second hal'), 2000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case '/cut':
      // Promises 100 bytes, sends 7, then drops the connection.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"part"');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    default:
      json(200, received.at(-1));
  }
}

function listen(s: Server): Promise<string> {
  return new Promise((done) => s.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

function makeServer(): Server {
  const s = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body, socket: socketIds.get(req.socket)! });
      route(req, res, body);
    });
  });
  s.on('connection', (socket) => socketIds.set(socket, ++connectionsOpened));
  return s;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await listen(s);
  const port = (s.address() as AddressInfo).port;
  await new Promise((done) => s.close(done));
  return port;
}

const client = createHttpClient();

beforeAll(async () => {
  server = makeServer();
  other = makeServer();
  base = await listen(server);
  otherBase = await listen(other);
});

afterAll(async () => {
  client.destroy();
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise((done) => s.close(done));
  }
});

beforeEach(() => {
  received = [];
});

describe('http client', () => {
  it('posts JSON with the caller headers and answers like fetch', async () => {
    const payload = JSON.stringify({ invoice: 'INV-1', total: '10.00', note: 'Größe ✓' });
    const response = await client.fetch(`${base}/echo?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': 'po-42', Authorization: 'Bearer t0ken' },
      body: payload,
    });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('CONTENT-TYPE')).toBe('application/json');
    const echo = (await response.json()) as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.url).toBe('/echo?x=1');
    expect(echo.headers['idempotency-key']).toBe('po-42');
    expect(echo.headers.authorization).toBe('Bearer t0ken');
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.headers['content-length']).toBe(String(Buffer.byteLength(payload)));
    expect(echo.body).toBe(payload);
  });

  it('a body can be read once', async () => {
    const response = await client.fetch(`${base}/echo`);
    await response.text();
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it('reuses one keep-alive socket for sequential requests', async () => {
    const before = connectionsOpened;
    for (let i = 0; i < 4; i++) await (await client.fetch(`${base}/echo`, { method: 'POST', body: `{"n":${i}}` })).text();
    expect(new Set(received.map((r) => r.socket)).size).toBe(1);
    expect(connectionsOpened - before).toBeLessThanOrEqual(1);
  });

  it('reads Retry-After and status text of a 429', async () => {
    const response = await client.fetch(`${base}/limited`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(429);
    expect(response.ok).toBe(false);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ error: 'quota exceeded' });
  });

  it('decodes a gzip body, and leaves an empty 204 alone', async () => {
    expect(await (await client.fetch(`${base}/gzip`)).json()).toEqual({ zipped: true });
    const empty = await client.fetch(`${base}/empty-gzip`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });

  // Method and body after a redirect, as fetch does them (checked against the built-in fetch too).
  const redirects = [
    { status: 301, method: 'POST', sent: 'GET', keepsBody: false },
    { status: 302, method: 'POST', sent: 'GET', keepsBody: false },
    { status: 303, method: 'POST', sent: 'GET', keepsBody: false },
    { status: 303, method: 'PUT', sent: 'GET', keepsBody: false },
    { status: 301, method: 'PUT', sent: 'PUT', keepsBody: true },
    { status: 307, method: 'POST', sent: 'POST', keepsBody: true },
    { status: 308, method: 'PUT', sent: 'PUT', keepsBody: true },
  ];
  for (const c of redirects) {
    it(`follows ${c.status} after ${c.method}: ${c.sent}${c.keepsBody ? ' with the body' : ' without a body'}`, async () => {
      for (const f of [client.fetch, globalThis.fetch]) {
        received = [];
        const response = await f(`${base}/redirect?status=${c.status}&to=/echo`, {
          method: c.method,
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k1' },
          body: '{"a":1}',
        });
        expect(response.status).toBe(200);
        expect(response.redirected).toBe(true);
        expect(response.url).toBe(`${base}/echo`);
        const echo = (await response.json()) as Echo;
        expect(received.map((r) => r.method)).toEqual([c.method, c.sent]);
        expect(echo.method).toBe(c.sent);
        expect(echo.body).toBe(c.keepsBody ? '{"a":1}' : '');
        expect(echo.headers['content-type']).toBe(c.keepsBody ? 'application/json' : undefined);
        expect(echo.headers['idempotency-key']).toBe('k1');
      }
    });
  }

  it('drops credentials on a redirect to another origin, like fetch', async () => {
    for (const f of [client.fetch, globalThis.fetch]) {
      received = [];
      const to = encodeURIComponent(`${otherBase}/echo`);
      const echo = (await (await f(`${base}/redirect?status=307&to=${to}`, { method: 'POST', body: 'x', headers: { Authorization: 'Bearer t0ken', 'X-Tenant': 'acme' } })).json()) as Echo;
      expect(received[0].headers.authorization).toBe('Bearer t0ken');
      expect(echo.headers.authorization).toBeUndefined();
      expect(echo.headers['x-tenant']).toBe('acme');
    }
  });

  it('redirect: manual hands back the 3xx without following', async () => {
    const response = await client.fetch(`${base}/redirect?status=302&to=/elsewhere`, { method: 'POST', body: 'x', redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.redirected).toBe(false);
    expect(response.headers.get('location')).toBe('/elsewhere');
    expect(received).toHaveLength(1);
  });

  it('an aborted signal rejects with its reason and sends nothing', async () => {
    const controller = new AbortController();
    const reason = new Error('run stopped');
    controller.abort(reason);
    await expect(client.fetch(`${base}/echo`, { method: 'POST', body: 'x', signal: controller.signal })).rejects.toBe(reason);
    expect(received).toHaveLength(0);
  });

  it('aborting while waiting for the answer rejects with the reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await client.fetch(`${base}/slow`, { signal: controller.signal }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBe(controller.signal.reason);
    expect((error as DOMException).name).toBe('AbortError');
  });

  it('aborting while the body arrives rejects text() with the reason', async () => {
    const controller = new AbortController();
    const response = await client.fetch(`${base}/slow-body`, { signal: controller.signal });
    expect(response.status).toBe(200);
    const reason = new Error('stop now');
    setTimeout(() => controller.abort(reason), 20);
    await expect(response.text()).rejects.toBe(reason);
  });

  it('AbortSignal.timeout rejects with a TimeoutError', async () => {
    const started = Date.now();
    const error = await client.fetch(`${base}/slow`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
  });

  it('a refused connection is TypeError("fetch failed") with the system error as cause', async () => {
    const port = await closedPort();
    const error = (await client.fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', body: '{}' }).catch((e: unknown) => e)) as TypeError & { cause: { code: string } };
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect(error.cause.code).toBe('ECONNREFUSED');
  });

  it('a connection lost mid-body rejects text() with TypeError("terminated"), like fetch', async () => {
    for (const f of [client.fetch, globalThis.fetch]) {
      const response = await f(`${base}/cut`);
      expect(response.status).toBe(200);
      const error = await response.text().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe('terminated');
    }
  });

  it('leaves what it does not cover to the fallback', async () => {
    const calls: unknown[] = [];
    const withSpy = createHttpClient({ fallback: async (input) => { calls.push(input); return new Response('from fallback'); } });
    const request = new Request(`${base}/echo`);
    expect(await (await withSpy.fetch(request)).text()).toBe('from fallback');
    expect(await (await withSpy.fetch(`${base}/echo`, { body: new Blob(['x']), method: 'POST' })).text()).toBe('from fallback');
    expect(calls).toHaveLength(2);
    expect(received).toHaveLength(0);
    withSpy.destroy();
    // The default fallback is the built-in fetch.
    expect((await client.fetch(new Request(`${base}/echo`, { method: 'POST', body: 'via Request' }))).status).toBe(200);
    expect(received[0].body).toBe('via Request');
  });

  it('runtimeFetch picks the built-in fetch only when LEDGERFLOW_HTTP_CLIENT=fetch', () => {
    expect(runtimeFetch()).toBe(httpFetch);
    expect(runtimeFetch({ client: 'keep-alive' })).toBe(httpFetch);
    // The built-in fetch behind the outbound check (outbound-policy.test.ts).
    expect(runtimeFetch({ client: 'fetch' })).not.toBe(httpFetch);
  });

  it('idle keep-alive sockets do not keep a process alive', async () => {
    server.keepAliveTimeout = 60_000;
    try {
      const script = `
        const { createHttpClient } = await import(${JSON.stringify(resolve('runtime/connectors/http-client.ts'))});
        const c = createHttpClient({ idleSocketMs: 60000 });
        const r = await c.fetch(${JSON.stringify(`${base}/echo`)}, { method: 'POST', body: '{}' });
        await r.text();
        console.log(r.status);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((done) => {
        const timer = setTimeout(() => { child.kill(); done(null); }, 8000);
        child.on('exit', (c) => { clearTimeout(timer); done(c); });
      });
      expect(out.trim()).toBe('200');
      expect(code).toBe(0); // null: still running with an idle socket open
    } finally {
      server.keepAliveTimeout = 5000;
    }
  }, 15_000);
});

// The HTTP target must reach the same outcomes whichever fetch it is given.
describe('target.http with the client and with the built-in fetch', () => {
  let seq = 0;

  async function outcome(f: typeof fetch, path: string, baseUrl = base, timeoutMs = 10_000): Promise<unknown> {
    const name = `erp-hc-${++seq}`;
    const target = httpTarget.create({ ...httpTarget.defaults, connection: name, path, timeoutMs, idToField: 'id' }, setupContext('post'));
    const ctx = targetContext({ fetch: f, connections: connections({}, { [name]: { baseUrl, headers: { Authorization: 'Bearer t0ken' } } }) });
    const [result] = (await target.write([{ key: 'po-1', data: { po: 1 } }], ctx)) as TargetOutcome[];
    return result.ok ? result : { ok: false, ...result.error.toJSON() };
  }

  async function both(path: string, baseUrl?: string, timeoutMs?: number): Promise<unknown> {
    const ours = await outcome(client.fetch, path, baseUrl, timeoutMs);
    received = [];
    const builtin = await outcome(globalThis.fetch, path, baseUrl, timeoutMs);
    expect(ours).toEqual(builtin);
    return ours;
  }

  it('201 → delivered with the id', async () => {
    expect(await both('/ok')).toEqual({ ok: true, status: 201, ref: 'ERP-1', answer: { status: 201, body: { id: 'ERP-1' } } });
    expect(received[0].headers['idempotency-key']).toBe('po-1');
  });

  it('429 → transient with Retry-After', async () => {
    expect(await both('/limited')).toMatchObject({ ok: false, errorClass: 'transient', status: 429, retryAfterMs: 7000 });
  });

  it('500 → transient', async () => {
    expect(await both('/down')).toMatchObject({ ok: false, errorClass: 'transient', status: 500 });
  });

  it('timeout → transient, "no answer within"', async () => {
    expect(await both('/slow', base, 150)).toMatchObject({ ok: false, errorClass: 'transient', message: expect.stringContaining('no answer within 150 ms') });
  });

  it('refused → transient with code ECONNREFUSED', async () => {
    const port = await closedPort();
    expect(await both('/x', `http://127.0.0.1:${port}`)).toMatchObject({ ok: false, errorClass: 'transient', code: 'ECONNREFUSED' });
  });

  it('a connection cut mid-body → transient either way', async () => {
    // Only the class is the same: fetch names undici's socket error (UND_ERR_SOCKET), the client the system's (ECONNRESET).
    const ours = await outcome(client.fetch, '/cut');
    const builtin = await outcome(globalThis.fetch, '/cut');
    expect(ours).toMatchObject({ ok: false, errorClass: 'transient', message: expect.stringContaining('could not be sent') });
    expect(builtin).toMatchObject({ ok: false, errorClass: 'transient', message: expect.stringContaining('could not be sent') });
  });
});
