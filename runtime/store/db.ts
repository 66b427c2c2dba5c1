/**
 * The thin database seam under the store: the same SQL runs on PGlite and on
 * `pg`, only these few calls differ between the two.
 */
import type { SqlClient } from '../../nodes/define-node.ts';

export type Row = Record<string, unknown>;

export interface QueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

/** One database (or one connection or transaction of it). */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** One statement with `$n` parameters. */
  query<R = Row>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; nested calls become savepoints. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs `fn` on one connection, e.g. to hold a session-level advisory lock. */
  session<T>(fn: (conn: Db) => Promise<T>): Promise<T>;
  /**
   * `COPY table (columns) FROM STDIN` with `text` in COPY's text format
   * (tab-separated, `\N` for null, one row per line), as a string or as its
   * UTF-8 bytes, whole or in consecutive pieces (see CopyPayload). Returns rows copied.
   */
  copyFrom(table: string, columns: readonly string[], text: string | Uint8Array | readonly Uint8Array[]): Promise<number>;
  close(): Promise<void>;
}

/** Makes `fn` run inside a savepoint of an open transaction. */
export async function inSavepoint<T>(db: Db, name: string, fn: () => Promise<T>): Promise<T> {
  await db.query(`savepoint ${name}`);
  try {
    const result = await fn();
    await db.query(`release savepoint ${name}`);
    return result;
  } catch (err) {
    await db.query(`rollback to savepoint ${name}`);
    throw err;
  }
}

/** The narrow SQL client nodes get for the embedded database: no exec, no close. */
export function sqlClientOf(db: Db): SqlClient {
  return {
    query: <R = Row>(text: string, params?: unknown[]) => db.query<R>(text, params),
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => db.transaction((tx) => fn(sqlClientOf(tx))),
  };
}
