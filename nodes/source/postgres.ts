/**
 * `source.postgres`: reads rows of a SELECT query from a named Postgres
 * connection. With a watermark column it reads only rows newer than the last
 * committed watermark, in pages ordered by that column (keyset paging), and
 * proposes the largest value seen as the next watermark; the runtime commits
 * it only when the run succeeds.
 *
 * The query runs wrapped as a subquery, in a read-only transaction per page,
 * so it can only read. `$1` is the watermark; the wrapper also filters on it,
 * but writing `WHERE col > $1` in the query lets Postgres use an index.
 * Rows whose watermark column is NULL are never read in watermark mode.
 * Without a watermark column the query is read once, whole.
 * Given an input document (a sample: the rows as a JSON list, as the designer
 * and the example flows' golden tests use), its rows are read instead; the
 * database is not called.
 */
import { Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type SqlClient } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { readOnlyQuery } from './read-only-query.ts';
import { identifierProblem, quoteIdentifier } from '../target/sql-identifiers.ts';
import { countSqlStatements, splitSqlStatements } from './sql-statements.ts';

const config = Type.Object({
  /** Name of a `postgres` (SQL) connection the flow declares; its bound URL picks Postgres or MySQL/MariaDB. */
  connection: Type.String({ title: 'Connection', minLength: 1, default: '' }),
  /** SELECT or WITH query; `$1` is the watermark when `watermarkColumn` is set. */
  query: Type.String({ title: 'Query', description: 'SELECT … WHERE updated_at > $1 ($1 is the watermark)', minLength: 1, default: '' }),
  /** Result column that only grows (updated_at, id); absent: read everything each run. */
  watermarkColumn: Type.Optional(Type.String({ title: 'Watermark column', description: 'A result column that only grows, e.g. updated_at' })),
  /** Watermark of the first run: `1970-01-01T00:00:00Z` for timestamps, `0` for numbers. */
  initialWatermark: Type.String({ title: 'First watermark', default: '1970-01-01T00:00:00Z' }),
  /** Rows per page in watermark mode. */
  batchSize: Type.Integer({ title: 'Rows per page', minimum: 1, maximum: 100000, default: 1000 }),
  /** Longest a page's query may run before the database cancels it. */
  timeoutSeconds: Type.Integer({ title: 'Query time limit (s)', minimum: 1, maximum: 3600, default: 300 }),
}, { additionalProperties: false });

export type PostgresSourceConfig = Static<typeof config>;

// A column name the user's query is unlikely to produce; carries the exact text of the watermark value.
const MARK = '__ledgerflow_watermark';

/** The query's one statement, without comments, surrounding blanks or a trailing semicolon. */
function cleanQuery(query: string): string {
  return splitSqlStatements(query).join(';\n');
}

function leadingKeyword(query: string): string {
  return (/^\s*([A-Za-z]+)/.exec(query)?.[1] ?? '').toUpperCase();
}

function configProblems(config: PostgresSourceConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const query = cleanQuery(config.query ?? '');
  const statements = countSqlStatements(config.query ?? '');
  if (query === '') {
    problems.push({ path: '/query', message: 'write the SELECT query to read' });
  } else if (statements > 1) {
    problems.push({ path: '/query', message: `the query holds ${statements} statements separated by ';': a source runs exactly one SELECT` });
  } else {
    const keyword = leadingKeyword(query);
    if (keyword !== 'SELECT' && keyword !== 'WITH') {
      problems.push({ path: '/query', message: `only SELECT or WITH queries can be used as a source (this one starts with ${keyword || 'something else'})` });
    }
    const params = [...query.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    if (params.some((n) => n !== 1)) problems.push({ path: '/query', message: 'only $1 (the watermark) may be used as a parameter' });
    if (config.watermarkColumn && !params.includes(1)) {
      problems.push({
        path: '/query',
        code: 'watermark-parameter-missing',
        message: `the query should filter with WHERE ${config.watermarkColumn} > $1 so only new rows are read (and an index can be used)`,
      });
    }
    if (!config.watermarkColumn && params.includes(1)) {
      problems.push({ path: '/watermarkColumn', message: 'the query uses $1 but no watermark column is set' });
    }
  }
  if (config.watermarkColumn) {
    const problem = identifierProblem(config.watermarkColumn, 'watermark column');
    if (problem) problems.push({ path: '/watermarkColumn', message: problem });
  }
  return problems;
}

// Records stay plain JSON: dates as ISO text (drivers may hand back Date objects).
function normalise(row: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(row)) {
    const value = row[key];
    if (value instanceof Date) row[key] = value.toISOString();
  }
  return row;
}

