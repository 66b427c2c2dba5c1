/**
 * The output size limit of one evaluation: the strings and lists that
 * built-in functions build are counted (characters plus items) against a
 * budget, and a call that would go over it stops the evaluation with U1003
 * *before* allocating. Without it `$pad("x", 400000000)` asks V8 for a
 * 400-million-slot array and kills the process, which no try/catch survives.
 *
 * Both evaluators wrap the same built-ins with `boundedBuiltin`; they differ
 * only in where the evaluation's budget lives (`budgetOf`).
 */

import { fasterBuiltin, withSignatureOf } from './faster-builtins.ts';

/** Characters of strings plus items of lists that one evaluation may build. */
export const DEFAULT_MAX_OUTPUT = 10_000_000;

/** Our code for an output size breach (see LIMIT_ERROR_CODES). */
export const OUTPUT_LIMIT_CODE = 'U1003';

/**
 * What jsonata throws when a list of the reference evaluator outgrows `options.sequence`
 * (reference-options.ts); evaluationError reports it as U1003. Here, not there: reporting it must not
 * load the reference evaluator's regular expressions (re2js) where no expression runs.
 */
export const SEQUENCE_LIMIT_CODE = 'D2015';

/** What is left of one evaluation's output allowance. */
export interface OutputBudget {
  left: number;
  readonly limit: number;
}

export function createBudget(limit: number): OutputBudget {
  return { left: limit > 0 ? limit : Infinity, limit: limit > 0 ? limit : Infinity };
}

/** Throws the jsonata-style error that evaluationError turns into U1003. */
export function outputExceeded(limit: number, fn: string, size?: number): never {
  throw { code: OUTPUT_LIMIT_CODE, value: limit, fn, size };
}

/** Takes `size` from the budget, or throws U1003 naming `fn`. */
export function charge(budget: OutputBudget, size: number, fn: string): void {
  budget.left -= size;
  if (budget.left < 0) outputExceeded(budget.limit, fn, size);
}

function sizeOf(value: unknown): number {
  return typeof value === 'string' || Array.isArray(value) ? value.length : 0;
}

/** Length of `$join(items, separator)`, counted without building it. */
export function joinedSize(items: unknown, separator: unknown): number {
  if (!Array.isArray(items)) return sizeOf(items);
  let size = typeof separator === 'string' ? separator.length * Math.max(0, items.length - 1) : 0;
  for (let i = 0; i < items.length; i++) size += sizeOf(items[i]);
  return size;
}

/**
 * Roughly how long the JSON of `value` is, walking at most until `cap` is
 * passed: a list that holds itself many times over (built by doubling) has
 * a JSON far bigger than its memory, so its size is counted, not taken.
 */
export function jsonSizeUpTo(value: unknown, cap: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= cap) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (Array.isArray(v)) {
      size += v.length + 2;
      for (let i = 0; i < v.length && size <= cap; i++) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object' && !('_jsonata_function' in v) && !('_jsonata_lambda' in v)) {
      // Functions show as "" in JSON; a lambda's closure (its environment) is not walked.
      for (const key of Object.keys(v)) {
        size += key.length + 4;
        stack.push((v as Record<string, unknown>)[key]);
        if (size > cap) break;
      }
    } else size += 8;
  }
  return size;
}

function countOccurrences(str: string, pattern: string): number {
  let count = 0;
  for (let at = str.indexOf(pattern); at !== -1; at = str.indexOf(pattern, at + pattern.length)) count++;
  return count;
}

type Precheck = (budget: OutputBudget, args: unknown[]) => void;

/** Sizes known from the arguments, checked before the function allocates anything. */
const PRECHECKS: Record<string, Precheck> = {
  pad(budget, [str, width]) {
    if (typeof width === 'number' && Number.isFinite(width)) charge(budget, Math.max(Math.abs(width), sizeOf(str)), 'pad');
  },
  join(budget, [items, separator]) {
    charge(budget, joinedSize(items, separator), 'join');
  },
  string(budget, [value, prettify]) {
    if (value !== null && typeof value === 'object') {
      const size = jsonSizeUpTo(value, budget.left);
      charge(budget, prettify ? size * 2 : size, 'string');
    }
  },
  replace(budget, [str, pattern, replacement]) {
    if (typeof str === 'string' && typeof pattern === 'string' && pattern !== '' && typeof replacement === 'string') {
      charge(budget, str.length + countOccurrences(str, pattern) * replacement.length, 'replace');
    }
  },
  append(budget, [a, b]) {
    charge(budget, (Array.isArray(a) ? a.length : 1) + (Array.isArray(b) ? b.length : 1), 'append');
  },
};

/**
 * Built-ins whose result can be larger than their arguments, or that build a
 * new list: their results are counted (those with a precheck are counted
 * before they run instead).
 */
export const BOUNDED_BUILTINS = [
  'pad', 'join', 'string', 'replace', 'append', 'split', 'match', 'map', 'filter', 'zip', 'spread', 'merge',
  'keys', 'lookup', 'sort', 'reverse', 'distinct', 'shuffle', 'each', 'sift', 'uppercase', 'lowercase',
  'base64encode', 'base64decode', 'encodeUrl', 'encodeUrlComponent', 'formatBase', 'formatInteger', 'clone',
] as const;

/** Where a function call finds its evaluation's budget (undefined: not counted). */
export type BudgetOf = (self: unknown) => OutputBudget | undefined;

/** `implementation` counting what it builds against the caller's budget. */
export function boundedBuiltin(
  name: string,
  implementation: (...args: any[]) => unknown,
  budgetOf: BudgetOf,
): (...args: any[]) => unknown {
  const precheck = PRECHECKS[name];
  implementation = fasterBuiltin(name, implementation);
  const bounded = function bounded(this: unknown, ...args: unknown[]): unknown {
    const budget = budgetOf(this);
    if (!budget) return implementation.apply(this, args);
    if (precheck) {
      precheck(budget, args);
      return implementation.apply(this, args);
    }
    const result = implementation.apply(this, args);
    if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<unknown>).then((value) => {
        charge(budget, sizeOf(value), name);
        return value;
      });
    }
    charge(budget, sizeOf(result), name);
    return result;
  };
  return withSignatureOf(bounded, implementation);
}
