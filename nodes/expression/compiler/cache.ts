/**
 * Compiled programs cached by expression text. The generated code does not
 * depend on limits or registered functions (they are arguments of every
 * evaluation), so one compilation serves every evaluator and flow.
 */
import { compileExpression, type CompileOutcome } from './compile.ts';

const MAX_ENTRIES = 2000;
const programs = new Map<string, CompileOutcome>();
const asyncPrograms = new Map<string, CompileOutcome>();

/** The compiled program of `source` (or why it falls back); syntax errors propagate uncached. */
export function cachedCompile(source: string): CompileOutcome {
  return lookup(programs, source, false);
}

/** The asynchronous variant, generated the first time an evaluation of `source` has to wait. */
export function cachedCompileAsync(source: string): CompileOutcome {
  return lookup(asyncPrograms, source, true);
}

function lookup(programs: Map<string, CompileOutcome>, source: string, async: boolean): CompileOutcome {
  const hit = programs.get(source);
  if (hit) {
    // Re-insert so Map order stays least-recently-used first.
    programs.delete(source);
    programs.set(source, hit);
    return hit;
  }
  const outcome = compileExpression(source, async);
  if (programs.size >= MAX_ENTRIES) programs.delete(programs.keys().next().value as string);
  programs.set(source, outcome);
  return outcome;
}

/** Number of cached programs (for tests). */
export function cachedProgramCount(): number {
  return programs.size;
}
