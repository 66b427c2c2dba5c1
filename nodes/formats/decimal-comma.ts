/**
 * Numbers written the continental way ("1.234,56", "-12,5", SAP's "12,50-")
 * rewritten as plain decimal strings ("1234.56", "-12.5", "-12.50"). The result
 * stays a string so amounts remain exact.
 */

// sign, integer part (plain, or grouped by one consistent separator), decimals, trailing minus
const DECIMAL_COMMA = /^([+-]?)(\d{1,3}(?:([. \u00a0\u202f])\d{3})(?:\3\d{3})*|\d+)(?:,(\d+))?(-?)$/;

/** The plain decimal form of `value` if it is a decimal-comma number, else `undefined`. */
export function fromDecimalComma(value: string): string | undefined {
  const m = DECIMAL_COMMA.exec(value);
  if (!m) return undefined;
  const [, sign, integer, groupSeparator, decimals, trailingMinus] = m;
  if (sign && trailingMinus) return undefined;
  const digits = groupSeparator ? integer.split(groupSeparator).join('') : integer;
  const negative = sign === '-' || trailingMinus === '-';
  return (negative ? '-' : '') + digits + (decimals !== undefined ? `.${decimals}` : '');
}

const CANONICAL_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * `value` as a JavaScript number when it is written canonically ("12.5",
 * "-3"); values such as "052" or "1e3" stay strings so nothing is lost.
 */
export function toNumberIfCanonical(value: string): string | number {
  return CANONICAL_NUMBER.test(value) ? Number(value) : value;
}
