import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpTarget, type HttpTargetConfig } from '../../../nodes/target/http.ts';
import { parseRetryAfter } from '../../../nodes/target/http-errors.ts';
import { createRateLimiter } from '../../../nodes/target/rate-limiter.ts';
import type { HttpConnection, TargetItem, TargetOutcome } from '../../../nodes/define-node.ts';
import type { FlowError } from '../../../nodes/errors.ts';
import { validateNodeConfig } from '../../../nodes/validate-flow.ts';
import { connections, setupContext, stubEvaluator, targetContext } from './target-test-context.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  at: number;
}

let server: Server;
let baseUrl: string;
let received: Received[] = [];

// Routes of the fake ERP; each answers like a real API would.
function answer(requestUrl: string, res: import('node:http').ServerResponse, body: unknown): void {
  const url = requestUrl.split('?')[0];
  const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(payload === undefined ? '' : JSON.stringify(payload));
  };
  if (url.startsWith('/api/invoices/')) return send(201, { data: { id: `ERP-${received.length}` } }, { Location: '/api/x' });
  if (url === '/api/batch') return send(200, (body as unknown[]).map((_, i) => ({ data: { id: `B-${i}` } })));
  if (url === '/api/limited') return send(429, { error: 'quota exceeded' }, { 'Retry-After': '7' });
  if (url === '/api/limited-until') {
    return send(429, { error: 'quota' }, { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() });
  }
  if (url === '/api/down') return send(503, { error: 'maintenance' });
  if (url === '/api/bad') return send(400, { error: 'supplier SUP-404 is unknown', hint: 'create the supplier first' });
  if (url === '/api/conflict') return send(409, { error: 'idempotency key already used' });
  if (url === '/api/slow') {
    const timer = setTimeout(() => send(201, { data: { id: 'late' } }), 2000);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  send(204, undefined);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const body = text ? JSON.parse(text) : undefined;
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      answer(req.url!, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
});

let connectionSeq = 0;

function run(over: Partial<HttpTargetConfig>, records: unknown[], conn: Partial<HttpConnection> = {}, signal?: AbortSignal): Promise<TargetOutcome[]> {
  const name = `erp${++connectionSeq}`;
  const target = httpTarget.create({ ...httpTarget.defaults, connection: name, ...over }, setupContext('post-invoice'));
  const items: TargetItem[] = records.map((data, i) => ({ key: `key-${i}`, data }));
  const http = { [name]: { baseUrl, headers: { Authorization: 'Bearer t0ken' }, ...conn } };
  return target.write(items, targetContext({ connections: connections({}, http), ...(signal ? { signal } : {}) }));
}

