/**
 * The embedded target databases: what a flow's Postgres connection bound to
 * `{ embedded: true }` reaches — never the store. Each connection name gets a
 * database of its own, opened on first use and closed with the store:
 * - beside an embedded (PGlite) store, its own data folder
 *   `<data>/connections/<name>/`, in its own PGlite process;
 * - beside a Postgres store, its own database `<store database>_<name>` on
 *   the same server (created when missing).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { SqlClient } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';
import { splitSqlStatements } from '../../nodes/source/sql-statements.ts';
import { createPgSqlClient, type PgSqlClient } from '../connectors/postgres.ts';
import { createPgliteProcessDb, startPgliteProcess, type PgliteProcess } from './pglite-process.ts';
import { sqlClientOf } from './db.ts';
import type { Database } from './database.ts';
import type { ConnectionResolverOptions } from '../connectors/connection-registry.ts';

/** A connection name usable as a folder or database name part. */
const CONNECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/;

export interface TargetDatabases {
  /** The SqlClient of `name`'s own database; opened (and created) on its first query. */
  sql(name: string): SqlClient;
  /** Where `name`'s database lives, for messages: a folder or a database name. */
  where(name: string): string;
  close(): Promise<void>;
}

function checkName(name: string): string {
  if (!CONNECTION_NAME.test(name)) {
    throw new FlowError('permanent', `connection '${name}' cannot have an embedded database: use letters, digits, _ and - (max 63)`, { field: name });
  }
  return name;
}

/** A client whose first query waits for `open`; a failed open is retried on the next query. */
function lazyClient(open: () => Promise<SqlClient>): SqlClient {
  let opening: Promise<SqlClient> | undefined;
  const client = () => {
    opening ??= open().catch((err) => {
      opening = undefined;
      throw err;
    });
    return opening;
  };
  return {
    query: async (text, params) => (await client()).query(text, params),
    transaction: async (fn) => (await client()).transaction(fn),
  };
}

/** One lazily opened client per connection name. */
function clientsByName(start: (name: string) => Promise<SqlClient>) {
  const lazy = new Map<string, SqlClient>();
  return {
    get(name: string): SqlClient {
      checkName(name);
      let client = lazy.get(name);
      if (!client) {
        client = lazyClient(() => start(name));
        lazy.set(name, client);
      }
      return client;
    },
    clear: () => lazy.clear(),
  };
}

/** Settings of a target database: smaller than the store's, it holds a few business tables. */
const TARGET_SETTINGS = ['shared_buffers=16MB'];

/** Embedded databases beside a PGlite store; in memory (tests) when `dir` is undefined. */
export function pgliteTargetDatabases(dir: string | undefined): TargetDatabases {
  const processes: Promise<PgliteProcess>[] = [];
  const folder = (name: string) => (dir ? join(dir, checkName(name)) : undefined);
  async function start(name: string): Promise<SqlClient> {
    const dataDir = folder(name);
    if (dataDir) {
      await mkdir(dataDir, { recursive: true });
      // As for the store: create the data folder in a process of its own, then open it afresh.
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await (await startPgliteProcess(dataDir)).close();
    }
    const started = startPgliteProcess(dataDir, { postgresqlconf: TARGET_SETTINGS });
    processes.push(started);
    return sqlClientOf(createPgliteProcessDb(await started));
  }
  const clients = clientsByName(start);
  return {
    sql: (name) => clients.get(name),
    where: (name) => folder(name) ?? `an in-memory database for '${name}'`,
    async close() {
      clients.clear();
      const started = processes.splice(0);
      await Promise.all(started.map(async (p) => (await p.catch(() => null))?.close()));
    },
  };
}

/** The database name for `name` beside store database `storeDb` (schema: the store's, when not the default). */
export function targetDatabaseName(storeDb: string, schema: string | undefined, name: string): string {
  const full = [storeDb, schema, checkName(name)].filter(Boolean).join('_').toLowerCase();
  if (full.length <= 63) return full;
  return `${full.slice(0, 50)}_${createHash('sha256').update(full).digest('hex').slice(0, 12)}`;
}

/** The store's database name in a connection string (the user name when none is given, as libpq does). */
export function databaseOf(connectionString: string): string {
  const url = new URL(connectionString);
  const db = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return db || decodeURIComponent(url.username) || 'postgres';
}

/** `connectionString` pointing at `database` instead. */
function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Embedded databases beside a Postgres store: one database per connection name on the same server. */
export function postgresTargetDatabases(connectionString: string, schema?: string): TargetDatabases {
  const clients = new Map<string, PgSqlClient>();
  const storeDb = databaseOf(connectionString);
  const nameOf = (name: string) => targetDatabaseName(storeDb, schema, name);
  async function start(name: string): Promise<SqlClient> {
    const database = nameOf(name);
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (!rowCount) {
        await admin.query(`create database "${database}"`).catch((err: { code?: string }) => {
          if (err.code !== '42P04') throw err; // created meanwhile by another process
        });
      }
    } finally {
      await admin.end();
    }
    const client = createPgSqlClient(withDatabase(connectionString, database), { applicationName: `ledgerflow:${name}` });
    clients.set(name, client);
    return client;
  }
  const lazy = clientsByName(start);
  return {
    sql: (name) => lazy.get(name),
    where: (name) => `database ${nameOf(name)}`,
    async close() {
      lazy.clear();
      const open = [...clients.values()];
      clients.clear();
      await Promise.all(open.map((c) => c.close()));
    },
  };
}

/** Drops every target database beside a Postgres store (tests, after their store's schema). */
export async function dropPostgresTargetDatabases(connectionString: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(connectionString, 'postgres') });
  await admin.connect();
  try {
    const prefix = `${databaseOf(connectionString)}_${schema}_`.toLowerCase();
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await admin.end();
  }
}

/** What binding connections beside a database needs of it. */
export type TargetsOf = Pick<Database, 'targets' | 'connection'>;

/**
 * How a flow's connections are bound beside `database`: `{ embedded: true }` to
 * the connection's own target database, and never to the store's database.
 */
export function storeConnectionOptions(database: TargetsOf): ConnectionResolverOptions {
  return {
    embedded: (name: string) => database.targets.sql(name),
    ...(database.connection.connectionString ? { storeUrl: database.connection.connectionString } : {}),
  };
}

/** The SqlClient of connection `name`'s embedded database beside `database` (tests, setup scripts). */
export function targetDatabase(database: Pick<Database, 'targets'>, name: string): SqlClient {
  return database.targets.sql(name);
}

/** Runs a setup script, one statement at a time in one transaction, in each named connection's embedded database. */
export async function applySetupScript(database: Pick<Database, 'targets'>, connections: string[], script: string): Promise<void> {
  for (const name of connections) {
    await targetDatabase(database, name).transaction(async (tx) => {
      for (const statement of splitSqlStatements(script)) await tx.query(statement);
    });
  }
}

/**
 * A flow folder's `setup.sql` (creating the tables its targets write to;
 * idempotent: CREATE … IF NOT EXISTS) applied to each named connection's
 * embedded database. False when there is no such file or no connection.
 */
export async function applyFlowSetup(database: Pick<Database, 'targets'>, flowDir: string, connections: string[]): Promise<boolean> {
  if (!connections.length) return false;
  let script: string;
  try {
    script = await readFile(join(flowDir, 'setup.sql'), 'utf8');
  } catch {
    return false;
  }
  await applySetupScript(database, connections, script);
  return true;
}
