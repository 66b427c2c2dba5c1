/** Syntax errors underlined at their position, with the evaluator's message (the runtime's check). */
import { linter, type Diagnostic } from '@codemirror/lint';
import { evaluator } from '../expression-runtime.ts';

/** Where to underline a problem at `position` (0-based) in a text of `length`. */
export function diagnosticRange(position: number | undefined, length: number): { from: number; to: number } {
  if (length === 0) return { from: 0, to: 0 };
  const at = Math.max(0, Math.min(position ?? 0, length));
  return at >= length ? { from: length - 1, to: length } : { from: at, to: at + 1 };
}

export const jsonataLinter = linter((view): Diagnostic[] => {
  const text = view.state.doc.toString();
  if (text.trim() === '') return [];
  const problem = evaluator.check(text);
  if (!problem) return [];
  const { from, to } = diagnosticRange(problem.position, text.length);
  return [{ from, to, severity: 'error', message: problem.message, source: problem.code }];
}, { delay: 120 });
