/**
 * `source.http` against a real local HTTP server (procurement-api.ts):
 * every pagination style across 50 pages, OAuth2 with a token expiring
 * mid-run, retries honouring Retry-After, watermarks, and the errors an
 * operator sees for an unreachable server, wrong credentials or a malformed
 * page — never with a secret in them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UnreadableInput, type HttpAuth, type HttpConnection, type SourceContext } from '../../../nodes/define-node.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { createHttpAuthorizer, type TokenCache } from '../../../nodes/http-auth.ts';
import { httpSource, type HttpSourceConfig } from '../../../nodes/source/http.ts';
import { nextLink } from '../../../nodes/source/http-pages.ts';
import { compareWatermarks } from '../../../nodes/source/watermark-order.ts';
import { bytesOf } from '../../../nodes/formats/bytes.ts';
import { httpFetch } from '../../../runtime/connectors/http-client.ts';
import { connections, setupContext, stubEvaluator } from '../target/target-test-context.ts';
import { startProcurementApi, type ProcurementApi, type ProcurementApiOptions } from './procurement-api.ts';

const SECRET = 'client-secret-4711';
let api: ProcurementApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

type Over = Partial<Omit<HttpSourceConfig, 'pagination' | 'watermark' | 'retry'>> & {
  pagination?: Partial<HttpSourceConfig['pagination']>; watermark?: Partial<HttpSourceConfig['watermark']>; retry?: Partial<HttpSourceConfig['retry']>;
};

function config(over: Over = {}): HttpSourceConfig {
  const d = httpSource.defaults;
  return {
    ...d, connection: 'procurement', ...over,
    pagination: { ...d.pagination, ...over.pagination },
    watermark: { ...d.watermark, ...over.watermark },
    retry: { ...d.retry, backoffMs: 100, ...over.retry },
  } as HttpSourceConfig;
}

function oauth(a: ProcurementApi, secret = SECRET): HttpAuth {
  return { type: 'oauth2-client-credentials', tokenUrl: a.tokenUrl, clientId: 'ledgerflow', clientSecret: secret, scope: 'orders.read' };
}

interface Read {
  records: Record<string, unknown>[];
  proposed: string[];
  waits: number[];
  error?: FlowError;
}

async function read(conf: HttpSourceConfig, conn: Partial<HttpConnection> & { baseUrl: string }, watermark?: string): Promise<Read> {
  const out: Read = { records: [], proposed: [], waits: [] };
  const ctx: SourceContext = {
    connections: connections({}, { procurement: { headers: {}, ...conn } }),
    fetch: httpFetch,
    ...(watermark !== undefined ? { watermark } : {}),
    proposeWatermark: (v) => out.proposed.push(v),
    sleep: async (ms) => { out.waits.push(ms); },
    signal: new AbortController().signal,
  };
  try {
    for await (const r of httpSource.create(conf, setupContext('read-orders')).read(ctx)) out.records.push(r as Record<string, unknown>);
  } catch (err) {
    if (!(err instanceof FlowError)) throw err;
    out.error = err;
  }
  return out;
}

const ids = (r: Read) => r.records.map((o) => o.id);
const expectedIds = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `PO-${from + i}`);

async function start(options: Partial<ProcurementApiOptions> = {}): Promise<ProcurementApi> {
  api = await startProcurementApi({ orders: 198, ...options });
  return api;
}

describe('source.http config', () => {
  it('names what is missing or unsafe, field by field', () => {
    const problems = (over: Over) => httpSource.check!(config(over), stubEvaluator).map((p) => p.path);
    expect(problems({})).toEqual([]);
    expect(problems({ connection: '' })).toEqual(['/connection']);
    expect(problems({ path: 'https://elsewhere.example/orders' })).toEqual(['/path']);
    expect(problems({ path: '/orders/../../admin' })).toEqual(['/path']);
    expect(problems({ pagination: { style: 'cursor' } })).toEqual(['/pagination/nextPath']);
    expect(problems({ pagination: { style: 'page', pageParam: '' } })).toEqual(['/pagination/pageParam']);
    expect(problems({ recordsPath: 'data..items' })).toEqual(['/recordsPath']);
    expect(problems({ watermark: { param: 'updated_since' } })).toEqual(['/watermark/field']);
    expect(() => httpSource.create(config({ connection: '' }), setupContext())).toThrow(/choose the HTTP connection/);
  });

  it('reads the rel="next" target of a Link header among other relations', () => {
    expect(nextLink('<https://a/x?page=1>; rel="first", <https://a/x?page=3>; rel="next last"')).toBe('https://a/x?page=3');
    expect(nextLink('<https://a/x?page=2>; rel=next')).toBe('https://a/x?page=2');
    expect(nextLink('<https://a/x?page=1>; rel="prev"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });

  it('orders watermarks as numbers, instants or text', () => {
    expect(compareWatermarks('9', '10')).toBeLessThan(0);
    expect(compareWatermarks('10.50', '10.5')).toBe(0);
    expect(compareWatermarks('2026-03-01T10:00:00+01:00', '2026-03-01T09:30:00Z')).toBeLessThan(0);
    expect(compareWatermarks('2026-03-01T09:00:00.000002Z', '2026-03-01T09:00:00.000001Z')).toBeGreaterThan(0);
    expect(compareWatermarks('b', 'a')).toBeGreaterThan(0);
  });
});

describe('source.http pagination across 50 pages', () => {
  // 198 orders in pages of 4: 49 full pages and a last one of 2.
  const styles: [string, Over, number][] = [
    ['page number', { path: '/orders', recordsPath: 'data', pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 4 } }, 50],
    ['offset', { path: '/orders/by-offset', recordsPath: 'data', pagination: { style: 'offset', sizeParam: 'limit', pageSize: 4 } }, 50],
    ['cursor in the body', { path: '/orders/by-cursor', recordsPath: 'items', pagination: { style: 'cursor', nextPath: 'meta.nextCursor', sizeParam: 'limit', pageSize: 4 } }, 50],
    ['Link header', { path: '/orders/linked', query: { per_page: '4' }, pagination: { style: 'link' } }, 50],
    ['next URL in the body', { path: '/orders/hal', recordsPath: '_embedded.orders', pagination: { style: 'next-url', nextPath: '_links.next.href' } }, 50],
    ['POST query', { method: 'POST', path: '/orders/search', recordsPath: 'data', pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 4 } }, 50],
  ];
  for (const [name, over, pages] of styles) {
    it(`reads every record once, in order: ${name}`, async () => {
      const a = await start();
      const r = await read(config(over), { baseUrl: a.baseUrl });
      expect(r.error).toBeUndefined();
      expect(ids(r)).toEqual(expectedIds(198));
      expect(a.stats.listRequests).toBe(pages);
    });
  }

  it('reads records of XML answers at a path, by the XML convention', async () => {
    const a = await start({ orders: 10 });
    const r = await read(config({ path: '/orders.xml', recordsPath: 'Orders.Order', xmlRepeat: ['Order'], pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 4 } }), { baseUrl: a.baseUrl });
    expect(r.records.map((o) => o.Id)).toEqual(expectedIds(10));
    expect(r.records[0]).toEqual({ Id: 'PO-1', Supplier: 'SUP-2', Amount: { '@currency': 'EUR', '#text': '1.50' }, UpdatedAt: '2026-03-01T08:01:00.000Z' });
    expect(a.stats.listRequests).toBe(3);
  });

  it('stops with an error at maxPages, and refuses a next page outside the connection', async () => {
    const a = await start();
    const capped = await read(config({ path: '/orders', recordsPath: 'data', pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 4, maxPages: 10 } }), { baseUrl: a.baseUrl });
    expect(capped.error?.message).toMatch(/connection 'procurement' still had more pages after 10 \(maxPages\)/);
    const nexts: Record<string, string> = { other: 'http://169.254.169.254/latest/meta-data', up: '/api/v2/orders?page=2', dots: '/api/v1/../v2/orders' };
    const a2 = await startProcurementApi({ orders: 8, intercept: (q) => ({ status: 200, body: JSON.stringify({ data: [{ id: 'x' }], next: nexts[q.params.to] }) }) });
    try {
      const outside = async (to: string) => (await read(config({ path: '/orders', query: { to }, recordsPath: 'data', pagination: { style: 'next-url', nextPath: 'next' } }), { baseUrl: a2.baseUrl })).error?.message;
      expect(await outside('other')).toMatch(/^page 1 of connection 'procurement' .* points to a next page outside connection 'procurement' \(http:\/\/169\.254\.169\.254 is not the connection's http:\/\/127\.0\.0\.1:\d+\); not followed/);
      expect(await outside('up')).toMatch(/\(\/api\/v2\/orders is outside the connection's base path \/api\/v1\); not followed/);
      expect(await outside('dots')).toMatch(/\(\/api\/v2\/orders is outside the connection's base path \/api\/v1\); not followed/);
      expect(a2.stats.listRequests).toBe(3);
    } finally {
      await a2.close();
    }
  });
});

describe('source.http authentication', () => {
  const paged: Over = { path: '/orders', recordsPath: 'data', pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 4 } };

  it('OAuth2: fetches a token, and when it expires mid-run fetches a new one once and goes on', async () => {
    const a = await start({ auth: 'oauth2', tokenServes: 30 });
    const r = await read(config(paged), { baseUrl: a.baseUrl, auth: oauth(a) });
    expect(r.error).toBeUndefined();
    expect(ids(r)).toEqual(expectedIds(198));
    expect(a.stats.tokenRequests).toBe(2);
    expect(a.stats.unauthorized).toBe(1);
    // Page 31 was refused once and asked again with the new token.
    expect(a.stats.seen.filter((s) => s.params.page === '31')).toHaveLength(2);
  });

  it('OAuth2: keeps a token until shortly before it expires', async () => {
    const a = await start({ auth: 'oauth2', expiresIn: 300 });
    let now = 1_000_000;
    const cache: TokenCache = { tokens: new Map(), pending: new Map() };
    const authorizer = createHttpAuthorizer(oauth(a), { connection: 'procurement', nodeId: 'n', fetch: globalThis.fetch, timeoutMs: 5000, cache, now: () => now });
    const signal = new AbortController().signal;
    const first = await authorizer.apply({ url: a.baseUrl, headers: {} }, signal);
    now += 269_000; // 300 s less 30 s of margin: still good
    expect((await authorizer.apply({ url: a.baseUrl, headers: {} }, signal)).headers.Authorization).toBe(first.headers.Authorization);
    now += 2000;
    expect((await authorizer.apply({ url: a.baseUrl, headers: {} }, signal)).headers.Authorization).not.toBe(first.headers.Authorization);
    expect(a.stats.tokenRequests).toBe(2);
    expect(authorizer.secrets.some((s) => first.headers.Authorization.endsWith(s))).toBe(true);
  });

  it('wrong client secret: fails naming the connection and the server\'s answer, without the secret', async () => {
    const a = await start({ auth: 'oauth2' });
    const wrong = 'wrong-secret-0815';
    const r = await read(config(paged), { baseUrl: a.baseUrl, auth: oauth(a, wrong) });
    expect(r.error?.errorClass).toBe('permanent');
    expect(r.error?.message).toMatch(/^the token endpoint of connection 'procurement' \(POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token\) refused the client credentials with 401 Unauthorized: .*invalid_client.*Client authentication failed/);
    expect(r.error?.message).not.toContain(wrong);
    expect(a.stats.listRequests).toBe(0);
  });

  it('API key: a wrong key fails with the server\'s message, the key hidden even where the server echoes it', async () => {
    const a = await start({ auth: 'api-key', apiKey: 'right-key-123456' });
    const ok = await read(config(paged), { baseUrl: a.baseUrl, auth: { type: 'api-key', name: 'X-API-Key', value: 'right-key-123456', in: 'header' } });
    expect(ids(ok)).toHaveLength(198);
    const bad = await read(config(paged), { baseUrl: a.baseUrl, auth: { type: 'api-key', name: 'X-API-Key', value: 'wrong-key-987654', in: 'header' } });
    expect(bad.error?.message).toMatch(/^page 1 of connection 'procurement' \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders\) answered 401 Unauthorized \(are the connection's credentials right\?\): .*invalid_api_key.*API key \*\*\* is not valid/);
    expect(bad.error?.message).not.toContain('wrong-key-987654');
  });

  it('basic and bearer credentials go in the Authorization header', async () => {
    const seen: string[] = [];
    const a = await start({ orders: 3, intercept: () => undefined });
    const fetchSpy: typeof fetch = (input, init) => {
      seen.push(String((init?.headers as Record<string, string> | undefined)?.Authorization));
      return globalThis.fetch(input, init);
    };
    for (const auth of [{ type: 'basic', username: 'svc', password: 'pw-123456' }, { type: 'bearer', token: 'tkn-abcdef' }] as HttpAuth[]) {
      const ctx: SourceContext = { connections: connections({}, { procurement: { baseUrl: a.baseUrl, headers: {}, auth } }), fetch: fetchSpy, proposeWatermark: () => {}, signal: new AbortController().signal };
      for await (const _ of httpSource.create(config({ path: '/orders', recordsPath: 'data' }), setupContext()).read(ctx)) { /* read all */ }
    }
    expect(seen).toEqual([`Basic ${Buffer.from('svc:pw-123456').toString('base64')}`, 'Bearer tkn-abcdef']);
  });
});

