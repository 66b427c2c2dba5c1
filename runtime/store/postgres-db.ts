/**
 * Db over a `pg` Pool. Transactions and sessions check out one client; plain
 * queries go to whichever client is free.
 */
import { checkSchemaName } from './schema-name.ts';
import pg from 'pg';
import { inSavepoint, type Db, type QueryResult, type Row } from './db.ts';
import { copyFromText } from './pg-copy.ts';

async function inTransaction<T>(client: pg.PoolClient, fn: (tx: Db) => Promise<T>, discard: (err: Error) => void): Promise<T> {
  await client.query('begin');
  let result: T;
  try {
    result = await fn(clientDb(client, true));
  } catch (err) {
    await client.query('rollback').catch((rollbackErr: Error) => discard(rollbackErr));
    throw err;
  }
  await client.query('commit');
  return result;
}

/** Db over one checked-out client; inside a transaction, nested transactions are savepoints. */
function clientDb(client: pg.PoolClient, inTx: boolean): Db {
  let savepoints = 0;
  const db: Db = {
    kind: 'postgres',
    query: async <R = Row>(text: string, params?: unknown[]): Promise<QueryResult<R>> => {
      const res = await client.query(text, params);
      return { rows: res.rows as R[], rowCount: res.rowCount };
    },
    exec: async (sql) => { await client.query(sql); },
    transaction: (fn) => inTx
      ? inSavepoint(db, `sp_${++savepoints}`, () => fn(db))
      : inTransaction(client, fn, () => {}),
    session: (fn) => fn(db),
    copyFrom: (table, columns, text) => copyFromText(client, table, columns, text),
    close: async () => { throw new Error('close() called on a checked-out connection'); },
  };
  return db;
}

/**
 * Checks out a client for `fn`. `fn` calls `discard()` when the client must not
 * go back to the pool (a rollback did not go through).
 */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient, discard: (err: Error) => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no listener of the pool's: a connection lost between two
  // statements (a database restart, pg_terminate_backend) would emit 'error' unheard and
  // crash the process. The statement in progress fails on its own; the client is dropped.
  const onError = (err: Error) => { broken ??= err; };
  client.on('error', onError);
  try {
    return await fn(client, (err) => { broken = err; });
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

export interface PostgresDbOptions {
  connectionString: string;
  /** Schema to work in (search_path); created on open when missing. */
  schema?: string;
  /** Pool size; default 10. */
  max?: number;
}

/** Opens a pool; nothing connects until the first query. */
export function createPostgresDb(options: PostgresDbOptions): Db {
  const schema = options.schema ? checkSchemaName(options.schema) : undefined;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // A server that does not answer (a network cut) fails the query instead of hanging it.
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its connection is discarded by the pool; without a
  // listener the 'error' event would crash the process.
  pool.on('error', () => {});

  return {
    kind: 'postgres',
    query: async <R = Row>(text: string, params?: unknown[]): Promise<QueryResult<R>> => {
      const res = await pool.query(text, params);
      return { rows: res.rows as R[], rowCount: res.rowCount };
    },
    exec: async (sql) => { await pool.query(sql); },
    transaction: (fn) => withClient(pool, (client, discard) => inTransaction(client, fn, discard)),
    session: (fn) => withClient(pool, (client) => fn(clientDb(client, false))),
    copyFrom: (table, columns, text) => withClient(pool, (client) => copyFromText(client, table, columns, text)),
    close: () => pool.end(),
  };
}
