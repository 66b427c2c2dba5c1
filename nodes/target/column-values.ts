/**
 * What a mapped column of a table target holds, written as text in the
 * column map: a field path of the record (`supplier.id`, `lines.0.amount`;
 * in a lines table `^invoiceNumber` reads the parent record), or after `=` a
 * JSONata expression — a constant is an expression (`='reconciled'`, `=0`,
 * `=true`), a computation another (`=$decMul(amount, rate)`). A value that
 * looks like a constant or an expression but has no `=` is a config problem,
 * not a field path that silently writes NULL.
 */
import type { ConfigProblem } from '../define-node.ts';
import type { Bindings, CompiledExpression, ExpressionEvaluator } from '../expression/evaluator.ts';
import { FlowError, toFlowError } from '../errors.ts';
import { compileFieldPath, fieldPathProblem } from '../field-path.ts';

/** Starts a column value that is a JSONata expression (or constant). */
export const EXPRESSION_PREFIX = '=';

/** What the map's description says, for the inspector form. */
export const COLUMN_VALUE_HELP = "field path of the record (supplier.id, lines.0.amount), or = and a JSONata expression: a constant ='reconciled', =0, or =$decMul(amount, rate)";

// Quoted text, a leading $ (a function or variable), a number or true/false/null: a constant or an
// expression written without its =. Other characters stay allowed: CSV headers such as "Amount (EUR)" are field names.
const NOT_A_PATH = /^['"`$]|['"`]$|^-?\d+(\.\d+)?$|^(true|false|null)$/;

/** Why `value` cannot be a column's value, or null. `parentPrefix` allows `^path` (lines). */
export function columnValueProblem(value: unknown, evaluator: ExpressionEvaluator | undefined, parentPrefix = false): string | null {
  if (typeof value !== 'string') return 'a column value must be text: a field path or =expression';
  if (value.startsWith(EXPRESSION_PREFIX)) {
    const expression = value.slice(EXPRESSION_PREFIX.length);
    if (expression.trim() === '') return 'an expression after = is missing';
    const problem = evaluator?.check(expression);
    return problem ? `expression ${value}: ${problem.message}` : null;
  }
  const path = parentPrefix && value.startsWith('^') ? value.slice(1) : value;
  if (path === '') return 'give a field path of the record, or = and an expression';
  if (NOT_A_PATH.test(path)) {
    return `${value} is not a field path; for a constant or a computed value write = before it: =${path}`;
  }
  return fieldPathProblem(path);
}

/** Problems of every value in a column map, at `/<base>/<column>`. */
export function columnMapProblems(base: string, columns: Record<string, unknown>, evaluator: ExpressionEvaluator | undefined, parentPrefix = false): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [column, value] of Object.entries(columns ?? {})) {
    const problem = columnValueProblem(value, evaluator, parentPrefix);
    if (problem) problems.push({ path: `${base}/${column}`, message: problem });
  }
  return problems;
}

/** Reads a column's value from a record (and, in a lines table, its parent); may answer with a promise. */
export type ColumnGetter = (record: unknown, parent: unknown) => unknown;

/** Compiles one column value; `compile` turns expression text into a compiled expression (once per run). */
export function compileColumnValue(column: string, value: string, compile: ((expression: string) => CompiledExpression) | undefined, parentPrefix = false): ColumnGetter {
  if (value.startsWith(EXPRESSION_PREFIX)) {
    if (!compile) throw new FlowError('permanent', `column ${column}: expressions are not available here`, { field: column });
    const expression = compile(value.slice(EXPRESSION_PREFIX.length));
    const failed = (err: unknown) => {
      const error = toFlowError(err, 'mapping', { field: column });
      throw new FlowError(error.errorClass, `column ${column} (${value}): ${error.message}`, { ...error.details, field: column });
    };
    return (record, parent) => {
      const bindings: Bindings | undefined = parentPrefix ? { parent } : undefined;
      try {
        const result = expression.evaluate(record, bindings);
        return result instanceof Promise ? result.catch(failed) : result;
      } catch (err) {
        return failed(err);
      }
    };
  }
  const fromParent = parentPrefix && value.startsWith('^');
  const get = compileFieldPath(fromParent ? value.slice(1) : value);
  return fromParent ? (_record, parent) => get(parent) : (record) => get(record);
}