describe('source.http retries and bad answers', () => {
  const paged: Over = { path: '/orders', recordsPath: 'data', pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 4 } };

  it('honours Retry-After on 429 and 503, backs off on a 5xx without it, and reads every record once', async () => {
    const faults = new Map<number, { status: number; headers?: Record<string, string> }>([
      [3, { status: 429, headers: { 'retry-after': '7' } }],
      [9, { status: 503, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() } }],
      [12, { status: 502 }],
      [13, { status: 500 }],
    ]);
    const a = await start({ intercept: (q) => { const f = faults.get(q.n); return f && { ...f, body: '{"error":"busy"}' }; } });
    const r = await read(config({ ...paged, retry: { backoffMs: 100, maxWaitMs: 180_000 } }), { baseUrl: a.baseUrl });
    expect(r.error).toBeUndefined();
    expect(ids(r)).toEqual(expectedIds(198));
    expect(r.waits[0]).toBe(7000);
    expect(r.waits[1]).toBeGreaterThan(115_000);
    expect(r.waits.slice(2)).toEqual([100, 200]); // 502, then 500 on the same page: doubled
    expect(a.stats.listRequests).toBe(54);
  });

  it('fails the page when Retry-After asks for longer than the source waits, or the tries run out', async () => {
    const a = await start({ intercept: (q) => (q.params.page === '2' ? { status: 429, headers: { 'retry-after': '3600' }, body: 'slow down' } : undefined) });
    const r = await read(config({ ...paged, retry: { maxWaitMs: 60_000 } }), { baseUrl: a.baseUrl });
    expect(r.error?.errorClass).toBe('transient');
    expect(r.error?.message).toMatch(/^page 2 of connection 'procurement' .* answered 429 Too Many Requests: slow down; it asked to retry after 3600 s, longer than the 60 s this source waits/);
    expect(r.records).toHaveLength(4);
    await a.close();
    const b = await startProcurementApi({ orders: 20, intercept: () => ({ status: 503, body: 'maintenance until 10:00' }) });
    try {
      const r2 = await read(config({ ...paged, retry: { maxAttempts: 3 } }), { baseUrl: b.baseUrl });
      expect(r2.error?.message).toMatch(/^page 1 of connection 'procurement' .* answered 503 Service Unavailable: maintenance until 10:00 \(after 3 tries\)$/);
      expect(r2.waits).toEqual([100, 200]);
    } finally {
      await b.close();
    }
  });

  it('an unreachable server fails the run naming the connection and the network error, after the retries', async () => {
    const a = await start();
    const baseUrl = a.baseUrl;
    await a.close();
    api = undefined;
    const r = await read(config({ ...paged, retry: { maxAttempts: 2 } }), { baseUrl, headers: { Authorization: 'Bearer very-secret-token' } });
    expect(r.error?.errorClass).toBe('transient');
    expect(r.error?.message).toMatch(/^page 1 of connection 'procurement' \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders\) could not be sent \(ECONNREFUSED.*\) \(after 2 tries\)$/);
    expect(r.waits).toEqual([100]);
  });

  it('a malformed page is one unreadable piece naming page, URL and status, the pages after it are read; the watermark is not proposed', async () => {
    const a = await start({ intercept: (q) => (q.params.page === '7' ? { status: 200, body: '{"data": [{"id": "PO-25"}, ' } : undefined) });
    const r = await read(config({ ...paged, watermark: { field: 'updatedAt' } }), { baseUrl: a.baseUrl, headers: { Authorization: 'Bearer very-secret-token' } });
    expect(r.error).toBeUndefined();
    const broken = r.records.filter((x) => x instanceof UnreadableInput) as unknown as UnreadableInput[];
    expect(broken).toHaveLength(1);
    expect(r.records.indexOf(broken[0] as never)).toBe(24);
    expect(broken[0].error.errorClass).toBe('permanent');
    expect(broken[0].error.details.code).toBe('MALFORMED_PAGE');
    expect(broken[0].error.message).toMatch(/^page 7 of connection 'procurement' \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders\) is not valid JSON: the JSON ends too early.*; the pages after it are read$/);
    expect(broken[0].data).toMatchObject({ page: 7, status: 200, body: '{"data": [{"id": "PO-25"}, ', url: expect.stringMatching(/\/api\/v1\/orders\?page=7&pageSize=4$/) });
    expect(JSON.stringify(broken[0])).not.toContain('very-secret-token');
    // Every order but the four of page 7, each once.
    expect(ids(r).filter(Boolean)).toEqual(expectedIds(198).filter((_, i) => i < 24 || i >= 28));
    expect(r.proposed).toEqual([]);
    await a.close();
    const b = await startProcurementApi({ orders: 8, intercept: () => ({ status: 200, body: '{"error": "no orders here"}' }) });
    try {
      const r2 = await read(config({ path: '/orders', recordsPath: 'data.items' }), { baseUrl: b.baseUrl });
      expect((r2.records[0] as unknown as UnreadableInput).error.message).toMatch(/^page 1 of connection 'procurement' .* has nothing at "data.items", where the records should be$/);
      expect(r2.records).toHaveLength(1);
    } finally {
      await b.close();
    }
  });

  it('stops at a malformed page when the next cursor is in its body; three malformed pages in a row stop a paged read', async () => {
    const a = await start({ orders: 40, intercept: (q) => (q.path === '/orders/by-cursor' && q.n === 3 ? { status: 200, body: '<html>Bad gateway</html>' } : undefined) });
    const cursor: Over = { path: '/orders/by-cursor', recordsPath: 'items', format: 'json', pagination: { style: 'cursor', nextPath: 'meta.nextCursor', sizeParam: 'limit', pageSize: 5 } };
    const r = await read(config(cursor), { baseUrl: a.baseUrl });
    expect(r.error).toBeUndefined();
    expect(ids(r).slice(0, 10)).toEqual(expectedIds(10));
    expect(r.records).toHaveLength(11);
    const broken = r.records[10] as unknown as UnreadableInput;
    expect(broken.error.message).toMatch(/^page 3 of connection 'procurement' .* is not valid JSON.*; the pages after it could not be reached \(the next cursor \(meta\.nextCursor\) is in this page's unreadable body\): the next run reads them, from the same watermark$/);
    expect(a.stats.listRequests).toBe(3);
    await a.close();
    const b = await startProcurementApi({ orders: 100, intercept: (q) => (Number(q.params.page) >= 2 ? { status: 200, body: 'maintenance' } : undefined) });
    try {
      const r2 = await read(config(paged), { baseUrl: b.baseUrl });
      expect(ids(r2).filter(Boolean)).toEqual(expectedIds(4));
      expect(r2.records).toHaveLength(7);
      expect((r2.records[6] as unknown as UnreadableInput).error.message).toMatch(/could not be reached \(3 pages in a row could not be read\)/);
      expect(b.stats.listRequests).toBe(4);
    } finally {
      await b.close();
    }
  });
});