/** Reads rows from Postgres; see the module comment. */
export const postgresSource = defineNode({
  type: 'source.postgres',
  version: 1,
  title: 'Postgres query',
  description: 'Reads rows of a SELECT query; with a watermark column, only rows newer than the last run.',
  category: 'source',
  inputs: [],
  outputs: [{ id: 'out', title: 'Rows' }],
  config,
  check: configProblems,
  summary(config) {
    return config.watermarkColumn ? `query ${config.connection}, new rows by ${config.watermarkColumn}` : `query ${config.connection}`;
  },
  create(config, setup) {
    // Only the hard errors stop the run; a missing $1 still reads correctly through the wrapper's filter.
    const problems = configProblems(config).filter((p) => p.code !== 'watermark-parameter-missing');
    if (problems.length > 0) {
      throw new FlowError('permanent', `Postgres source is misconfigured: ${problems.map((p) => p.message).join('; ')}`, {
        nodeId: setup.nodeId,
        field: problems[0].path,
      });
    }
    const nodeId = setup.nodeId;
    const query = cleanQuery(config.query);
    const column = config.watermarkColumn ? quoteIdentifier(config.watermarkColumn) : undefined;

    const timeoutMs = (config.timeoutSeconds ?? 300) * 1000;
    const readOnly = (sql: SqlClient, text: string, params: unknown[]) => readOnlyQuery(sql, text, params, { timeoutMs, nodeId });

    async function* readAll(sql: SqlClient): AsyncIterable<unknown> {
      const rows = await readOnly(sql, `SELECT * FROM (\n${query}\n) AS source_query`, []);
      for (const row of rows) yield normalise(row);
    }

    async function* readNew(sql: SqlClient, watermark: string, propose: (value: string) => void): AsyncIterable<unknown> {
      const mysql = sql.dialect === 'mysql';
      const col = mysql ? quoteIdentifier(config.watermarkColumn!, false, 'mysql') : column!;
      const text = mysql ? `CAST(q.${col} AS CHAR)` : `q.${col}::text`;
      // The inner query may or may not reference $1; the outer filter always does, so one parameter fits both.
      const select = `SELECT q.*, ${text} AS ${MARK} FROM (\n${query}\n) AS q`;
      const page = `${select} WHERE q.${col} > $1 ORDER BY q.${col} LIMIT ${config.batchSize}`;
      const ties = `${select} WHERE q.${col} > $1 AND q.${col} = $2`;
      let after = watermark;
      let last: string | undefined;
      for (;;) {
        const rows = await readOnly(sql, page, [after]);
        if (rows.length === 0) break;
        let batch = rows;
        if (rows.length === config.batchSize) {
          // A full page may cut a group of equal watermark values in two; read that whole group separately.
          const edge = rows[rows.length - 1][MARK] as string;
          batch = rows.filter((r) => r[MARK] !== edge);
          batch.push(...(await readOnly(sql, ties, [after, edge])));
        }
        for (const row of batch) {
          last = row[MARK] as string;
          delete row[MARK];
          yield normalise(row);
        }
        if (rows.length < config.batchSize) break;
        after = last!;
      }
      if (last !== undefined) propose(last);
    }

    return {
      async *read(ctx) {
        if (ctx.input) {
          const { parseDocument } = await import('../formats/parse-document.ts');
          yield* parseDocument(ctx.input.chunks(), ctx.input.name, { format: 'json', json: { exactNumbers: true } });
          return;
        }
        const sql = ctx.connections.sql(config.connection);
        if (!column) {
          yield* readAll(sql);
          return;
        }
        yield* readNew(sql, ctx.watermark ?? config.initialWatermark, (value) => ctx.proposeWatermark(value));
      },
    };
  },
});
