/**
 * A small procurement-platform-like REST API on a loopback port, for the
 * HTTP source's tests and bench: purchase orders changed over time, served
 * in pages of each common style, behind OAuth2 client credentials (or an API
 * key), with hooks to fail, throttle or garble a given request.
 *
 * Under `/api/v1` (the connection's base URL):
 * - `GET  /orders?page=&pageSize=`            → `{ data: [...], meta: { page } }`
 * - `GET  /orders/by-offset?offset=&limit=`   → `{ data: [...] }`
 * - `GET  /orders/by-cursor?cursor=&limit=`   → `{ items: [...], meta: { nextCursor } }`
 * - `GET  /orders/linked?page=&per_page=`     → `[...]` with `Link: <…>; rel="next"`
 * - `GET  /orders/hal?page=`                  → `{ _embedded: { orders } , _links: { next: { href } } }`
 * - `POST /orders/search` `{ page, pageSize }` → `{ data: [...] }`
 * - `GET  /orders.xml?page=&pageSize=`        → `<Orders><Order>…</Order></Orders>`
 * - `PATCH /orders/{id}` `{ erpSystem, erpDocument }` → the order with the ERP's
 *   document number written back (what the procure-to-pay example does)
 * Every list takes `updated_since` (only orders changed after it, in update order).
 * `POST /oauth/token` (outside the base URL) issues tokens.
 * The procure-to-pay tests and `npm run demo:systems` start this same server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PurchaseOrder {
  id: string;
  supplier: string;
  /** The buying legal entity, which decides the ERP the order is booked in. */
  legalEntity: string;
  amount: string;
  currency: string;
  updatedAt: string;
}

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  /** Requests to the order lists so far, this one included. */
  n: number;
}

export interface ProcurementApiOptions {
  orders: number;
  /** `oauth2`: a Bearer token from /oauth/token; `api-key`: `X-API-Key`; none: open. */
  auth?: 'oauth2' | 'api-key';
  clientId?: string;
  clientSecret?: string;
  apiKey?: string;
  /** An access token is refused (401, expired) after serving this many requests. */
  tokenServes?: number;
  /** `expires_in` of issued tokens (seconds). */
  expiresIn?: number;
  /** Answers a request instead of the API (a fault, a throttle); undefined: the API answers. */
  intercept?(request: ApiRequest): CannedAnswer | undefined;
  /** Loopback port to listen on (0 or absent: a free one). */
  port?: number;
}

/** An ERP document number written back to an order (`PATCH /orders/{id}`). */
export interface WriteBack {
  erpSystem: string;
  erpDocument: string;
  /** PATCH requests that wrote it (1 when written back once). */
  writes: number;
}

