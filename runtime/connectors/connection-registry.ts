/**
 * Binds the connection names a flow declares (`erp`, `ap_api`) to the real
 * settings of one environment. Postgres pools are opened on first use and
 * closed by `close()`; `url: 'embedded'` is the connection's own embedded
 * database (runtime/store/target-databases.ts), never the store. A URL that
 * points at the store's own database is refused.
 */
import type { BrokerConnection, ConnectionResolver, HttpAuth, HttpConnection, SftpConnection, SqlClient } from '../../nodes/define-node.ts';
import { brokerBindingProblem, createBrokerClient, type BrokerBinding, type BrokerClient } from './brokers.ts';
import { FlowError } from '../../nodes/errors.ts';
import { CONNECTION_KINDS } from '../../nodes/flow-document.ts';
import { createConcurrencyLimiter, type ConcurrencyLimiter } from '../../nodes/target/concurrency-limiter.ts';
import { createRateLimiter, type RateLimiter } from '../../nodes/target/rate-limiter.ts';
import { createPgSqlClient, type PgSqlClient } from './postgres.ts';
import { createMySqlClient, isMySqlUrl, type MySqlClient } from './mysql.ts';
import { storeBindingProblem } from './store-isolation.ts';
import { createSftpConnection, sftpBindingProblem, type SftpBinding } from './sftp.ts';
import { smtpBindingProblem, type SmtpBinding } from './smtp.ts';

export type { SftpBinding } from './sftp.ts';

export interface PostgresBinding {
  /** `mysql`: a MySQL/MariaDB server (mysql:// or mariadb:// url only); `postgres` takes both (see SQL_CONNECTION_KINDS). */
  kind: 'postgres' | 'mysql';
  /**
   * A postgres:// connection string, `embedded` for the connection's own embedded database, or a
   * mysql:// (mariadb://) URL: the SQL nodes then write MySQL/MariaDB statements (the dialect follows the binding).
   */
  url: string;
}

export interface HttpBinding {
  kind: 'http';
  baseUrl: string;
  headers?: Record<string, string>;
  rateLimitPerSecond?: number;
  /** Requests in flight at once on this connection (all runs and workers of the environment); absent: no limit. */
  maxConcurrent?: number;
  /** Values substituted from the connection's secrets; hidden from every message. */
  secretValues?: string[];
  /** API key, bearer token, basic or OAuth2 client credentials (see HttpAuth). */
  auth?: HttpAuth;
}

export type ConnectionBinding = PostgresBinding | HttpBinding | BrokerBinding | (SftpBinding & { secretValues?: string[] }) | SmtpBinding;

/** Connection name → binding, for one environment. */
export type ConnectionBindings = Record<string, ConnectionBinding>;

export interface ConnectionResolverOptions {
  /** The embedded database of a connection bound to `url: 'embedded'` (its own, never the store). */
  embedded?: (name: string) => SqlClient;
  /** The store's connection string (Postgres stores): a binding pointing there is refused. */
  storeUrl?: string;
  /** Paces HTTP connections with a rate limit; default: one in-memory limiter for this resolver only. */
  rateLimiter?: RateLimiter;
  /** Holds HTTP connections to their `maxConcurrent`; default: one in-memory limiter for this resolver only. */
  concurrencyLimiter?: ConcurrencyLimiter;
  /** What the limiters' keys are scoped by besides the connection name (the environment). */
  rateScope?: string;
}

/** A resolver that owns the pools it opened. */
export interface ClosableConnectionResolver extends ConnectionResolver {
  /** Ends every pool opened by this resolver (embedded databases are left to their owner). */
  close(): Promise<void>;
}

function notConfigured(name: string): FlowError {
  return new FlowError('permanent', `connection '${name}' is not configured for this environment`, { field: name });
}

function wrongKind(name: string, has: string, wants: string): FlowError {
  const a = (kind: string) => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
  return new FlowError('permanent', `connection '${name}' is ${a(has)} connection, but this node needs ${a(wants)} connection`, { field: name });
}

