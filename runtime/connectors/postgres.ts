/**
 * The SqlClient nodes use, over a `pg` Pool. Errors come out as classified
 * FlowErrors (see nodes/target/sql-errors.ts). Dates and timestamps come back
 * as the database's text, not JavaScript Dates: a `date` parsed into a local
 * midnight shifts a posting date by a day in some time zones, and Dates drop
 * the microseconds of timestamps that watermarks compare against.
 */
import pg from 'pg';
import type { SqlClient } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';
import { classifyPgError } from '../../nodes/target/sql-errors.ts';

export { classifyPgError } from '../../nodes/target/sql-errors.ts';

/** A SqlClient that owns (or borrows) a pool. */
export interface PgSqlClient extends SqlClient {
  /** Ends the pool when this client created it; a pool passed in is left to its owner. */
  close(): Promise<void>;
}

export interface PgSqlClientOptions {
  /** Pool size (default 5). */
  max?: number;
  /** Milliseconds to wait for a connection before failing transiently (default 10000). */
  connectionTimeoutMillis?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

const TEXT_TYPES = new Set([
  1082, // date
  1114, // timestamp
  1184, // timestamptz
  1083, // time
  1266, // timetz
]);

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (TEXT_TYPES.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

type Queryable = pg.ClientBase;

/**
 * One statement, always over the extended protocol (parse, bind, execute) even without
 * parameters: text holding several statements is then a syntax error, never run in part.
 */
function oneStatement(text: string, params?: unknown[]): pg.QueryConfig {
  return { text, values: params ?? [], queryMode: 'extended' } as pg.QueryConfig;
}

function clientOver(conn: Queryable, depth: number): SqlClient {
  return {
    async query<R>(text: string, params?: unknown[]) {
      try {
        const result = await conn.query(oneStatement(text, params));
        return { rows: result.rows as R[], rowCount: result.rowCount };
      } catch (err) {
        throw classifyPgError(err);
      }
    },
    // Nested transactions become savepoints on the same connection.
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>) {
      const name = `ledgerflow_sp_${depth}`;
      await conn.query(`SAVEPOINT ${name}`).catch((err) => {
        throw classifyPgError(err);
      });
      try {
        const result = await fn(clientOver(conn, depth + 1));
        await conn.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        await conn.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
        throw err;
      }
    },
  };
}

/**
 * A SqlClient over a new pool for `connection` (a connection string), or over
 * an existing pool. `transaction` holds one pooled client for BEGIN … COMMIT
 * and rolls back when `fn` throws.
 */
export function createPgSqlClient(connection: string | pg.Pool, options: PgSqlClientOptions = {}): PgSqlClient {
  const owned = typeof connection === 'string';
  const pool = owned
    ? new pg.Pool({
        connectionString: connection,
        max: options.max ?? 5,
        connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
        idleTimeoutMillis: 30_000,
        application_name: options.applicationName ?? 'ledgerflow',
        types,
      })
    : connection;
  // An idle client losing its server emits on the pool; unhandled, that would crash the process.
  if (owned) pool.on('error', () => undefined);

  return {
    async query<R>(text: string, params?: unknown[]) {
      try {
        const result = await pool.query(oneStatement(text, params));
        return { rows: result.rows as R[], rowCount: result.rowCount };
      } catch (err) {
        throw classifyPgError(err);
      }
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw classifyPgError(err);
      }
      let broken: Error | undefined;
      // Unheard, a connection lost between two statements would crash the process (see postgres-db.ts).
      const onError = (err: Error) => { broken ??= err; };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(clientOver(client, 0));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is unusable: do not return it to the pool
        }
        // FlowErrors from inside `fn` already carry their context (table, column); keep them as they are.
        throw err instanceof FlowError ? err : classifyPgError(err);
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
