/**
 * Flows never reach the store: a Postgres connection whose URL names the
 * store's own server and database is refused, wherever it is bound (API,
 * connections file, at run time). Different roles for the store and the
 * targets (README, Security) are what holds on a shared server; this check
 * catches the mistake, and the attempt, of binding a flow to the store itself.
 */

import { parse } from 'pg-connection-string';

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1', '[::1]']);

interface Endpoint {
  host: string;
  port: string;
  database: string;
}

/** Host, port and database a postgres:// URL connects to, read as `pg` reads it (libpq's defaults filled in). */
function endpointOf(connectionString: string): Endpoint | null {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(connectionString);
  } catch {
    return null;
  }
  const rawHost = (parsed.host ?? '').toLowerCase();
  // A socket folder (`?host=/run/postgresql`) and the loopback names are all this machine.
  const host = LOCAL_HOSTS.has(rawHost) || rawHost.startsWith('/') ? 'local' : rawHost;
  const port = parsed.port || '5432';
  return { host, port, database: parsed.database || parsed.user || 'postgres' };
}

/** True when both URLs reach the same database on the same server. */
export function sameDatabase(a: string, b: string): boolean {
  const x = endpointOf(a);
  const y = endpointOf(b);
  return !!x && !!y && x.host === y.host && x.port === y.port && x.database === y.database;
}

/** A message when connection `name`'s `url` is the store's database, else null. */
export function storeBindingProblem(name: string, url: string, storeUrl: string | undefined): string | null {
  if (!storeUrl || !sameDatabase(url, storeUrl)) return null;
  return `connection '${name}' points at Ledgerflow's own store database, which flows may not read or write: bind it to the target system's database (or to { "embedded": true }, a database of its own)`;
}
