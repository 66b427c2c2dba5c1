/**
 * A table target's configuration against the tables of a real database (as
 * its information_schema describes them): the table and every mapped, key
 * and returned column must exist, and a constant value (`='open'`, `=0`)
 * must fit its column's type — an integer column refuses 12.5, numeric(18,2)
 * would round 1.005, varchar(3) cannot hold 'EURO'. Values read from the
 * record are checked the same way against the records a sample run
 * delivers to the target (record-fit.ts). Browser-safe: the server checks before deploy, the
 * designer in the problems panel.
 */
import Decimal from 'decimal.js';
import { EXPRESSION_PREFIX } from './column-values.ts';

/** The node types that write rows into a table of a SQL connection, checked against its database. */
export const TABLE_TARGET_TYPES: readonly string[] = ['target.postgres'];

export interface DatabaseColumn {
  name: string;
  /** information_schema's data_type, lower case (`integer`, `numeric`, `character varying`, `date`, `jsonb`). */
  type: string;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
  nullable: boolean;
  hasDefault: boolean;
}

export interface DatabaseTable {
  schema: string;
  name: string;
  columns: DatabaseColumn[];
}

/** The table a target's `table` (optionally `schema.table`) names, looked up as the database would. */
export function findTable(tables: readonly DatabaseTable[], searchPath: readonly string[], qualified: string): DatabaseTable | undefined {
  const [schema, name] = qualified.includes('.') ? qualified.split('.', 2) : [undefined, qualified];
  const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');
  if (schema !== undefined) return tables.find((t) => t.schema === unquote(schema) && t.name === unquote(name));
  for (const s of searchPath) {
    const found = tables.find((t) => t.schema === s && t.name === unquote(name));
    if (found) return found;
  }
  return undefined;
}

const INTEGER_RANGE: Record<string, [string, string]> = {
  smallint: ['-32768', '32767'], integer: ['-2147483648', '2147483647'], int: ['-2147483648', '2147483647'], mediumint: ['-8388608', '8388607'],
  bigint: ['-9223372036854775808', '9223372036854775807'], tinyint: ['-128', '127'],
};
const TEXT = /^(text|character varying|varchar|character|char|bpchar|tinytext|mediumtext|longtext|citext|name)$/;
const DECIMAL = /^(numeric|decimal)$/;
const FLOAT = /^(real|double precision|double|float)$/;
const JSON_TYPES = /^(json|jsonb)$/;
const DATE = /^date$/;
const TIMESTAMP = /^(timestamp.*|datetime)$/;

/** How a value that does not fit is shown: masked (`***`) when it comes from a sensitive field of the record. */
export const MASKED_VALUE = '***';

const describeValue = (value: unknown) => (typeof value === 'string' ? `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'` : JSON.stringify(value));

function typeName(c: DatabaseColumn): string {
  if (DECIMAL.test(c.type) && c.precision !== null) return `${c.type}(${c.precision},${c.scale ?? 0})`;
  if (TEXT.test(c.type) && c.maxLength !== null) return `${c.type}(${c.maxLength})`;
  return c.type;
}

