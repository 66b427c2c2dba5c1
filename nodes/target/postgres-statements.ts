/**
 * Builds the parameterised statements of the Postgres target: column mappings
 * compiled once into row readers, multi-row INSERT / upsert and DELETE by key,
 * split so that no statement exceeds Postgres's parameter limit.
 */
import { compileFieldPath, type FieldGetter } from '../field-path.ts';
import { quoteIdentifier } from './sql-identifiers.ts';

/** Postgres accepts at most 65535 bind parameters per statement (a 16-bit count). */
export const MAX_PARAMS = 65535;

export interface Statement {
  text: string;
  params: unknown[];
  /** Table label for messages. */
  table: string;
  /** Column of each parameter position, modulo the row width (for naming a bad value). */
  columns: string[];
}

/** Reads one row (in column order) from a record and, for line rows, its parent. */
export interface RowReader {
  columns: string[];
  read(record: unknown, parent?: unknown): unknown[];
}

/**
 * Compiles `column ← field path` mappings. With `parentPrefix`, a path starting
 * with `^` reads from the parent record instead (`^invoiceNumber`).
 */
export function compileRowReader(mapping: Record<string, string>, parentPrefix = false): RowReader {
  const columns = Object.keys(mapping);
  const getters: { fromParent: boolean; get: FieldGetter }[] = columns.map((column) => {
    const path = mapping[column];
    const fromParent = parentPrefix && path.startsWith('^');
    return { fromParent, get: compileFieldPath(fromParent ? path.slice(1) : path) };
  });
  return {
    columns,
    read(record, parent) {
      const row = new Array<unknown>(getters.length);
      for (let i = 0; i < getters.length; i++) {
        const g = getters[i];
        row[i] = toSqlParam(g.get(g.fromParent ? parent : record));
      }
      return row;
    },
  };
}

/**
 * A record value as a bind parameter: objects and arrays as JSON text (never
 * Postgres array literals), dates as ISO text, bigints as text, undefined as NULL.
 */
export function toSqlParam(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      if (value instanceof Date) return value.toISOString();
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

function placeholders(rowCount: number, width: number, offset = 0): string {
  const rows: string[] = [];
  let n = offset;
  for (let r = 0; r < rowCount; r++) {
    const cells: string[] = [];
    for (let c = 0; c < width; c++) cells.push(`$${++n}`);
    rows.push(`(${cells.join(', ')})`);
  }
  return rows.join(', ');
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Multi-row INSERT statements for `rows`; with `conflictColumns`, an upsert
 * (`ON CONFLICT … DO UPDATE` of every other column, or `DO NOTHING` when every
 * column is part of the key).
 */
export function buildInserts(table: string, columns: string[], rows: unknown[][], conflictColumns?: string[]): Statement[] {
  if (rows.length === 0) return [];
  const target = quoteIdentifier(table, true);
  const columnList = columns.map((c) => quoteIdentifier(c)).join(', ');
  let suffix = '';
  if (conflictColumns && conflictColumns.length > 0) {
    const keys = new Set(conflictColumns);
    const updates = columns.filter((c) => !keys.has(c)).map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`);
    const conflict = conflictColumns.map((c) => quoteIdentifier(c)).join(', ');
    suffix = ` ON CONFLICT (${conflict}) ${updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
  }
  const rowsPerStatement = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, columns.length)));
  return chunk(rows, rowsPerStatement).map((part) => ({
    text: `INSERT INTO ${target} (${columnList}) VALUES ${placeholders(part.length, columns.length)}${suffix}`,
    params: part.flat(),
    table,
    columns,
  }));
}

/** DELETE statements removing the rows whose `keyColumns` match any of `keys` (tuples in column order). */
export function buildDeletesByKey(table: string, keyColumns: string[], keys: unknown[][]): Statement[] {
  if (keys.length === 0 || keyColumns.length === 0) return [];
  const target = quoteIdentifier(table, true);
  const width = keyColumns.length;
  const left = width === 1 ? quoteIdentifier(keyColumns[0]) : `(${keyColumns.map((c) => quoteIdentifier(c)).join(', ')})`;
  const keysPerStatement = Math.max(1, Math.floor(MAX_PARAMS / width));
  return chunk(keys, keysPerStatement).map((part) => {
    const list =
      width === 1 ? part.map((_, i) => `$${i + 1}`).join(', ') : placeholders(part.length, width);
    return {
      text: `DELETE FROM ${target} WHERE ${left} IN (${list})`,
      params: part.flat(),
      table,
      columns: keyColumns,
    };
  });
}
