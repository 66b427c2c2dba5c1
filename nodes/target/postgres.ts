/**
 * `target.postgres`: inserts, upserts or updates (update-only: a record whose
 * row is missing fails, naming its key) records in a table, optionally with
 * their lines in a child table, in one transaction per batch. Column values
 * are field paths or `=expressions` (column-values.ts). A header and its
 * lines are never half-posted. When a batch fails on one record's data, the
 * batch is written again record by record (a savepoint each) so that only the
 * bad record fails, permanently, and the others are delivered.
 *
 * With a delivery claim (the engine always gives one), each record's delivery
 * marker is inserted in the same transaction as its rows, and records whose
 * marker is already there are not written again (see delivery-markers.ts):
 * exactly once even in insert mode into a table without a unique key.
 *
 * Its answer (passed on by the `out` port) is the row's key and, with `returning`, those columns
 * read back from the row by the key columns in the same transaction (so also values the database
 * assigns): one SELECT per batch, the same statement shape on Postgres and MySQL/MariaDB.
 */
import { StringEnum, StringMap, Type, type Static } from '../config-schema.ts';
import { defineNode, TARGET_OUT_PORT, type ConfigProblem, type DeliveryClaim, type EarlierDelivery, type SqlClient, type TargetItem, type TargetOutcome } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import type { ExpressionEvaluator } from '../expression/evaluator.ts';
import { compileFieldPath, fieldPathProblem } from '../field-path.ts';
import { COLUMN_VALUE_HELP, columnMapProblems } from './column-values.ts';
import { classifyPgError, isRowLevelSqlState } from './sql-errors.ts';
import { identifierProblem } from './sql-identifiers.ts';
import {
  buildDeleteByKey,
  buildSelectByKey,
  buildInsert,
  buildUpdate,
  compileRowReader,
  readColumnTypes,
  textArrayLiteral,
  type ColumnTypes,
  type SqlText,
  type Statement,
} from './postgres-statements.ts';
import { IdempotencyKey } from './idempotency-config.ts';
import { buildMySqlDeleteByKey, buildMySqlInsert, buildMySqlSelectByKey, buildMySqlUpdate, type MySqlStatement } from './mysql-statements.ts';
import { tableStatistics } from './table-statistics.ts';
import { adoptLegacyMarkers, countMarkers, DELIVERY_MARKER_TABLE, ensureMarkerTable, forgetMarkerTable, insertMarkers, isMissingMarkerTable } from './delivery-markers.ts';

const columnMap = (title: string, description = `Column name → ${COLUMN_VALUE_HELP}`, options = {}) => StringMap({ description, title, ...options });

const linesConfig = Type.Object({
  /** Field path of the array of lines in the record, e.g. `lines`. */
  path: Type.String({ title: 'Lines field', description: 'Field path of the lines array, e.g. lines' }),
  /** Child table, optionally schema-qualified. */
  table: Type.String({ title: 'Lines table' }),
  /** Column ← field path relative to the line (`^path` reads the parent record), or `=expression`. */
  columns: columnMap('Line columns', `Column name → ${COLUMN_VALUE_HELP}; within the line, ^path reads the parent record (e.g. ^invoiceNumber), $parent in an expression`),
  /**
   * Columns of the child table that hold the parent's key, in the order of the
   * parent's `keyColumns`. On upsert the parent's old lines are deleted by them
   * before the new lines are inserted.
   */
  keyColumns: Type.Array(Type.String(), { title: 'Parent key columns', description: "Line columns holding the parent's key, in the order of the parent key columns" }),
}, { title: 'Lines (child table)', additionalProperties: false });

