/**
 * Turns what jsonata throws (plain objects with `code`, `position`, `token`)
 * into FlowErrors of class `mapping`, with positions in one convention. A
 * breach of an evaluation limit (depth, time, output size) is of class
 * `permanent` instead: the expression, not the record's data, is at fault,
 * and a run dead-letters the record naming the limit.
 *
 * Positions: jsonata reports the 1-based offset of the *end* of the token it
 * stopped at (`a.b]` → 4). We convert to a 0-based offset of the *start* of
 * that token (`a.b]` → 3) when jsonata names the token (for a failing function
 * call: the `$` of `$name(`), and otherwise to the 0-based offset of its last
 * character; "end of expression" points just past the last character (= the
 * expression length). Messages show the same place
 * counted from 1 ("at character 4"), because that is how people count.
 */
import { FlowError, type FlowErrorDetails } from '../errors.ts';
import type { EvaluationLimits, ExpressionProblem } from './evaluator.ts';
import { OUTPUT_LIMIT_CODE, SEQUENCE_LIMIT_CODE } from './output-limit.ts';

/**
 * Our own codes for limit breaches (jsonata's D1011 / D1012 after translation).
 * JSONata's test-suite runner reports both of its limits as U1001; we keep
 * depth as U1001 and give time its own code so the two can be told apart.
 */
export const LIMIT_ERROR_CODES = {
  /** The expression nested deeper than `maxDepth` levels (usually endless recursion). */
  depth: 'U1001',
  /** The expression ran longer than `timeoutMs` (usually an endless loop). */
  time: 'U1002',
  /** Built-in functions would have built more than `maxOutput` characters and list items. */
  output: OUTPUT_LIMIT_CODE,
} as const;

const OPERATOR_NAMES: Record<string, string> = { '&': 'the & operator', '[…]': 'an array constructor [ … ]', list: 'a list being built' };

/** The class of a limit breach (see the file's comment). */
const LIMIT_CLASS = 'permanent';

const LIMIT_CODES: ReadonlySet<unknown> = new Set(Object.values(LIMIT_ERROR_CODES));

/** Whether `err` is an evaluation stopped by a limit: a node must not turn it into a verdict on the record. */
export function isLimitBreach(err: unknown): err is FlowError {
  return err instanceof FlowError && err.errorClass === LIMIT_CLASS && LIMIT_CODES.has(err.details.code);
}

function outputLimitError(limits: EvaluationLimits, fn: string | undefined, details: FlowErrorDetails): FlowError {
  const what = !fn ? undefined : OPERATOR_NAMES[fn] ?? (/^\w+$/.test(fn) ? `$${fn}` : fn);
  const by = what ? ` (${what} would go over it)` : '';
  return new FlowError(LIMIT_CLASS, `expression stopped: reached the output size limit of ${formatCount(limits.maxOutput)} characters and list items per evaluation${by}`, {
    ...details,
    code: LIMIT_ERROR_CODES.output,
  });
}

interface JsonataErrorLike {
  code?: string;
  position?: number;
  token?: unknown;
  message?: string;
  value?: unknown;
  /** The function or operator that would have gone over the output limit (U1003). */
  fn?: unknown;
}

/** 0-based start offset of the problem, clamped to the expression. */
export function toZeroBasedPosition(err: JsonataErrorLike, source: string): number | undefined {
  if (typeof err.position !== 'number' || !Number.isFinite(err.position)) return undefined;
  const end = err.position;
  const token = err.token;
  let start = end - 1;
  if (token === '(end)') start = end;
  else if (typeof token === 'string' && token.length > 0) {
    if (source.slice(end - token.length, end) === token) start = end - token.length;
    else if (source[end - 1] === '(' && source.slice(end - 1 - token.length, end - 1) === token) {
      // A function call: jsonata points just past "(" and names the function; point at `$name`.
      start = end - 1 - token.length;
      if (source[start - 1] === '$') start -= 1;
    }
  }
  return Math.max(0, Math.min(start, source.length));
}

