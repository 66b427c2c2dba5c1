/**
 * The statements of `target.postgres` in the MySQL/MariaDB dialect, for a
 * connection bound to a mysql:// url: backtick-quoted identifiers, one
 * placeholder per value, row after row (written `$n`; the client sends `?`), `INSERT … ON DUPLICATE KEY
 * UPDATE` for upserts (the table's primary or unique key on the key columns
 * decides, as ON CONFLICT's target does in Postgres). Values go as text and
 * the server converts them to the column's type (strict mode refuses a bad one).
 */
import { quoteIdentifier } from './sql-identifiers.ts';
import type { SqlText } from './postgres-statements.ts';

/** One statement with its values in placeholder order. */
export interface MySqlStatement {
  text: string;
  params: SqlText[];
  table: string;
}

const q = (name: string, qualified = false) => quoteIdentifier(name, qualified, 'mysql');

/** `count` tuples of `width` placeholders, numbered from $1. */
function tuples(count: number, width: number): string {
  return Array.from({ length: count }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
}

/** One INSERT of all `rows`; with `keyColumns`, an upsert setting every other column. Null when there are no rows. */
export function buildMySqlInsert(table: string, columns: string[], rows: SqlText[][], keyColumns?: string[]): MySqlStatement | null {
  if (rows.length === 0) return null;
  let text = `INSERT INTO ${q(table, true)} (${columns.map((c) => q(c)).join(', ')}) VALUES ${tuples(rows.length, columns.length)}`;
  if (keyColumns) {
    const keys = new Set(keyColumns);
    const set = columns.filter((c) => !keys.has(c)).map((c) => `${q(c)} = VALUES(${q(c)})`);
    // Every column is part of the key: nothing to change, the row is left as it is.
    text += ` ON DUPLICATE KEY UPDATE ${set.length ? set.join(', ') : `${q(keyColumns[0])} = ${q(keyColumns[0])}`}`;
  }
  return { text, params: rows.flat(), table };
}

/** One UPDATE of the row whose key columns match `row`'s, setting every other column. */
export function buildMySqlUpdate(table: string, columns: string[], row: SqlText[], keyColumns: string[]): MySqlStatement {
  const keys = new Set(keyColumns);
  const set = columns.flatMap((c, i) => (keys.has(c) ? [] : [{ c, v: row[i] }]));
  const where = keyColumns.map((k) => ({ c: k, v: row[columns.indexOf(k)] }));
  return {
    text: `UPDATE ${q(table, true)} SET ${set.map((s, i) => `${q(s.c)} = $${i + 1}`).join(', ')} WHERE ${where.map((w, i) => `${q(w.c)} = $${set.length + i + 1}`).join(' AND ')}`,
    params: [...set.map((s) => s.v), ...where.map((w) => w.v)],
    table,
  };
}

/** One DELETE of the rows whose `keyColumns` match any of `keys`. Null when there are none. */
export function buildMySqlDeleteByKey(table: string, keyColumns: string[], keys: SqlText[][]): MySqlStatement | null {
  if (keys.length === 0 || keyColumns.length === 0) return null;
  return { text: `DELETE FROM ${q(table, true)} WHERE ${keyCondition(keyColumns, keys.length)}`, params: keys.flat(), table };
}

/** One SELECT of `columns` of the rows whose `keyColumns` match any of `keys`, the key columns first as text (`lf_key_0` …). */
export function buildMySqlSelectByKey(table: string, keyColumns: string[], columns: string[], keys: SqlText[][]): MySqlStatement | null {
  if (keys.length === 0 || keyColumns.length === 0) return null;
  const keyList = keyColumns.map((c, i) => `CAST(${q(c)} AS CHAR) AS lf_key_${i}`);
  return {
    text: `SELECT ${[...keyList, ...columns.map((c) => q(c))].join(', ')} FROM ${q(table, true)} WHERE ${keyCondition(keyColumns, keys.length)}`,
    params: keys.flat(),
    table,
  };
}

function keyCondition(keyColumns: string[], count: number): string {
  return `(${keyColumns.map((c) => q(c)).join(', ')}) IN (${tuples(count, keyColumns.length)})`;
}