const config = Type.Object({
  /** Name of a `postgres` (SQL) connection the flow declares; its bound URL picks Postgres or MySQL/MariaDB. */
  connection: Type.String({ title: 'Connection', minLength: 1, default: '' }),
  /** Table, optionally schema-qualified (`erp.po_commitment`). */
  table: Type.String({ title: 'Table', description: 'Table name, optionally schema.table', minLength: 1, default: '' }),
  /** `update`: only existing rows (found by the key columns) are changed; a missing row fails the record. */
  mode: StringEnum(['insert', 'upsert', 'update'], {
    title: 'Mode', default: 'upsert',
    description: 'insert: new rows; upsert: insert or update by the key columns; update: only change existing rows (a record whose row is missing fails, naming its key)',
  }),
  /** Conflict target for upsert, row finder for update; also gives the ref stored in the trace (`INV-1`, `INV-1|2`). */
  keyColumns: Type.Array(Type.String(), { title: 'Key columns', default: [] }),
  /** Column ← dotted field path of the record, or `=expression` (a constant: `='reconciled'`). */
  columns: columnMap('Columns', undefined, { default: {} }),
  /** Columns read back from each written row (found by the key columns) and passed on by the `out` port. */
  returning: Type.Optional(Type.Array(Type.String(), {
    title: 'Returned columns',
    description: 'Columns read back from the written row (e.g. a document number the database assigns), passed on by the out port as response.row; needs the key columns',
  })),
  lines: Type.Optional(linesConfig),
  batchSize: Type.Integer({ title: 'Batch size', minimum: 1, maximum: 10000, default: 500 }),
  /** JSONata giving the idempotency key; the engine evaluates it. */
  idempotencyKey: IdempotencyKey,
}, { additionalProperties: false });

export type PostgresLinesConfig = Static<typeof linesConfig>;
export type PostgresTargetConfig = Static<typeof config>;

interface Prepared {
  index: number;
  key: string;
  row: SqlText[];
  keyValues: SqlText[];
  ref?: string;
  lineRows: SqlText[][];
}

/** The returned columns of written rows, by their key text. */
type ReturnedRows = Map<string, Record<string, unknown>>;

/** Column types of the target table and of the lines table. */
interface TableTypes {
  parent: ColumnTypes;
  lines: ColumnTypes;
}

/** Static checks of the config, shared by `check()` and `create()`. */
function configProblems(config: PostgresTargetConfig, evaluator: ExpressionEvaluator | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string | null) => {
    if (message) problems.push({ path, message });
  };
  add('/table', identifierProblem(config.table, 'table', true));
  const columns = Object.keys(config.columns ?? {});
  if (columns.length === 0) add('/columns', 'map at least one column');
  for (const column of columns) add(`/columns/${column}`, identifierProblem(column, 'column'));
  problems.push(...columnMapProblems('/columns', config.columns ?? {}, evaluator));
  const keys = config.keyColumns ?? [];
  if (config.mode === 'upsert' && keys.length === 0) add('/keyColumns', 'upsert needs the key columns that identify a row');
  if (config.mode === 'update') {
    if (keys.length === 0) add('/keyColumns', 'update-only needs the key columns that find the row to update');
    else if (columns.every((c) => keys.includes(c))) add('/columns', 'update-only needs a column to set besides the key columns');
    if (config.lines) add('/lines', 'update-only changes the table\'s own row; write lines in insert or upsert mode');
  }
  keys.forEach((key, i) => {
    if (!columns.includes(key)) add(`/keyColumns/${i}`, `key column '${key}' is not among the mapped columns`);
  });
  const returning = config.returning ?? [];
  returning.forEach((column, i) => {
    add(`/returning/${i}`, identifierProblem(column, 'returned column'));
  });
  if (returning.length > 0 && keys.length === 0) add('/keyColumns', 'returned columns are read back by the key columns: name the columns that identify the written row');
  const lines = config.lines;
  if (lines) {
    add('/lines/path', lines.path ? fieldPathProblem(lines.path) : 'give the field path of the lines array');
    add('/lines/table', identifierProblem(lines.table, 'lines table', true));
    const lineColumns = Object.keys(lines.columns ?? {});
    if (lineColumns.length === 0) add('/lines/columns', 'map at least one line column');
    for (const column of lineColumns) add(`/lines/columns/${column}`, identifierProblem(column, 'line column'));
    problems.push(...columnMapProblems('/lines/columns', lines.columns ?? {}, evaluator, true));
    const lineKeys = lines.keyColumns ?? [];
    lineKeys.forEach((key, i) => {
      if (!lineColumns.includes(key)) add(`/lines/keyColumns/${i}`, `line key column '${key}' is not among the mapped line columns`);
    });
    if (config.mode === 'upsert' && lineKeys.length !== keys.length) {
      add('/lines/keyColumns', `list the ${keys.length} line column(s) holding the parent key (${keys.join(', ')}), in that order, so old lines can be replaced`);
    }
  }
  return problems;
}

