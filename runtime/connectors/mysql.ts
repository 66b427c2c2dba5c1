/**
 * The SqlClient nodes use over a MySQL/MariaDB server (`mysql2` pool), for a
 * SQL connection whose url starts with mysql:// or mariadb://. Statements may
 * use Postgres-style `$n` placeholders: each becomes its value, escaped by the
 * driver (as its own `?` formatting does), so the nodes' statements that need
 * no other dialect difference are shared. Dates and timestamps come back as the
 * database's text (as in postgres.ts). Errors name the connection and keep
 * the server's message; the url (its password) is never in them.
 */
import mysql from 'mysql2/promise';
import type { SqlClient } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';
import { classifyPgError } from '../../nodes/target/sql-errors.ts';

/** A SqlClient that owns its pool. */
export interface MySqlClient extends SqlClient {
  close(): Promise<void>;
}

/** True for a SQL connection url that names a MySQL/MariaDB server. */
export function isMySqlUrl(url: string): boolean {
  return /^(mysql|mariadb):\/\//.test(url);
}

/**
 * `text` with each `$n` (outside quotes) replaced by the n-th value, escaped as
 * a literal — what the driver's own `?` formatting does; `$1` inside quoted
 * text or identifiers is left alone.
 */
export function inlineParams(text: string, params: unknown[] = []): string {
  let sql = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote !== '`') { sql += c + (text[i + 1] ?? ''); i++; continue; }
      if (c === quote) quote = null;
      sql += c;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') { quote = c; sql += c; continue; }
    const m = c === '$' ? /^\$(\d+)/.exec(text.slice(i)) : null;
    if (m) {
      sql += mysql.escape((params[Number(m[1]) - 1] ?? null) as Parameters<typeof mysql.escape>[0]);
      i += m[0].length - 1;
      continue;
    }
    sql += c;
  }
  return sql;
}

// Incorrect value for a column (1366), data truncated (1265), and the like.
const DATA_ERRNOS = new Set([1265, 1366, 1292, 1264, 1406]);

/** A MySQL/MariaDB error as the Postgres-shaped error sql-errors.ts classifies, the connection named. */
function classify(err: unknown, connection: string): FlowError {
  if (err instanceof FlowError) return err;
  const e = err as { code?: string; errno?: number; sqlState?: string; message?: string; sqlMessage?: string };
  const network = typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code);
  // A value the column refuses comes with the general HY000 state: a data error, as Postgres's 22xxx.
  // A lock wait timeout (1205) is worth retrying, like Postgres's lock_not_available.
  const general = e.sqlState === 'HY000' ? (DATA_ERRNOS.has(e.errno ?? 0) ? '22000' : e.errno === 1205 ? '55P03' : undefined) : undefined;
  const code = network ? e.code : (general ?? e.sqlState ?? e.code);
  return classifyPgError({ code, engine: 'MySQL/MariaDB', message: `connection '${connection}' (MySQL/MariaDB): ${e.sqlMessage ?? e.message ?? String(err)}` });
}

function over(conn: mysql.Pool | mysql.PoolConnection, connection: string, depth: number): SqlClient {
  return {
    dialect: 'mysql',
    async query<R>(text: string, params?: unknown[]) {
      try {
        const [result] = await conn.query(inlineParams(text, params));
        if (Array.isArray(result)) return { rows: result as R[], rowCount: result.length };
        return { rows: [] as R[], rowCount: (result as mysql.ResultSetHeader).affectedRows };
      } catch (err) {
        throw classify(err, connection);
      }
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>) {
      // Nested in the transaction createMySqlClient began: a savepoint on the same connection.
      const name = `ledgerflow_sp_${depth}`;
      await conn.query(`SAVEPOINT ${name}`).catch((err) => { throw classify(err, connection); });
      try {
        const result = await fn(over(conn, connection, depth + 1));
        await conn.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        await conn.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
        throw err;
      }
    },
  };
}

/** A SqlClient over a new pool for `url` (mysql://user:password@host:port/database). */
export function createMySqlClient(url: string, connection: string): MySqlClient {
  const pool = mysql.createPool({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: 5,
    connectTimeout: 10_000,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    multipleStatements: false,
  });
  const top = over(pool, connection, 0);
  return {
    dialect: 'mysql',
    query: top.query,
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>) {
      let conn: mysql.PoolConnection;
      try {
        conn = await pool.getConnection();
      } catch (err) {
        throw classify(err, connection);
      }
      let broken = false;
      try {
        await conn.query('START TRANSACTION');
        const result = await fn(over(conn, connection, 1));
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await conn.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw err instanceof FlowError ? err : classify(err, connection);
      } finally {
        if (broken) conn.destroy();
        else conn.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