describe('source.http watermark', () => {
  const incremental: Over = {
    path: '/orders', recordsPath: 'data', pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 10 },
    watermark: { field: 'updatedAt', param: 'updated_since' },
  };

  it('sends the last watermark and proposes the latest change read', async () => {
    const a = await start({ orders: 25 });
    const first = await read(config(incremental), { baseUrl: a.baseUrl });
    expect(ids(first)).toEqual(expectedIds(25));
    expect(a.stats.seen[0].params.updated_since).toBeUndefined();
    expect(first.proposed.at(-1)).toBe(a.orders[24].updatedAt);
    a.addOrders(3);
    const second = await read(config(incremental), { baseUrl: a.baseUrl }, first.proposed.at(-1));
    expect(ids(second)).toEqual(['PO-26', 'PO-27', 'PO-28']);
    expect(a.stats.seen.at(-1)?.params.updated_since).toBe(a.orders[24].updatedAt);
    expect(second.proposed.at(-1)).toBe(a.orders[27].updatedAt);
    // Nothing new: nothing read, nothing proposed (the watermark stays).
    const third = await read(config(incremental), { baseUrl: a.baseUrl }, second.proposed.at(-1));
    expect(third.records).toEqual([]);
    expect(third.proposed).toEqual([]);
  });

  it('refuses a record without the watermark field', async () => {
    const a = await start({ orders: 3, intercept: () => ({ status: 200, body: '{"data":[{"id":"PO-1","updatedAt":"2026-03-01T08:00:00Z"},{"id":"PO-2"}]}' }) });
    const r = await read(config(incremental), { baseUrl: a.baseUrl });
    expect(r.error?.message).toMatch(/page 1 of connection 'procurement' .*, record 2: no value at updatedAt, the watermark field/);
  });

  it('reads a saved answer (a designer sample) as one page without calling anything', async () => {
    const ctx: SourceContext = {
      input: { name: 'orders-page.json', chunks: () => bytesOf('{"data":[{"id":"PO-1"},{"id":"PO-2"}]}') },
      connections: connections(), proposeWatermark: () => {}, signal: new AbortController().signal,
    };
    const records: unknown[] = [];
    for await (const r of httpSource.create(config(incremental), setupContext()).read(ctx)) records.push(r);
    expect(records).toEqual([{ id: 'PO-1' }, { id: 'PO-2' }]);
  });
});
