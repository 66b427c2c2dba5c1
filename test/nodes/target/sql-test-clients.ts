/**
 * SqlClients for the SQL node tests: PGlite always, real Postgres when
 * TEST_DATABASE_URL is set. Each backend gets its own schema, dropped after.
 */
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient } from '../../../nodes/define-node.ts';
import { createPgSqlClient } from '../../../runtime/connectors/postgres.ts';
import { splitSqlStatements } from '../../../nodes/source/sql-statements.ts';

/** A minimal SqlClient over PGlite; nested transactions become savepoints. */
export function pgliteSqlClient(db: PGlite): SqlClient {
  type Q = { query: PGlite['query'] };
  const over = (conn: Q, depth: number): SqlClient => ({
    async query<R>(text: string, params?: unknown[]) {
      const result = await conn.query<R>(text, params as any[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      if (depth === 0) return db.transaction((tx) => fn(over(tx, 1)));
      const sp = `test_sp_${depth}`;
      await conn.query(`SAVEPOINT ${sp}`);
      try {
        const result = await fn(over(conn, depth + 1));
        await conn.query(`RELEASE SAVEPOINT ${sp}`);
        return result;
      } catch (err) {
        await conn.query(`ROLLBACK TO SAVEPOINT ${sp}`);
        throw err;
      }
    },
  });
  return over(db, 0);
}

export interface SqlBackend {
  name: string;
  /** Schema the test's tables live in. */
  schema: string;
  sql: SqlClient;
  /** Runs raw SQL (several statements allowed). */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

const asText = (value: string) => value;

/** Backends to run the same tests on: PGlite, plus real Postgres when TEST_DATABASE_URL is set. */
export function sqlBackends(prefix: string): { name: string; open: () => Promise<SqlBackend> }[] {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const backends = [
    {
      name: 'pglite',
      open: async (): Promise<SqlBackend> => {
        // Dates as text, as the runtime's pg client returns them.
        const db = new PGlite({ parsers: { 1082: asText, 1114: asText, 1184: asText } });
        await db.exec(`CREATE SCHEMA ${schema}`);
        return {
          name: 'pglite',
          schema,
          sql: pgliteSqlClient(db),
          exec: async (text) => {
            await db.exec(text);
          },
          close: () => db.close(),
        };
      },
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    backends.push({
      name: 'postgres',
      open: async (): Promise<SqlBackend> => {
        const client = createPgSqlClient(url);
        await client.query(`CREATE SCHEMA ${schema}`);
        return {
          name: 'postgres',
          schema,
          sql: client,
          // The client runs one statement per call (extended protocol).
          exec: async (text) => {
            for (const statement of splitSqlStatements(text)) await client.query(statement);
          },
          close: async () => {
            await client.query(`DROP SCHEMA ${schema} CASCADE`);
            await client.close();
          },
        };
      },
    });
  }
  return backends;
}
