/**
 * The tables and columns of a flow's target database, read from its
 * information_schema (Postgres, PGlite, MySQL/MariaDB) — read only: on
 * Postgres inside a READ ONLY transaction, and never more than a SELECT. The
 * inspector's table and column picker and the checks before deploy
 * (runtime/app/target-schema-check.ts) use it.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import type { DatabaseColumn, DatabaseTable } from '../../nodes/target/column-fit.ts';

/** The tables of one database, as its information_schema lists them. */
export interface TargetSchema {
  dialect: 'postgres' | 'mysql';
  /** The schemas an unqualified table name is looked up in (Postgres search_path; MySQL: the connection's database). */
  searchPath: string[];
  tables: DatabaseTable[];
  /** More columns than `limit`: the list stops there. */
  truncated: boolean;
}

/** Columns read at most (a picker over a large ERP database stays small). */
export const SCHEMA_COLUMN_LIMIT = 20_000;

interface ColumnRow {
  schema: string;
  table: string;
  column: string;
  type: string;
  max_length: number | string | null;
  precision: number | string | null;
  scale: number | string | null;
  nullable: string;
  has_default: boolean | number | string | null;
}

const num = (v: number | string | null): number | null => (v === null || v === undefined ? null : Number(v));

function tablesOf(rows: ColumnRow[]): DatabaseTable[] {
  const tables = new Map<string, DatabaseTable>();
  for (const r of rows) {
    const key = `${r.schema}.${r.table}`;
    let table = tables.get(key);
    if (!table) tables.set(key, (table = { schema: r.schema, name: r.table, columns: [] }));
    const column: DatabaseColumn = {
      name: r.column, type: String(r.type).toLowerCase(), maxLength: num(r.max_length), precision: num(r.precision), scale: num(r.scale),
      nullable: String(r.nullable).toUpperCase() === 'YES', hasDefault: r.has_default === true || r.has_default === 1 || r.has_default === '1' || r.has_default === 't',
    };
    table.columns.push(column);
  }
  return [...tables.values()];
}

const POSTGRES_COLUMNS = `select c.table_schema as "schema", c.table_name as "table", c.column_name as "column",
        case when c.data_type = 'USER-DEFINED' then c.udt_name else c.data_type end as "type",
        c.character_maximum_length as "max_length", c.numeric_precision as "precision", c.numeric_scale as "scale",
        c.is_nullable as "nullable", (c.column_default is not null or c.is_identity = 'YES') as "has_default"
   from information_schema.columns c
  where c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg\\_toast%'
  order by c.table_schema, c.table_name, c.ordinal_position
  limit $1`;

const MYSQL_COLUMNS = `select table_schema as \`schema\`, table_name as \`table\`, column_name as \`column\`,
        column_type as \`type\`, character_maximum_length as max_length, numeric_precision as \`precision\`, numeric_scale as \`scale\`,
        is_nullable as nullable, (column_default is not null or extra like '%auto_increment%') as has_default
   from information_schema.columns
  where table_schema = database()
  order by table_name, ordinal_position
  limit $1`;

/** Reads every table and column `sql` can see (system schemas left out), at most SCHEMA_COLUMN_LIMIT columns. */
export async function readTargetSchema(sql: SqlClient, limit = SCHEMA_COLUMN_LIMIT): Promise<TargetSchema> {
  if (sql.dialect === 'mysql') {
    const { rows } = await sql.query<ColumnRow>(MYSQL_COLUMNS, [limit + 1]);
    const { rows: db } = await sql.query<{ name: string | null }>('select database() as name');
    return { dialect: 'mysql', searchPath: db[0]?.name ? [db[0].name] : [], tables: tablesOf(rows.slice(0, limit).map(mysqlType)), truncated: rows.length > limit };
  }
  return sql.transaction(async (tx) => {
    await tx.query('set transaction read only');
    const { rows } = await tx.query<ColumnRow>(POSTGRES_COLUMNS, [limit + 1]);
    const { rows: path } = await tx.query<{ schemas: string[] | string }>('select current_schemas(false) as schemas');
    const schemas = path[0]?.schemas ?? [];
    return { dialect: 'postgres' as const, searchPath: Array.isArray(schemas) ? schemas : String(schemas).replace(/^\{|\}$/g, '').split(',').filter(Boolean), tables: tablesOf(rows.slice(0, limit)), truncated: rows.length > limit };
  });
}

// MySQL's column_type carries the length and sign (`varchar(20)`, `int unsigned`, `tinyint(1)`): keep the base type, like Postgres's data_type.
function mysqlType(row: ColumnRow): ColumnRow {
  const type = String(row.type).toLowerCase();
  const base = type.replace(/\(.*?\)/, '').trim();
  return { ...row, type: base === 'tinyint' && type.startsWith('tinyint(1)') ? 'boolean' : base };
}
