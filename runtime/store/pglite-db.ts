/**
 * Db over PGlite: one in-process connection. PGlite serialises queries and
 * transactions itself, so `session` needs no extra connection.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { inSavepoint, type Db, type QueryResult, type Row } from './db.ts';

type Queryable = Pick<Transaction, 'query' | 'exec'>;

function copySql(table: string, columns: readonly string[]): string {
  return `copy ${table} (${columns.join(', ')}) from '/dev/blob'`;
}

async function runQuery<R>(q: Queryable, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  const res = await q.query<R>(text, params as unknown[] | undefined);
  return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
}

function transactionDb(tx: Transaction): Db {
  let savepoints = 0;
  const db: Db = {
    kind: 'pglite',
    query: (text, params) => runQuery(tx, text, params),
    exec: async (sql) => { await tx.exec(sql); },
    transaction: (fn) => inSavepoint(db, `sp_${++savepoints}`, () => fn(db)),
    session: (fn) => fn(db),
    copyFrom: async (table, columns, text) => {
      const res = await tx.query(copySql(table, columns), [], { blob: new Blob([text]) });
      return res.affectedRows ?? 0;
    },
    close: async () => { throw new Error('close() called on a transaction'); },
  };
  return db;
}

/** Wraps an open PGlite instance; `close()` closes it. */
export function createPgliteDb(pg: PGlite): Db {
  const db: Db = {
    kind: 'pglite',
    query: <R = Row>(text: string, params?: unknown[]) => runQuery<R>(pg, text, params),
    exec: async (sql) => { await pg.exec(sql); },
    transaction: (fn) => pg.transaction((tx) => fn(transactionDb(tx))),
    session: (fn) => fn(db),
    copyFrom: async (table, columns, text) => {
      const res = await pg.query(copySql(table, columns), [], { blob: new Blob([text]) });
      return res.affectedRows ?? 0;
    },
    close: () => pg.close(),
  };
  return db;
}