function keyText(values: SqlText[]): string {
  return values.map((v) => v ?? '').join('|');
}

// Errors from `exec` already carry the table; anything else (BEGIN, COMMIT) is classified here.
function asFlowError(err: unknown, nodeId: string): FlowError {
  return err instanceof FlowError ? err : classifyPgError(err, { nodeId });
}

// `flat`: the values in placeholder order, when they are not one array per column (MySQL statements); Postgres gets each column's array as its literal.
async function exec(tx: SqlClient, statement: Statement, nodeId: string, flat?: SqlText[]): Promise<Record<string, unknown>[]> {
  try {
    return (await tx.query(statement.text, flat ?? statement.params.map((values) => textArrayLiteral(values)))).rows;
  } catch (err) {
    const first = classifyPgError(err, { table: statement.table, nodeId });
    const column = first.details.field ? undefined : guessColumn(first, statement);
    throw column ? classifyPgError(first, { table: statement.table, nodeId, column }) : first;
  }
}

const TEXT_TYPES = new Set(['text', 'character varying', 'bpchar']);

// Data errors (22xxx) quote the bad value but not its column; find the column by the value.
// A text column cannot refuse a value's syntax, so a typed column holding it is the better guess.
function guessColumn(error: FlowError, statement: Statement): string | undefined {
  if (!error.details.code?.startsWith('22')) return undefined;
  const quoted = /"([^"]*)"/.exec(error.message)?.[1];
  if (quoted === undefined) return undefined;
  const holding = statement.params.flatMap((values, i) => (values.includes(quoted) ? [i] : []));
  const typed = holding.find((i) => !TEXT_TYPES.has(statement.types[i] ?? 'text'));
  const i = typed ?? holding[0];
  return i === undefined ? undefined : statement.columns[i];
}

// Errors of the statement's shape (undefined column, type mismatch): the table may have changed since its types were read.
function isShapeError(err: unknown): boolean {
  return err instanceof FlowError && (err.details.code?.startsWith('42') ?? false) && err.details.code !== '42P01';
}