export interface ProcurementApi {
  baseUrl: string;
  tokenUrl: string;
  orders: PurchaseOrder[];
  /** Adds orders changed after all others. */
  addOrders(n: number): void;
  stats: { listRequests: number; tokenRequests: number; unauthorized: number; seen: ApiRequest[] };
  /** The ERP document numbers written back, by order id. */
  writeBacks: Map<string, WriteBack>;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-03-01T08:00:00Z');
export const LEGAL_ENTITIES = ['DE01', 'DE02', 'US01', 'PL01', 'CZ01'];

export function purchaseOrder(i: number): PurchaseOrder {
  return { id: `PO-${i}`, supplier: `SUP-${(i % 7) + 1}`, legalEntity: LEGAL_ENTITIES[i % LEGAL_ENTITIES.length], amount: `${i}.50`, currency: 'EUR', updatedAt: new Date(T0 + i * 60_000).toISOString() };
}

const xmlOf = (list: PurchaseOrder[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Orders xmlns="urn:example:procurement">${list.map((o) =>
    `<Order><Id>${o.id}</Id><Supplier>${o.supplier}</Supplier><Amount currency="${o.currency}">${o.amount}</Amount><UpdatedAt>${o.updatedAt}</UpdatedAt></Order>`).join('')}</Orders>`;

export async function startProcurementApi(options: ProcurementApiOptions): Promise<ProcurementApi> {
  const orders = Array.from({ length: options.orders }, (_, i) => purchaseOrder(i + 1));
  const stats: ProcurementApi['stats'] = { listRequests: 0, tokenRequests: 0, unauthorized: 0, seen: [] };
  const tokens = new Map<string, number>();
  const writeBacks = new Map<string, WriteBack>();
  const clientId = options.clientId ?? 'ledgerflow';
  const clientSecret = options.clientSecret ?? 'client-secret-4711';

  const send = (res: ServerResponse, answer: CannedAnswer) => {
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body);
  };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): CannedAnswer => ({ status, headers, body: JSON.stringify(body) });

  function issueToken(req: IncomingMessage, form: URLSearchParams): CannedAnswer {
    stats.tokenRequests++;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent) : [form.get('client_id'), form.get('client_secret')];
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    if (id !== clientId || secret !== clientSecret) return json(401, { error: 'invalid_client', error_description: `Client authentication failed for client '${id}'` });
    const token = `tok-${stats.tokenRequests}-${Math.random().toString(36).slice(2)}`;
    tokens.set(token, 0);
    return json(200, { access_token: token, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600 });
  }

  function refused(req: IncomingMessage): CannedAnswer | undefined {
    if (options.auth === 'api-key') {
      const key = req.headers['x-api-key'];
      return key === options.apiKey ? undefined : json(401, { error: 'invalid_api_key', message: `API key ${String(key)} is not valid` });
    }
    if (options.auth !== 'oauth2') return undefined;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const served = tokens.get(token);
    if (served === undefined) return json(401, { error: 'invalid_token', error_description: 'Unknown access token' });
    if (options.tokenServes !== undefined && served >= options.tokenServes) return json(401, { error: 'invalid_token', error_description: 'The access token expired' });
    tokens.set(token, served + 1);
    return undefined;
  }

  /** `PATCH /orders/{id}`: the ERP's document number written to the order. */
  function writeBack(path: string, text: string): CannedAnswer | undefined {
    const id = /^\/orders\/([^/]+)$/.exec(path)?.[1];
    if (!id) return undefined;
    const target = orders.find((o) => o.id === decodeURIComponent(id));
    if (!target) return json(404, { error: 'not_found', message: `no purchase order ${decodeURIComponent(id)}` });
    let body: { erpSystem?: unknown; erpDocument?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      return json(400, { error: 'invalid_body', message: 'the body is not JSON' });
    }
    if (typeof body.erpDocument !== 'string' || typeof body.erpSystem !== 'string') return json(422, { error: 'invalid_body', message: 'erpSystem and erpDocument are required strings' });
    const before = writeBacks.get(target.id);
    writeBacks.set(target.id, { erpSystem: body.erpSystem, erpDocument: body.erpDocument, writes: (before?.writes ?? 0) + 1 });
    return json(200, { ...target, erpSystem: body.erpSystem, erpDocument: body.erpDocument });
  }

  function list(path: string, params: Record<string, string>, base: string): CannedAnswer | undefined {
    const since = params.updated_since;
    const changed = since ? orders.filter((o) => o.updatedAt > since) : orders;
    const num = (name: string, fallback: number) => (params[name] === undefined ? fallback : Number(params[name]));
    const slice = (from: number, size: number) => changed.slice(from, from + size);
    switch (path) {
      case '/orders': {
        const page = num('page', 1);
        return json(200, { data: slice((page - 1) * num('pageSize', 50), num('pageSize', 50)), meta: { page } });
      }
      case '/orders/by-offset':
        return json(200, { data: slice(num('offset', 0), num('limit', 50)) });
      case '/orders/search':
        return json(200, { data: slice((num('page', 1) - 1) * num('pageSize', 50), num('pageSize', 50)) });
      case '/orders/by-cursor': {
        const from = params.cursor ? Number(Buffer.from(params.cursor, 'base64url').toString()) : 0;
        const size = num('limit', 50);
        const more = from + size < changed.length;
        return json(200, { items: slice(from, size), meta: { nextCursor: more ? Buffer.from(String(from + size)).toString('base64url') : null } });
      }
      case '/orders/linked': {
        const page = num('page', 1);
        const size = num('per_page', 50);
        const next = page * size < changed.length ? `<${base}/orders/linked?page=${page + 1}&per_page=${size}>; rel="next", <${base}/orders/linked?page=1>; rel="first"` : `<${base}/orders/linked?page=1>; rel="first"`;
        return json(200, slice((page - 1) * size, size), { link: next });
      }
      case '/orders/hal': {
        const page = num('page', 1);
        const size = 4;
        const more = page * size < changed.length;
        return json(200, { _embedded: { orders: slice((page - 1) * size, size) }, _links: more ? { next: { href: `/api/v1/orders/hal?page=${page + 1}` } } : {} });
      }
      case '/orders.xml': {
        const page = num('page', 1);
        const size = num('pageSize', 50);
        return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlOf(slice((page - 1) * size, size)) };
      }
      default:
        return undefined;
    }
  }

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/oauth/token') return send(res, issueToken(req, new URLSearchParams(text)));
    if (!url.pathname.startsWith('/api/v1/')) return send(res, json(404, { error: 'not found' }));
    const path = url.pathname.slice('/api/v1'.length);
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === 'PATCH') {
      const denied = refused(req);
      if (denied) {
        stats.unauthorized++;
        return send(res, denied);
      }
      return send(res, writeBack(path, text) ?? json(404, { error: `no such order path ${path}` }));
    }
    if (req.method === 'POST' && text) for (const [k, v] of Object.entries(JSON.parse(text))) params[k] = String(v);
    const request: ApiRequest = { method: req.method ?? 'GET', path, params, n: ++stats.listRequests };
    stats.seen.push(request);
    const canned = options.intercept?.(request);
    if (canned) return send(res, canned);
    const denied = refused(req);
    if (denied) {
      stats.unauthorized++;
      return send(res, denied);
    }
    send(res, list(path, params, `${api.baseUrl}`) ?? json(404, { error: `no such list ${path}` }));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: ProcurementApi = {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    tokenUrl: `http://127.0.0.1:${port}/oauth/token`,
    orders,
    stats,
    writeBacks,
    addOrders(n) {
      const from = orders.length;
      for (let i = 1; i <= n; i++) orders.push(purchaseOrder(from + i));
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return api;
}
