/**
 * Where a lookup finds rows: a Postgres query answering many keys at once (`= any($1)`), or an
 * HTTP GET per key (a 404 is "not found") with at most a few requests in flight. Both answer
 * key → rows for the keys asked; a key with no rows is absent.
 */
import type { LookupSource, ProcessContext } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import { readOnlyQuery } from '../source/read-only-query.ts';
import { createHttpAuthorizer } from '../http-auth.ts';
import { sensitiveValues } from '../secret-redaction.ts';
import { requestPage, sleep, type PageClient } from '../source/http-request.ts';
import { urlUnderBase } from '../target/http-url.ts';

export type LookupRows = Map<string, unknown[]>;

export interface PostgresLookup {
  connection: string;
  query: string;
  matchColumn: string;
  timeoutMs: number;
  nodeId: string;
}

/**
 * One query for all `keys` (`$1` is the text array of keys), wrapped in a SELECT and run read-only
 * with a time limit: a lookup can only read. Rows grouped by their match column.
 */
export async function queryPostgres(spec: PostgresLookup, keys: string[], ctx: ProcessContext): Promise<LookupRows> {
  const sql = ctx.connections.sql(spec.connection);
  if (sql.dialect === 'mysql') {
    throw new FlowError('permanent', `Lookup "${spec.nodeId}": connection '${spec.connection}' is MySQL/MariaDB; lookups query Postgres (= any($1))`, { nodeId: spec.nodeId, field: '/connection' });
  }
  const rows = await readOnlyQuery(sql, `SELECT * FROM (\n${spec.query}\n) AS lookup_query`, [keys], spec).catch((err: unknown) => {
    const e = toFlowError(err, 'transient', { nodeId: spec.nodeId });
    throw new FlowError(e.errorClass, `Lookup "${spec.nodeId}": the query on connection '${spec.connection}' failed: ${e.message}`, { ...e.details, nodeId: spec.nodeId, field: '/query' });
  });
  const found: LookupRows = new Map();
  for (const row of rows) {
    if (!(spec.matchColumn in row)) {
      throw new FlowError('permanent', `Lookup "${spec.nodeId}": the query's rows have no column '${spec.matchColumn}' (the match column); they have ${Object.keys(row).join(', ')}`, { nodeId: spec.nodeId, field: '/matchColumn' });
    }
    const key = String(row[spec.matchColumn]);
    const list = found.get(key);
    if (list) list.push(row);
    else found.set(key, [row]);
  }
  return found;
}

export interface HttpLookup {
  connection: string;
  /** Path under the connection's base URL; `{{key}}` is replaced by the key (URL-encoded). */
  path: string;
  concurrency: number;
  timeoutMs: number;
  nodeId: string;
}

/** One GET per key, at most `concurrency` at once; a JSON array answer is several rows, a 404 none. */
export async function getHttp(spec: HttpLookup, keys: string[], ctx: ProcessContext): Promise<LookupRows> {
  const conn = ctx.connections.http(spec.connection);
  const client: PageClient = {
    connectionName: spec.connection, connection: conn, fetch: ctx.fetch, sleep, signal: ctx.signal, nodeId: spec.nodeId, timeoutMs: spec.timeoutMs,
    authorizer: createHttpAuthorizer(conn.auth, { connection: spec.connection, nodeId: spec.nodeId, fetch: ctx.fetch, timeoutMs: spec.timeoutMs }),
    retry: { maxAttempts: 3, backoffMs: 200, maxWaitMs: 10_000 },
    headers: { ...conn.headers, Accept: 'application/json' },
    hidden: sensitiveValues(conn.headers, conn.secretValues),
  };
  const found: LookupRows = new Map();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const joined = urlUnderBase(conn.baseUrl, spec.path.replaceAll('{{key}}', encodeURIComponent(key)));
      if ('problem' in joined) throw new FlowError('permanent', `Lookup "${spec.nodeId}", connection '${spec.connection}': ${joined.problem}`, { nodeId: spec.nodeId, field: '/path' });
      let bytes: Uint8Array;
      try {
        bytes = (await requestPage(client, { method: 'GET', url: joined.url, pageNo: 1 })).bytes;
      } catch (err) {
        if (err instanceof FlowError && err.details.status === 404) continue;
        throw err;
      }
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw new FlowError('permanent', `Lookup "${spec.nodeId}": connection '${spec.connection}' answered key '${key}' with something that is not JSON`, { nodeId: spec.nodeId });
      }
      const rows = Array.isArray(body) ? body : [body];
      if (rows.length) found.set(key, rows);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(spec.concurrency, keys.length)) }, worker));
  return found;
}

/** Lookups as a run makes them: the request queried on the context's connections. */
export const directLookups: LookupSource = {
  rows: (request, keys, ctx) => (request.source === 'http' ? getHttp(request, keys, ctx) : queryPostgres(request, keys, ctx)),
};
