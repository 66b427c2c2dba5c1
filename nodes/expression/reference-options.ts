/**
 * jsonata's options for one expression of the reference evaluator, with the
 * limits its own guardrails miss.
 *
 * jsonata checks time and depth once per evaluation step, but an array
 * constructor appends its items after evaluating them all, copying the list
 * built so far at every item: `[$a, $a, …]` with a million-item `$a` ran for
 * minutes inside one step, growing without a check. What jsonata consults on
 * each append (of a constructor, `$append`, a range) is
 * `options.sequence` of the evaluation's options, its limit on the length of
 * one list (error D2015). Each evaluation gets options whose `sequence` is the
 * output limit, read through a getter that also checks the time: a list can
 * grow no longer than the output limit, nor for longer than the time limit.
 *
 * The evaluation's options are put in place by an `__evaluate_entry` hook that
 * unbinds itself at once, so it costs one step per evaluation, not one per
 * step. The options given to `jsonata()` keep no `sequence`: jsonata would
 * give every list it builds an own `push` checking it, which measured 2–5×
 * slower on a realistic mapping.
 */
import type jsonata from 'jsonata';
import type { EvaluationLimits } from './evaluator.ts';
import { linearRegexEngine } from './linear-regex.ts';

const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');

interface EvaluationFrame {
  bind(name: string | symbol, value: unknown): void;
  options: jsonata.JsonataOptions;
}

/** The options to compile `source` with. */
export function referenceOptions(limits: EvaluationLimits): jsonata.JsonataOptions {
  return { timeout: limits.timeoutMs, stack: limits.maxDepth, RegexEngine: linearRegexEngine } as jsonata.JsonataOptions;
}

/** Gives each evaluation of `expression` its list limits (see the file's comment). */
export function limitLists(expression: jsonata.Expression, limits: EvaluationLimits): void {
  const compiled = referenceOptions(limits);
  const maxItems = limits.maxOutput > 0 ? limits.maxOutput : Number.POSITIVE_INFINITY;
  const timeoutMs = limits.timeoutMs > 0 ? limits.timeoutMs : Number.POSITIVE_INFINITY;
  const started = (_expr: unknown, _input: unknown, environment: { base: EvaluationFrame }): void => {
    const frame = environment.base;
    // null, not undefined: a frame's own binding hides the hook for the rest of this evaluation.
    frame.bind(ENTRY_HOOK, null);
    const deadline = Date.now() + timeoutMs;
    frame.options = Object.create(compiled, {
      sequence: {
        get(): number {
          if (Date.now() > deadline) throw { code: 'D1012', value: limits.timeoutMs };
          return maxItems;
        },
      },
    });
  };
  expression.assign(ENTRY_HOOK as unknown as string, started);
}