/** Checks a binding's shape, and that it does not reach the store; returns a message, or null when it is usable. */
export function bindingProblem(name: string, binding: unknown, storeUrl?: string): string | null {
  const b = binding as { kind?: unknown; url?: unknown; baseUrl?: unknown; headers?: unknown; rateLimitPerSecond?: unknown; maxConcurrent?: unknown };
  if (!b || typeof b !== 'object') return `connection '${name}' must be an object`;
  if (b.kind === 'mysql') {
    if (typeof b.url !== 'string' || !isMySqlUrl(b.url)) return `connection '${name}' is a mysql connection: it needs a url starting with mysql:// or mariadb://`;
    return null;
  }
  if (b.kind === 'postgres') {
    if (typeof b.url !== 'string' || b.url === '') return `connection '${name}' needs a url (postgres://…, mysql://… or embedded)`;
    if (isMySqlUrl(b.url)) return null;
    if (b.url !== 'embedded' && !/^postgres(ql)?:\/\//.test(b.url)) return `connection '${name}': url must start with postgres://, mysql:// or mariadb://, or be embedded`;
    return b.url === 'embedded' ? null : storeBindingProblem(name, b.url, storeUrl);
  }
  if (b.kind === 'http') {
    if (typeof b.baseUrl !== 'string' || !/^https?:\/\//.test(b.baseUrl)) return `connection '${name}' needs a baseUrl starting with http:// or https://`;
    if (b.headers !== undefined && (typeof b.headers !== 'object' || b.headers === null || Object.values(b.headers as object).some((v) => typeof v !== 'string'))) {
      return `connection '${name}': headers must map names to text values`;
    }
    if (b.rateLimitPerSecond !== undefined && !(typeof b.rateLimitPerSecond === 'number' && b.rateLimitPerSecond >= 0)) {
      return `connection '${name}': rateLimitPerSecond must be a number ≥ 0`;
    }
    if (b.maxConcurrent !== undefined && !(Number.isInteger(b.maxConcurrent) && (b.maxConcurrent as number) >= 1)) {
      return `connection '${name}': maxConcurrent must be a whole number ≥ 1`;
    }
    return (binding as { auth?: unknown }).auth === undefined ? null : authProblem(name, (binding as { auth?: unknown }).auth);
  }
  if (b.kind === 'amqp' || b.kind === 'nats') return brokerBindingProblem(name, b as Record<string, unknown>);
  if (b.kind === 'sftp') return sftpBindingProblem(name, b as Record<string, unknown>);
  if (b.kind === 'smtp') return smtpBindingProblem(name, b as Record<string, unknown>);
  return `connection '${name}' has unknown kind '${String(b.kind)}' (${CONNECTION_KINDS.join(', ')})`;
}

const AUTH_FIELDS: Record<HttpAuth['type'], string[]> = {
  'api-key': ['name', 'value'],
  bearer: ['token'],
  basic: ['username', 'password'],
  'oauth2-client-credentials': ['tokenUrl', 'clientId', 'clientSecret'],
};

/** What is wrong with an HTTP connection's `auth`, or null. */
export function authProblem(name: string, auth: unknown): string | null {
  const a = auth as Record<string, unknown> | null;
  if (!a || typeof a !== 'object' || Array.isArray(a)) return `connection '${name}': auth must be an object with a type`;
  const fields = AUTH_FIELDS[a.type as HttpAuth['type']];
  if (!fields) return `connection '${name}': auth type must be one of ${Object.keys(AUTH_FIELDS).join(', ')}, not '${String(a.type)}'`;
  for (const field of fields) {
    if (typeof a[field] !== 'string' || a[field] === '') return `connection '${name}': auth (${String(a.type)}) needs ${field}`;
  }
  if (a.type === 'api-key' && a.in !== undefined && a.in !== 'header' && a.in !== 'query') return `connection '${name}': auth.in must be header or query`;
  if (a.type === 'oauth2-client-credentials') {
    if (!/^https?:\/\//.test(a.tokenUrl as string)) return `connection '${name}': auth.tokenUrl must start with http:// or https://`;
    if (a.clientAuth !== undefined && a.clientAuth !== 'basic' && a.clientAuth !== 'body') return `connection '${name}': auth.clientAuth must be basic or body`;
    for (const field of ['scope', 'audience']) {
      if (a[field] !== undefined && typeof a[field] !== 'string') return `connection '${name}': auth.${field} must be text`;
    }
  }
  return null;
}

/**
 * A ConnectionResolver over `bindings`. Unknown names, wrong kinds and bad
 * settings fail with a permanent FlowError naming the connection.
 */
export function createConnectionResolver(
  bindings: ConnectionBindings,
  options: ConnectionResolverOptions = {},
): ClosableConnectionResolver {
  const pools = new Map<string, PgSqlClient | MySqlClient>();
  const brokers = new Map<string, BrokerClient>();
  const limiter = options.rateLimiter ?? createRateLimiter();
  const inFlight = options.concurrencyLimiter ?? createConcurrencyLimiter();

  function binding(name: string): ConnectionBinding {
    if (!Object.prototype.hasOwnProperty.call(bindings, name)) throw notConfigured(name);
    const b = bindings[name];
    const problem = bindingProblem(name, b, options.storeUrl);
    if (problem) throw new FlowError('permanent', problem, { field: name });
    return b;
  }

  return {
    sql(name) {
      const b = binding(name);
      if (b.kind !== 'postgres' && b.kind !== 'mysql') throw wrongKind(name, b.kind, 'postgres or mysql');
      if (b.url === 'embedded') {
        if (!options.embedded) throw new FlowError('permanent', `connection '${name}' is bound to an embedded database, which this process does not have`, { field: name });
        return options.embedded(name);
      }
      let client = pools.get(name);
      if (!client) {
        client = isMySqlUrl(b.url) ? createMySqlClient(b.url, name) : createPgSqlClient(b.url, { applicationName: `ledgerflow:${name}` });
        pools.set(name, client);
      }
      return client;
    },
    http(name): HttpConnection {
      const b = binding(name);
      if (b.kind !== 'http') throw wrongKind(name, b.kind, 'http');
      return {
        baseUrl: b.baseUrl,
        headers: { ...(b.headers ?? {}) },
        ...(b.rateLimitPerSecond ? { rateLimitPerSecond: b.rateLimitPerSecond, waitForSlot: (signal?: AbortSignal) => limiter.acquire(`${options.rateScope ?? ''}/${name}`, b.rateLimitPerSecond, signal) } : {}),
        ...(b.maxConcurrent ? { maxConcurrent: b.maxConcurrent, holdInFlight: (signal?: AbortSignal) => inFlight.acquire(`${options.rateScope ?? ''}/${name}`, b.maxConcurrent, signal) } : {}),
        ...(b.secretValues?.length ? { secretValues: [...b.secretValues] } : {}),
        ...(b.auth ? { auth: { ...b.auth } } : {}),
      };
    },
    broker(name, protocol): BrokerConnection {
      const b = binding(name);
      if (b.kind !== protocol) throw wrongKind(name, b.kind, protocol);
      let client = brokers.get(name);
      if (!client) {
        client = createBrokerClient(name, b as BrokerBinding);
        brokers.set(name, client);
      }
      return client;
    },
    sftp(name): SftpConnection {
      const b = binding(name);
      if (b.kind !== 'sftp') throw wrongKind(name, b.kind, 'sftp');
      return createSftpConnection(name, b, b.secretValues);
    },
    async close() {
      const clients: { close(): Promise<void> }[] = [...pools.values(), ...brokers.values()];
      pools.clear();
      brokers.clear();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