/** Writes Postgres rows; see the module comment. */
export const postgresTarget = defineNode({
  type: 'target.postgres',
  version: 1,
  title: 'Postgres table',
  description: 'Inserts or upserts records (and their lines) into a Postgres table, one transaction per batch.',
  category: 'target',
  inputs: [{ id: 'in', title: 'Records' }],
  outputs: [TARGET_OUT_PORT],
  config,
  check: configProblems,
  summary(config) {
    const lines = config.lines?.table ? ` + lines ${config.lines.table}` : '';
    return `${config.mode} ${config.table || '(no table)'}${lines}`;
  },
  // The header table: its lines are written with it, in the same transaction.
  deliveryTarget: (config) => ({ connection: config.connection, object: `table:${config.table}` }),
  create(config, setup) {
    const problems = configProblems(config, setup.evaluator);
    if (problems.length > 0) {
      throw new FlowError('permanent', `Postgres target is misconfigured: ${problems.map((p) => p.message).join('; ')}`, {
        nodeId: setup.nodeId,
        field: problems[0].path,
      });
    }
    const nodeId = setup.nodeId;
    const upsert = config.mode === 'upsert';
    const update = config.mode === 'update';
    const compile = (expression: string) => setup.evaluator.compile(expression, { functions: setup.functions });
    const parent = compileRowReader(config.columns, false, compile);
    const keyIndexes = config.keyColumns.map((k) => parent.columns.indexOf(k));
    const lines = config.lines;
    const linesOf = lines ? compileFieldPath(lines.path) : undefined;
    const lineReader = lines ? compileRowReader(lines.columns, true, compile) : undefined;

    async function prepare(item: TargetItem, index: number): Promise<Prepared | FlowError> {
      let row: SqlText[];
      try {
        const read = parent.read(item.data);
        row = read instanceof Promise ? await read : read;
      } catch (err) {
        return toFlowError(err, 'mapping', { nodeId });
      }
      const keyValues = keyIndexes.map((i) => row[i]);
      if (upsert || update) {
        const empty = config.keyColumns.filter((_, i) => keyValues[i] === null);
        if (empty.length > 0) {
          return new FlowError('permanent', `${config.table}: key column ${empty.join(', ')} is empty in this record, so it cannot be ${update ? 'updated' : 'upserted'}`, {
            nodeId,
            field: empty[0],
          });
        }
      }
      const lineRows: SqlText[][] = [];
      if (lines && linesOf && lineReader) {
        const value = linesOf(item.data);
        if (value !== undefined && value !== null && !Array.isArray(value)) {
          return new FlowError('permanent', `${lines.table}: field '${lines.path}' of the record is not a list of lines`, {
            nodeId,
            field: lines.path,
          });
        }
        try {
          for (const line of (value as unknown[] | undefined) ?? []) {
            const read = lineReader.read(line, item.data);
            lineRows.push(read instanceof Promise ? await read : read);
          }
        } catch (err) {
          return toFlowError(err, 'mapping', { nodeId });
        }
      }
      return { index, key: item.key, row, keyValues, ref: keyIndexes.length ? keyText(keyValues) : undefined, lineRows };
    }

    // Upserting one key twice in one statement is an error (21000): later records go to a later round.
    function rounds(batch: Prepared[]): Prepared[][] {
      if (!upsert && !update) return [batch];
      const out: Prepared[][] = [];
      let current: Prepared[] = [];
      let seen = new Set<string>();
      for (const p of batch) {
        const key = JSON.stringify(p.keyValues);
        if (seen.has(key)) {
          out.push(current);
          current = [];
          seen = new Set();
        }
        seen.add(key);
        current.push(p);
      }
      if (current.length) out.push(current);
      return out;
    }

    // The planner's statistics of the written tables, when the database does not keep them (table-statistics.ts).
    const statistics = tableStatistics(lines ? [config.table, lines.table, DELIVERY_MARKER_TABLE] : [config.table, DELIVERY_MARKER_TABLE]);

    // Read once per connection; casts in the statements need them. A table not there yet is not
    // remembered: the INSERT will say it is missing, and it may be created before the next batch.
    const typeCache = new WeakMap<SqlClient, TableTypes>();
    async function tableTypes(sql: SqlClient): Promise<TableTypes> {
      // MySQL/MariaDB statements send text and let the server convert it: no types to read.
      if (sql.dialect === 'mysql') return { parent: new Map(), lines: new Map() };
      const tables = lines ? [config.table, lines.table] : [config.table];
      let found: Map<string, Map<string, string>>;
      try {
        found = await readColumnTypes(sql, tables);
      } catch (err) {
        throw classifyPgError(err, { table: config.table, nodeId });
      }
      const types = { parent: found.get(config.table) ?? new Map(), lines: (lines && found.get(lines.table)) || new Map() };
      if (tables.every((t) => found.has(t))) typeCache.set(sql, types);
      return types;
    }

    // One INSERT per table and round, and one DELETE of the old lines, whatever the batch size.
    async function writeRows(tx: SqlClient, batch: Prepared[], types: TableTypes): Promise<void> {
      for (const round of rounds(batch)) {
        if (tx.dialect === 'mysql') {
          await writeMySqlRows(tx, round);
          continue;
        }
        if (update) {
          await updateRows(tx, round, types);
          continue;
        }
        const statements = [buildInsert(config.table, parent.columns, types.parent, round.map((p) => p.row), upsert ? config.keyColumns : undefined)];
        if (lines && lineReader) {
          if (upsert) statements.push(buildDeleteByKey(lines.table, lines.keyColumns, types.lines, round.map((p) => p.keyValues)));
          statements.push(buildInsert(lines.table, lineReader.columns, types.lines, round.flatMap((p) => p.lineRows)));
        }
        for (const statement of statements) if (statement) await exec(tx, statement, nodeId);
      }
    }

    // The same writes in the MySQL/MariaDB dialect (mysql-statements.ts); update-only is one UPDATE per record.
    async function writeMySqlRows(tx: SqlClient, round: Prepared[]): Promise<void> {
      const run = (statement: MySqlStatement | null) => (statement ? exec(tx, { ...statement, params: statement.params.map((v) => [v]), columns: [], types: [] }, nodeId, statement.params) : undefined);
      if (update) {
        for (const p of round) {
          const statement = buildMySqlUpdate(config.table, parent.columns, p.row, config.keyColumns);
          const { rowCount } = await tx.query(statement.text, statement.params).catch((err) => { throw classifyPgError(err, { table: config.table, nodeId }); });
          if (!rowCount) throw missingRow(p);
        }
        return;
      }
      await run(buildMySqlInsert(config.table, parent.columns, round.map((p) => p.row), upsert ? config.keyColumns : undefined));
      if (lines && lineReader) {
        if (upsert) await run(buildMySqlDeleteByKey(lines.table, lines.keyColumns, round.map((p) => p.keyValues)));
        await run(buildMySqlInsert(lines.table, lineReader.columns, round.flatMap((p) => p.lineRows)));
      }
    }

    function missingRow(missing: Prepared): FlowError {
      const key = config.keyColumns.map((k, i) => `${k} = ${missing.keyValues[i]}`).join(', ');
      return new FlowError('permanent', `${config.table} has no row with ${key} to update (update-only mode): the record was not written`, {
        nodeId, code: 'P0002', field: config.keyColumns[0],
      });
    }

    // Update-only: a record whose row is not there fails with its key named (P0002, so a batch is retried record by record).
    async function updateRows(tx: SqlClient, round: Prepared[], types: TableTypes): Promise<void> {
      const statement = buildUpdate(config.table, parent.columns, types.parent, round.map((p) => p.row), config.keyColumns);
      if (!statement) return;
      const found = new Set((await exec(tx, statement, nodeId)).map((r) => keyText(Object.values(r) as SqlText[])));
      const missing = round.find((p) => !found.has(keyText(p.keyValues)));
      if (missing) throw missingRow(missing);
    }

    // The answer passed on by the `out` port: the row's key and its returned columns.
    const delivered = (p: Prepared, earlier: EarlierDelivery | undefined, returned: ReturnedRows | undefined): TargetOutcome => ({
      ok: true, ...(p.ref !== undefined ? { ref: p.ref } : {}), ...(earlier ? { earlier } : {}),
      answer: { ...(p.ref !== undefined ? { key: p.ref } : {}), ...(returned ? { row: returned.get(keyText(p.keyValues)) ?? null } : {}) },
    });

    // The `returning` columns of the batch's rows, by key text, as JSON gives them (the ledger keeps them so).
    async function readBack(tx: SqlClient, batch: Prepared[], types: TableTypes): Promise<ReturnedRows | undefined> {
      const returning = config.returning ?? [];
      if (returning.length === 0 || batch.length === 0) return undefined;
      const keys = batch.map((p) => p.keyValues);
      const rows = tx.dialect === 'mysql'
        ? await readMySqlRows(tx, keys)
        : await exec(tx, buildSelectByKey(config.table, config.keyColumns, returning, types.parent, keys)!, nodeId);
      const byKey: ReturnedRows = new Map();
      for (const row of rows) {
        const key = keyText(config.keyColumns.map((_, i) => row[`lf_key_${i}`] as SqlText));
        byKey.set(key, JSON.parse(JSON.stringify(Object.fromEntries(returning.map((c) => [c, row[c] ?? null])))));
      }
      return byKey;
    }

    async function readMySqlRows(tx: SqlClient, keys: SqlText[][]): Promise<Record<string, unknown>[]> {
      const statement = buildMySqlSelectByKey(config.table, config.keyColumns, config.returning ?? [], keys)!;
      return (await tx.query(statement.text, statement.params).catch((err) => { throw classifyPgError(err, { table: config.table, nodeId }); })).rows;
    }

    // Markers first, in the caller's transaction: only records whose marker is new are written.
    async function unmarked(tx: SqlClient, batch: Prepared[], claim: DeliveryClaim | undefined, earlier: Map<string, EarlierDelivery>): Promise<Prepared[]> {
      if (!claim) return batch;
      const marked = await insertMarkers(tx, claim, batch.map((p) => p.key));
      for (const [key, how] of marked.earlier) earlier.set(key, how);
      return batch.filter((p) => marked.fresh.has(p.key));
    }

    // The whole batch in one transaction; when one record's data breaks it, record by record.
    async function deliver(sql: SqlClient, batch: Prepared[], types: TableTypes, outcomes: TargetOutcome[], claim?: DeliveryClaim): Promise<void> {
      try {
        const earlier = new Map<string, EarlierDelivery>();
        const returned = await sql.transaction(async (tx) => {
          await writeRows(tx, await unmarked(tx, batch, claim, earlier), types);
          return readBack(tx, batch, types);
        });
        for (const p of batch) outcomes[p.index] = delivered(p, earlier.get(p.key), returned);
        return;
      } catch (err) {
        const error = asFlowError(err, nodeId);
        if (error.errorClass === 'transient' || !isRowLevelSqlState(error.details.code)) throw error;
        if (batch.length === 1) {
          outcomes[batch[0].index] = { ok: false, error };
          return;
        }
      }
      await writeOneByOne(sql, batch, types, outcomes, claim);
    }

    async function writeOneByOne(sql: SqlClient, batch: Prepared[], types: TableTypes, outcomes: TargetOutcome[], claim?: DeliveryClaim): Promise<void> {
      await sql.transaction(async (tx) => {
        for (const p of batch) {
          await tx.query('SAVEPOINT ledgerflow_item');
          try {
            // A refused record's marker goes with its rows, back to the savepoint.
            const earlier = new Map<string, EarlierDelivery>();
            await writeRows(tx, await unmarked(tx, [p], claim, earlier), types);
            const returned = await readBack(tx, [p], types);
            await tx.query('RELEASE SAVEPOINT ledgerflow_item');
            outcomes[p.index] = delivered(p, earlier.get(p.key), returned);
          } catch (err) {
            const error = asFlowError(err, nodeId);
            if (error.errorClass === 'transient') throw error;
            await tx.query('ROLLBACK TO SAVEPOINT ledgerflow_item');
            outcomes[p.index] = { ok: false, error };
          }
        }
      });
    }

    return {
      batchSize: config.batchSize,
      recordsDeliveries: true,
      countDelivered: (claim, ctx) => countMarkers(ctx.connections.sql(config.connection), claim),
      async write(items, ctx, claim) {
        const sql = ctx.connections.sql(config.connection);
        const outcomes: TargetOutcome[] = new Array(items.length);
        const batch: Prepared[] = [];
        for (let i = 0; i < items.length; i++) {
          const p = await prepare(items[i], i);
          if (p instanceof FlowError) outcomes[i] = { ok: false, error: p };
          else batch.push(p);
        }
        if (batch.length === 0) return outcomes;
        if (claim) {
          await ensureMarkerTable(sql, nodeId);
          await adoptLegacyMarkers(sql, claim);
        }
        const cached = typeCache.get(sql);
        try {
          await deliver(sql, batch, cached ?? (await tableTypes(sql)), outcomes, claim);
        } catch (err) {
          if (claim && isMissingMarkerTable(err)) {
            // Dropped since it was checked: create it again, try once more.
            forgetMarkerTable(sql);
            await ensureMarkerTable(sql, nodeId);
            await deliver(sql, batch, await tableTypes(sql), outcomes, claim);
            return outcomes;
          }
          if (!cached || !isShapeError(err)) throw err;
          // The table changed since its types were read (a column added or retyped): read them again, try once more.
          typeCache.delete(sql);
          await deliver(sql, batch, await tableTypes(sql), outcomes, claim);
        }
        // Not awaited: the check runs beside the next batch (table-statistics.ts).
        void statistics.written(sql, batch.length);
        return outcomes;
      },
    };
  },
});
