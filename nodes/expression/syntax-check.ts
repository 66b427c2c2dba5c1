/**
 * The syntax check both evaluators offer (`check`): jsonata's parser plus the
 * regex literals the linear-time engine must accept. Results are cached by
 * text: validation checks every expression of a flow on every save, and large
 * flows repeat the same short expressions many times.
 */
import jsonata from 'jsonata';
import type { ExpressionProblem } from './evaluator.ts';
import { syntaxProblem } from './jsonata-errors.ts';
import { checkRegexLiterals } from './linear-regex.ts';

const MAX_CACHED = 2000;
const checked = new Map<string, ExpressionProblem | null>();

/** Null when `source` parses and its regexes can run; otherwise the problem. */
export function checkSyntax(source: string): ExpressionProblem | null {
  if (checked.has(source)) return checked.get(source)!;
  let problem: ExpressionProblem | null = null;
  try {
    checkRegexLiterals(jsonata(source).ast());
  } catch (err) {
    problem = syntaxProblem(err, source);
  }
  if (checked.size >= MAX_CACHED) checked.delete(checked.keys().next().value as string);
  checked.set(source, problem);
  return problem;
}
