/**
 * An SAP-like ERP API on a loopback port, for the procure-to-pay example's
 * tests and `npm run demo:systems`: purchase orders are created by
 * `POST /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder`
 * (OData v2 style, basic authentication as a technical user) and answered
 * `201 { d: { PurchaseOrder: "4500000001", … } }`, the document number the
 * flow writes back to the procurement platform.
 *
 * Like the real gateway it throttles and sometimes is unavailable:
 * - at most `ratePerSecond` requests are accepted in any one second; the
 *   rest are answered `429` with `Retry-After: 1` and not processed;
 * - every `unavailableEvery`-th request that passed the throttle is answered
 *   `503 Service Unavailable` and not processed.
 * It does not deduplicate: every accepted POST creates a document, so a
 * client that posts a purchase order twice shows up in `duplicates`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SAP_PO_PATH = '/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder';

export interface SapItem {
  PurchaseOrderItem: string;
  Material?: string;
  OrderQuantity: string;
  NetPriceAmount: string;
}

export interface SapPurchaseOrder {
  PurchaseOrder: string;
  CompanyCode: string;
  PurchaseOrderType: string;
  Supplier: string;
  DocumentCurrency: string;
  /** The procurement platform's order number. */
  CorrespncExternalReference: string;
  to_PurchaseOrderItem: { results: SapItem[] };
}

export interface SapApiOptions {
  username?: string;
  password?: string;
  /** Requests accepted in any one second (default 20). */
  ratePerSecond?: number;
  /** Every n-th request past the throttle is answered 503 (0: never; default 0). */
  unavailableEvery?: number;
  port?: number;
}

export interface SapApi {
  /** The connection's base URL (the server's origin). */
  baseUrl: string;
  username: string;
  password: string;
  /** The documents created, in order. */
  created: SapPurchaseOrder[];
  stats: { requests: number; throttled: number; unavailable: number; refused: number; duplicates: number };
  close(): Promise<void>;
}

const REQUIRED = ['CompanyCode', 'PurchaseOrderType', 'Supplier', 'DocumentCurrency', 'CorrespncExternalReference'] as const;

function odataError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { code, message: { lang: 'en', value: message } } }));
}

/** The problem with a create request's body, or undefined when it can be booked. */
function problemOf(body: Record<string, unknown>): string | undefined {
  for (const field of REQUIRED) if (typeof body[field] !== 'string' || body[field] === '') return `Property ${field} is required`;
  const items = (body.to_PurchaseOrderItem as { results?: unknown } | undefined)?.results;
  if (!Array.isArray(items) || items.length === 0) return 'A purchase order needs at least one item (to_PurchaseOrderItem)';
  for (const item of items as Record<string, unknown>[]) {
    if (!/^-?\d+(\.\d+)?$/.test(String(item.NetPriceAmount))) return `Item ${String(item.PurchaseOrderItem)}: NetPriceAmount '${String(item.NetPriceAmount)}' is not a decimal`;
  }
  return undefined;
}

export async function startSapApi(options: SapApiOptions = {}): Promise<SapApi> {
  const username = options.username ?? 'LEDGERFLOW_TECH';
  const password = options.password ?? 'sap-password-1234';
  const ratePerSecond = options.ratePerSecond ?? 20;
  const created: SapPurchaseOrder[] = [];
  const references = new Set<string>();
  const stats: SapApi['stats'] = { requests: 0, throttled: 0, unavailable: 0, refused: 0, duplicates: 0 };
  const accepted: number[] = [];
  let passed = 0;
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    stats.requests++;
    if (req.headers.authorization !== expected) {
      stats.refused++;
      return odataError(res, 401, '/IWFND/CM_CONSUMER/401', 'Logon failed: user or password is wrong');
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== SAP_PO_PATH) return odataError(res, 404, '/IWFND/MED/170', `No service found for ${req.method} ${path}`);
    const now = Date.now();
    while (accepted.length && accepted[0] <= now - 1000) accepted.shift();
    if (accepted.length >= ratePerSecond) {
      stats.throttled++;
      return odataError(res, 429, 'RATE_LIMIT', `More than ${ratePerSecond} requests a second`, { 'retry-after': '1' });
    }
    accepted.push(now);
    passed++;
    if (options.unavailableEvery && passed % options.unavailableEvery === 0) {
      stats.unavailable++;
      return odataError(res, 503, '/IWFND/CM_BEC/026', 'Service Unavailable: the backend system is not reachable');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      stats.refused++;
      return odataError(res, 400, '/IWFND/CM_MGW/004', 'The request body is not JSON');
    }
    const problem = problemOf(body);
    if (problem) {
      stats.refused++;
      return odataError(res, 400, 'ME/083', problem);
    }
    const reference = String(body.CorrespncExternalReference);
    if (references.has(reference)) stats.duplicates++;
    references.add(reference);
    const document = { ...(body as Omit<SapPurchaseOrder, 'PurchaseOrder'>), PurchaseOrder: String(4500000001 + created.length) } as SapPurchaseOrder;
    created.push(document);
    res.writeHead(201, { 'content-type': 'application/json', location: `${SAP_PO_PATH}('${document.PurchaseOrder}')` });
    res.end(JSON.stringify({ d: document }));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    username,
    password,
    created,
    stats,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