function asDecimal(value: unknown): Decimal | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  try {
    const d = new Decimal(typeof value === 'string' ? value.trim() : value);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/**
 * Why column `c` cannot hold `value` as written (null and undefined: only a NOT NULL column without default refuses
 * them), or null. With `masked` the message never shows the value (nor what it would round to), only why.
 */
export function valueFitProblem(value: unknown, c: DatabaseColumn, options: { masked?: boolean } = {}): string | null {
  const type = typeName(c);
  const describe = (v: unknown) => (options.masked ? MASKED_VALUE : describeValue(v));
  if (value === null || value === undefined) return c.nullable || c.hasDefault ? null : `${type} NOT NULL cannot hold null`;
  if (JSON_TYPES.test(c.type)) return null;
  if (typeof value === 'object') return `${type} cannot hold ${Array.isArray(value) ? 'a list' : 'an object'}; map one value (or write to a json column)`;
  const range = INTEGER_RANGE[c.type];
  if (range) {
    const d = asDecimal(value);
    if (!d?.isInteger()) return `${type} cannot hold ${describe(value)}: not a whole number`;
    if (d.lt(range[0]) || d.gt(range[1])) return `${type} cannot hold ${describe(value)}: out of range`;
    return null;
  }
  if (DECIMAL.test(c.type)) {
    const d = asDecimal(value);
    if (!d) return `${type} cannot hold ${describe(value)}: not a number`;
    if (c.precision !== null) {
      const scale = c.scale ?? 0;
      if (d.decimalPlaces() > scale) return `${type} would round ${describe(value)} to ${options.masked ? MASKED_VALUE : d.toDecimalPlaces(scale).toFixed(scale)}: it keeps ${scale} decimal(s)`;
      if (d.abs().trunc().toFixed(0).replace(/^0$/, '').length > c.precision - scale) return `${type} cannot hold ${describe(value)}: more than ${c.precision - scale} digit(s) before the decimal point`;
    }
    return null;
  }
  if (FLOAT.test(c.type)) return asDecimal(value) ? null : `${type} cannot hold ${describe(value)}: not a number`;
  if (c.type === 'boolean') return typeof value === 'boolean' || /^(true|false|t|f|0|1|yes|no)$/i.test(String(value)) ? null : `${type} cannot hold ${describe(value)}`;
  if (DATE.test(c.type)) return /^\d{4}-\d{2}-\d{2}$/.test(String(value)) && !Number.isNaN(Date.parse(String(value))) ? null : `${type} cannot hold ${describe(value)}: not a date (YYYY-MM-DD)`;
  if (TIMESTAMP.test(c.type)) return /^\d{4}-\d{2}-\d{2}/.test(String(value)) && !Number.isNaN(Date.parse(String(value))) ? null : `${type} cannot hold ${describe(value)}: not a date and time`;
  if (c.type === 'uuid') return /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(String(value)) ? null : `${type} cannot hold ${describe(value)}: not a UUID`;
  if (TEXT.test(c.type) && c.maxLength !== null && String(value).length > c.maxLength) return `${type} cannot hold ${describe(value)}: ${String(value).length} characters, at most ${c.maxLength}`;
  return null;
}

/** The value of a column map entry written as a constant (`='open'`, `=12.50`, `=true`, `=null`); undefined for a field path or a computation. */
export function constantValue(text: string): { value: unknown } | undefined {
  if (!text.startsWith(EXPRESSION_PREFIX)) return undefined;
  const e = text.slice(EXPRESSION_PREFIX.length).trim();
  if (/^'[^'\\]*'$/.test(e)) return { value: e.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(e) || /^"([^"\\]|\\.)*"$/.test(e) || /^(true|false|null)$/.test(e)) return { value: JSON.parse(e) };
  return undefined;
}

/** One finding of a table target against a database: at a config path, in words. */
export interface TableFinding {
  path: string;
  message: string;
}

/** The part of a table target's config checked against the database (target.postgres). */
export interface TableTargetShape {
  table: string;
  /** `update` changes existing rows: their other columns need no value. */
  mode?: string;
  columns: Record<string, string>;
  keyColumns?: string[];
  returning?: string[];
  lines?: { table: string; columns: Record<string, string>; keyColumns?: string[] };
}

function tableFindings(base: string, tables: readonly DatabaseTable[], searchPath: readonly string[], table: string, columns: Record<string, string>, others: [string, string[]][], where: string, updateOnly = false): TableFinding[] {
  if (!table) return [];
  const found = findTable(tables, searchPath, table);
  if (!found) return [{ path: `${base}/table`, message: `table ${table} does not exist in ${where}` }];
  const findings: TableFinding[] = [];
  const byName = new Map(found.columns.map((c) => [c.name, c]));
  for (const [name, value] of Object.entries(columns ?? {})) {
    const column = byName.get(name);
    if (!column) {
      findings.push({ path: `${base}/columns/${name}`, message: `column ${name} does not exist in table ${table} (${where})` });
      continue;
    }
    const constant = typeof value === 'string' ? constantValue(value) : undefined;
    const problem = constant && valueFitProblem(constant.value, column);
    if (problem) findings.push({ path: `${base}/columns/${name}`, message: `column ${name} of ${table}: ${problem}` });
  }
  for (const [field, names] of others) {
    names.forEach((name, i) => {
      if (!byName.has(name)) findings.push({ path: `${base}/${field}/${i}`, message: `column ${name} does not exist in table ${table} (${where})` });
    });
  }
  const mapped = new Set(Object.keys(columns ?? {}));
  if (!updateOnly) for (const c of found.columns) {
    if (!c.nullable && !c.hasDefault && !mapped.has(c.name)) findings.push({ path: `${base}/columns`, message: `column ${c.name} of ${table} is NOT NULL without a default, but no value is mapped to it` });
  }
  return findings;
}

/** Every finding of a table target's config against `tables` (described as `where`, e.g. "ap in dev"). */
export function tableTargetFindings(config: TableTargetShape, tables: readonly DatabaseTable[], searchPath: readonly string[], where: string): TableFinding[] {
  const findings = tableFindings('', tables, searchPath, config.table, config.columns, [['keyColumns', config.keyColumns ?? []], ['returning', config.returning ?? []]], where, config.mode === 'update');
  if (config.lines) findings.push(...tableFindings('/lines', tables, searchPath, config.lines.table, config.lines.columns, [['keyColumns', config.lines.keyColumns ?? []]], where));
  return findings;
}