function failure(outcome: TargetOutcome): FlowError {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

describe('target.http', () => {
  it('posts JSON with the idempotency key and connection headers, fills placeholders, keeps the returned id', async () => {
    const record = { invoiceNumber: 'INV 2026/42', total: '10.00' };
    const outcomes = await run({ path: '/invoices/{{invoiceNumber}}', idToField: 'data.id' }, [record]);
    // The answer (passed on by the out port): status and the parsed body.
    expect(outcomes).toEqual([{ ok: true, status: 201, ref: 'ERP-1', answer: { status: 201, body: { data: { id: 'ERP-1' } } } }]);
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/invoices/INV%202026%2F42');
    expect(req.headers['idempotency-key']).toBe('key-0');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBe('Bearer t0ken');
    expect(req.body).toEqual(record);
  });

  it('takes the Location header as ref when no id field is configured', async () => {
    const [outcome] = await run({ method: 'PUT', path: 'invoices/{{n}}' }, [{ n: 1 }]);
    expect(outcome).toEqual({ ok: true, status: 201, ref: '/api/x', answer: { status: 201, body: { data: { id: 'ERP-1' } } } });
    expect(received[0].method).toBe('PUT');
  });

  it('429 is transient and carries Retry-After seconds', async () => {
    const [outcome] = await run({ path: 'limited' }, [{ a: 1 }]);
    const error = failure(outcome);
    expect(error.errorClass).toBe('transient');
    expect(error.details.status).toBe(429);
    expect(error.details.retryAfterMs).toBe(7000);
    expect(error.details.nodeId).toBe('post-invoice');
  });

  it('429 with an HTTP-date Retry-After waits until then', async () => {
    const error = failure((await run({ path: 'limited-until' }, [{ a: 1 }]))[0]);
    expect(error.details.retryAfterMs).toBeGreaterThan(27_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('503 is transient without a wait hint', async () => {
    const error = failure((await run({ path: 'down' }, [{ a: 1 }]))[0]);
    expect(error.errorClass).toBe('transient');
    expect(error.details.status).toBe(503);
    expect(error.details.retryAfterMs).toBeUndefined();
  });

  it('400 is permanent, naming the request, status and what the server said', async () => {
    const error = failure((await run({ path: 'bad?token=secret' }, [{ a: 1 }]))[0]);
    expect(error.errorClass).toBe('permanent');
    expect(error.details.status).toBe(400);
    expect(error.message).toContain('POST http://127.0.0.1:');
    expect(error.message).toContain('/api/bad refused the record with 400');
    expect(error.message).toContain('supplier SUP-404 is unknown');
    expect(error.message).not.toContain('secret');
  });

  it('409 after an Idempotency-Key means already delivered', async () => {
    expect(await run({ path: 'conflict' }, [{ a: 1 }])).toEqual([{ ok: true, status: 409, answer: { status: 409, body: { error: 'idempotency key already used' } } }]);
  });

  it('a run stopped while a request waits interrupts it at once, not as a timeout', async () => {
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(new DOMException('run cancelled', 'AbortError')), 100);
    const error = failure((await run({ path: 'slow', timeoutMs: 5000 }, [{ a: 1 }], {}, stop.signal))[0]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.errorClass).toBe('transient');
    expect(error.message).toContain('was interrupted because the run was stopped');
  });

  it('a slow answer times out as transient', async () => {
    const started = Date.now();
    const error = failure((await run({ path: 'slow', timeoutMs: 200 }, [{ a: 1 }]))[0]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.errorClass).toBe('transient');
    expect(error.message).toContain('no answer within 200 ms');
  });

  it('a refused connection is transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = failure((await run({ path: 'x' }, [{ a: 1 }], { baseUrl: `http://127.0.0.1:${port}` }))[0]);
    expect(error.errorClass).toBe('transient');
    expect(error.details.code).toBe('ECONNREFUSED');
  });

  it('a record without the placeholder field fails permanently and nothing is sent', async () => {
    const outcomes = await run({ path: '/invoices/{{invoiceNumber}}', batchSize: 2 }, [{ other: 1 }, { invoiceNumber: 'A' }]);
    expect(failure(outcomes[0]).message).toContain('{{invoiceNumber}}');
    expect(outcomes[1].ok).toBe(true);
    expect(received.map((r) => r.url)).toEqual(['/api/invoices/A']);
  });

  it('sends each request only after the connection granted it a rate-limit slot', async () => {
    // The spacing itself is the limiter's (tested with its own clock); here: every request waits for its slot first.
    const limiter = createRateLimiter();
    const granted: number[] = [];
    const waitForSlot = async (signal?: AbortSignal) => {
      await limiter.acquire('erp', 20, signal);
      granted.push(Date.now());
    };
    const outcomes = await run({ path: 'ok', batchSize: 5 }, [1, 2, 3, 4, 5].map((n) => ({ n })), { rateLimitPerSecond: 20, waitForSlot });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(granted).toHaveLength(5);
    for (const [i, r] of received.entries()) expect(r.at).toBeGreaterThanOrEqual(granted[i]);
  });

  it('array mode posts one array and maps the answer to refs', async () => {
    const outcomes = await run({ path: 'batch', batchSize: 3, batchMode: 'array', idToField: 'data.id' }, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(outcomes).toEqual([
      // Each record's answer is its element of the answer array.
      { ok: true, status: 200, ref: 'B-0', answer: { status: 200, body: { data: { id: 'B-0' } } } },
      { ok: true, status: 200, ref: 'B-1', answer: { status: 200, body: { data: { id: 'B-1' } } } },
      { ok: true, status: 200, ref: 'B-2', answer: { status: 200, body: { data: { id: 'B-2' } } } },
    ]);
    expect(received).toHaveLength(1);
    expect(received[0].body).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(received[0].headers['idempotency-key']).toBe('key-0+3');
  });

  it('check() flags a full URL as path, placeholders in array mode and bad id paths', () => {
    const problems = httpTarget.check!(
      { ...httpTarget.defaults, connection: 'erp', path: 'https://evil/{{a}}', batchMode: 'array', batchSize: 10, idToField: 'a..b' },
      stubEvaluator,
    );
    expect(problems.map((p) => p.path)).toEqual(['/path', '/path', '/idToField']);
    // An empty connection is the schema's to refuse (minLength), not check()'s.
    expect(httpTarget.check!({ ...httpTarget.defaults, connection: '' }, stubEvaluator)).toEqual([]);
    expect(validateNodeConfig(httpTarget, { ...httpTarget.defaults, connection: '' }).map((p) => p.path)).toEqual(['/connection']);
  });
});

describe('Retry-After and rate limiter', () => {
  it('parses seconds and HTTP dates, ignores junk', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('queues concurrent callers one interval apart, per key', async () => {
    const limiter = createRateLimiter();
    const started = Date.now();
    const done: number[] = [];
    await Promise.all([0, 1, 2, 3].map(() => limiter.acquire('a', 10).then(() => done.push(Date.now() - started))));
    await limiter.acquire('b', 10); // another key is not held up by 'a'
    expect(Date.now() - started).toBeLessThan(450);
    done.sort((x, y) => x - y);
    expect(done[0]).toBeLessThan(50);
    expect(done[3]).toBeGreaterThanOrEqual(280);
  });

  it('stops waiting when aborted', async () => {
    const limiter = createRateLimiter();
    await limiter.acquire('c', 1);
    const controller = new AbortController();
    const waiting = limiter.acquire('c', 1, controller.signal);
    controller.abort(new Error('run stopped'));
    await expect(waiting).rejects.toThrow('run stopped');
  });
});

describe('target.http request body', () => {
  it('a record with no JSON form fails permanently without a request', async () => {
    received = [];
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const [outcome] = await run({ path: 'ok' }, [cyclic], { headers: { 'content-type': 'text/plain', 'X-Tenant': 'acme' } });
    expect(failure(outcome).errorClass).toBe('permanent');
    expect(received).toHaveLength(0);
    const [ok] = await run({ path: 'ok' }, [{ a: 1 }], { headers: { 'content-type': 'text/plain', 'X-Tenant': 'acme' } });
    expect(ok.ok).toBe(true);
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers['x-tenant']).toBe('acme');
  });
});
