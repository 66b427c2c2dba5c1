/**
 * The values records give a table target's columns, against the columns'
 * types in a real database: each record reaching the target (in a sample's
 * dry run) is read through the node's column map — field paths, `^parent`
 * paths and expressions, as the target reads it when it writes — and every
 * value is checked with column-fit.ts's `valueFitProblem`. One finding per
 * column that cannot hold what the sample gives it: the first value that does
 * not fit (masked when it comes from a sensitive field) and how many records
 * fail. Constant values and missing columns are column-fit.ts's
 * `tableTargetFindings`; they are not repeated here. Browser-safe.
 */
import type { CompiledExpression } from '../expression/evaluator.ts';
import { compileFieldPath } from '../field-path.ts';
import { compileColumnValue, type ColumnGetter } from './column-values.ts';
import { constantValue, findTable, valueFitProblem, type DatabaseColumn, type DatabaseTable, type TableTargetShape } from './column-fit.ts';

/** A table target's config as read for its records' values (target.postgres). */
export interface RecordTargetShape extends TableTargetShape {
  lines?: TableTargetShape['lines'] & { path: string };
}

/** One column that cannot hold what the records give it. */
export interface RecordFitFinding {
  /** Where the column is in the node's config (`/columns/code`, `/lines/columns/amount`). */
  path: string;
  table: string;
  column: string;
  /** Why, naming the column's type and the first value that does not fit (`character(3) cannot hold 'ABCD…': …`). */
  problem: string;
  /** Records whose value (or one of whose lines' values) does not fit. */
  failing: number;
  /** Records read. */
  records: number;
}

const segments = (path: string) => path.replace(/^\^/, '').split('.').filter((s) => !/^\d+$/.test(s));

/**
 * Whether a column map entry reads a sensitive field (runtime/engine/redact.ts's rules: a plain name at any depth,
 * a dotted path exactly, and everything under either). An expression naming one anywhere counts as reading it.
 */
export function readsSensitiveField(value: string, sensitive: readonly string[]): boolean {
  if (sensitive.length === 0) return false;
  if (value.startsWith('=')) {
    const words = new Set(value.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
    return sensitive.some((s) => segments(s).some((part) => words.has(part)));
  }
  const parts = segments(value);
  return sensitive.some((s) => {
    const name = segments(s);
    return name.length === 1 ? parts.includes(name[0]) : name.every((part, i) => parts[i] === part);
  });
}

interface ColumnCheck {
  path: string;
  column: DatabaseColumn;
  get: ColumnGetter;
  masked: boolean;
  failing: number;
  problem: string | null;
}

function columnChecks(base: string, table: DatabaseTable | undefined, columns: Record<string, string>, compile: ((expression: string) => CompiledExpression) | undefined, sensitive: readonly string[], parentPrefix: boolean): ColumnCheck[] {
  if (!table) return [];
  const checks: ColumnCheck[] = [];
  for (const [name, value] of Object.entries(columns ?? {})) {
    const column = table.columns.find((c) => c.name === name);
    if (!column || typeof value !== 'string' || constantValue(value)) continue;
    let get: ColumnGetter;
    try {
      get = compileColumnValue(name, value, compile, parentPrefix);
    } catch {
      continue; // An expression that does not compile is a config problem, named by the node's own check.
    }
    checks.push({ path: `${base}/columns/${name}`, column, get, masked: readsSensitiveField(value, sensitive), failing: 0, problem: null });
  }
  return checks;
}

/** Checks one value; answers whether it does not fit, remembering the first reason. */
async function misfits(check: ColumnCheck, record: unknown, parent: unknown): Promise<boolean> {
  let value: unknown;
  try {
    value = await check.get(record, parent);
  } catch {
    return false; // The record fails in its mapping: the run dead-letters it before any column is written.
  }
  const problem = valueFitProblem(value instanceof Date ? value.toISOString() : value, check.column, { masked: check.masked });
  if (problem && check.problem === null) check.problem = problem;
  return problem !== null;
}

/** Every column of `config`'s table (and lines table) whose type cannot hold what `records` give it. */
export async function recordFitFindings(
  config: RecordTargetShape, tables: readonly DatabaseTable[], searchPath: readonly string[], records: readonly unknown[],
  options: { compile?: (expression: string) => CompiledExpression; sensitive?: readonly string[] } = {},
): Promise<RecordFitFinding[]> {
  const sensitive = options.sensitive ?? [];
  const table = config.table ? findTable(tables, searchPath, config.table) : undefined;
  const own = columnChecks('', table, config.columns, options.compile, sensitive, false);
  const lines = config.lines?.table && config.lines.path ? config.lines : undefined;
  const lineChecks = lines ? columnChecks('/lines', findTable(tables, searchPath, lines.table), lines.columns, options.compile, sensitive, true) : [];
  const linesOf = lines && lineChecks.length ? compileFieldPath(lines.path) : undefined;
  for (const record of records) {
    for (const check of own) if (await misfits(check, record, undefined)) check.failing++;
    const list = linesOf?.(record);
    if (!Array.isArray(list)) continue;
    for (const check of lineChecks) {
      let failed = false;
      for (const line of list) if (await misfits(check, line, record)) failed = true;
      if (failed) check.failing++;
    }
  }
  const findings = (checks: ColumnCheck[], tableName: string) => checks.filter((c) => c.failing > 0).map((c) => ({
    path: c.path, table: tableName, column: c.column.name, problem: c.problem!, failing: c.failing, records: records.length,
  }));
  return [...findings(own, config.table), ...findings(lineChecks, lines?.table ?? '')];
}
