/**
 * Functions offered on a mapper row: each wraps the row's current expression
 * (or a placeholder when it is empty) in a JSONata call the analyst then
 * adjusts. Money goes through the exact-decimal functions, never floats.
 */

export interface MappingFunction {
  id: string;
  label: string;
  group: 'Amounts' | 'Dates' | 'Text' | 'Look-ups and conditions';
  /** The new expression around `e`, the row's current expression. */
  wrap: (e: string) => string;
  /** `e` stands next to an operator in `wrap`: anything but a plain path is parenthesised. */
  operand?: boolean;
}

const EMPTY = 'value';

export const MAPPING_FUNCTIONS: readonly MappingFunction[] = [
  { id: 'decAdd', group: 'Amounts', label: 'Add exactly (a + b)', wrap: (e) => `$decAdd(${e}, "0.00")` },
  { id: 'decSub', group: 'Amounts', label: 'Subtract exactly (a − b)', wrap: (e) => `$decSub(${e}, "0.00")` },
  { id: 'decMul', group: 'Amounts', label: 'Multiply exactly (a × b)', wrap: (e) => `$decMul(${e}, "1")` },
  { id: 'decRound', group: 'Amounts', label: 'Round to 2 decimals (half even)', wrap: (e) => `$decRound(${e}, 2)` },
  { id: 'decSum', group: 'Amounts', label: 'Sum of a list, exactly', wrap: (e) => `$decSum(${e})` },
  { id: 'decNeg', group: 'Amounts', label: 'Reverse the sign', wrap: (e) => `$decNeg(${e})` },
  { id: 'count', group: 'Amounts', label: 'Count the items', wrap: (e) => `$count(${e})` },
  { id: 'isoDate', group: 'Dates', label: 'Date part (YYYY-MM-DD)', wrap: (e) => `$substring(${e}, 0, 10)` },
  { id: 'dmyDate', group: 'Dates', label: 'Date as DD.MM.YYYY', wrap: (e) => `$fromMillis($toMillis(${e}), "[D01].[M01].[Y0001]")` },
  { id: 'concat', group: 'Text', label: 'Join with another value', wrap: (e) => `${e} & " " & ${e}`, operand: true },
  { id: 'trim', group: 'Text', label: 'Trim spaces', wrap: (e) => `$trim(${e})` },
  { id: 'upper', group: 'Text', label: 'Upper case', wrap: (e) => `$uppercase(${e})` },
  { id: 'ref', group: 'Look-ups and conditions', label: 'Look up in reference data', wrap: (e) => `$ref("set-name", ${e}).field` },
  { id: 'ifElse', group: 'Look-ups and conditions', label: 'If … then … else', wrap: (e) => `${e} = "CRDT" ? ${e} : null`, operand: true },
  { id: 'default', group: 'Look-ups and conditions', label: 'Default when missing', wrap: (e) => `$exists(${e}) ? ${e} : "default"` },
];

/** The row's new expression after applying function `id` (unknown ids leave it unchanged). */
export function applyMappingFunction(id: string, expression: string): string {
  const fn = MAPPING_FUNCTIONS.find((f) => f.id === id);
  if (!fn) return expression;
  const e = expression.trim() || EMPTY;
  const plainPath = /^[\w.`#@$%]+$/.test(e);
  return fn.wrap(fn.operand && !plainPath ? `(${e})` : e);
}