function where(position: number | undefined): string {
  return position === undefined ? '' : ` at character ${position + 1}`;
}

/** The syntax problem of a jsonata parse error, position converted. */
export function syntaxProblem(err: unknown, source: string): ExpressionProblem {
  const e = (err ?? {}) as JsonataErrorLike;
  const position = toZeroBasedPosition(e, source);
  let message = typeof e.message === 'string' && e.message ? e.message : String(err);
  // S0201's text is just 'Syntax error: "x"'; say what is wrong instead of repeating "syntax error".
  if (e.code === 'S0201') message = message.replace(/^Syntax error: /, 'unexpected ');
  return {
    message,
    ...(position !== undefined ? { position } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
  };
}

/** A compile (syntax) error as a FlowError. */
export function syntaxError(err: unknown, source: string): FlowError {
  const problem = syntaxProblem(err, source);
  return new FlowError('mapping', `Expression syntax error${where(problem.position)}: ${problem.message}`, {
    ...(problem.position !== undefined ? { position: problem.position } : {}),
    ...(problem.code ? { code: problem.code } : {}),
    cause: err,
  });
}

/** An error thrown while evaluating, as a FlowError of class `mapping`. */
export function evaluationError(err: unknown, source: string, limits: EvaluationLimits): FlowError {
  if (err instanceof FlowError) {
    // A FlowError thrown by one of our functions; jsonata may have stamped the call position on it.
    const stamped = err as FlowError & { position?: unknown; token?: unknown };
    if (err.details.position === undefined && typeof stamped.position === 'number') {
      const position = toZeroBasedPosition({ position: stamped.position, token: stamped.token }, source);
      if (position !== undefined) (err.details as FlowErrorDetails).position = position;
    }
    return err;
  }
  if (err instanceof RangeError && /invalid (string|array) length/i.test(err.message)) {
    // V8 refused to build a string or list that large: the output limit, reached past the counted built-ins.
    return outputLimitError(limits, undefined, { cause: err });
  }
  if (err instanceof RangeError) {
    // The JavaScript stack itself ran out: the same situation as the depth limit.
    return new FlowError(LIMIT_CLASS, 'expression stopped: it nested too deeply for the JavaScript stack (check for a function that calls itself without end)', {
      code: LIMIT_ERROR_CODES.depth,
      cause: err,
    });
  }
  const e = (err ?? {}) as JsonataErrorLike;
  const position = toZeroBasedPosition(e, source);
  const details: FlowErrorDetails = { ...(position !== undefined ? { position } : {}), cause: err };
  switch (e.code) {
    case 'D1011':
      return new FlowError(LIMIT_CLASS, `expression stopped: exceeded ${limits.maxDepth} levels of evaluation depth (check for a function that calls itself without end)`, {
        ...details,
        code: LIMIT_ERROR_CODES.depth,
      });
    case 'D1012':
      return new FlowError(LIMIT_CLASS, `expression stopped: ran longer than ${limits.timeoutMs} ms (check for an endless loop)`, {
        ...details,
        code: LIMIT_ERROR_CODES.time,
      });
    case OUTPUT_LIMIT_CODE:
      return outputLimitError(limits, typeof e.fn === 'string' ? e.fn : undefined, details);
    case SEQUENCE_LIMIT_CODE:
      // A list of the reference evaluator outgrew the output limit (reference-options.ts).
      return outputLimitError(limits, 'list', details);
    case 'D2014':
      return new FlowError('mapping', `expression stopped: a range [a..b] would create ${formatCount(e.value)} items; at most 10,000,000 are allowed${where(position)}`, {
        ...details,
        code: 'D2014',
      });
  }
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  return new FlowError('mapping', `Expression error${where(position)}: ${message}`, {
    ...details,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
  });
}

function formatCount(value: unknown): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
}
