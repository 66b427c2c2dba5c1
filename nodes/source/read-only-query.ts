/**
 * A query an analyst wrote, run so that it can only read: one statement per call with its
 * parameters bound (the extended protocol, so stacked statements are a syntax error), in a
 * read-only transaction with a statement timeout. Used by the Postgres source and by lookups.
 */
import type { SqlClient } from '../define-node.ts';
import { classifyPgError } from '../target/sql-errors.ts';

export async function readOnlyQuery(sql: SqlClient, text: string, params: unknown[], at: { timeoutMs: number; nodeId: string }): Promise<Record<string, unknown>[]> {
  try {
    // MySQL/MariaDB: one statement (the client refuses stacked ones), a SELECT wrapping the query, with its own time limit.
    if (sql.dialect === 'mysql') return (await sql.query<Record<string, unknown>>(`SET STATEMENT max_statement_time = ${at.timeoutMs / 1000} FOR ${text}`, params)).rows;
    return await sql.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY', []);
      await tx.query(`SET LOCAL statement_timeout = ${at.timeoutMs}`, []);
      return (await tx.query<Record<string, unknown>>(text, params)).rows;
    });
  } catch (err) {
    throw classifyPgError(err, { nodeId: at.nodeId });
  }
}
