/**
 * JSONata's effective boolean value (the rules of `$boolean` and of filter
 * predicates), so a route condition or rule written as `vatId` or
 * `$count(lines)` means what it means inside JSONata. Missing is false.
 */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length === 1 ? isTruthy(value[0]) : value.some(isTruthy);
  if (typeof value === 'function') return false;
  if (typeof value === 'object') {
    // jsonata's functions and lambdas are objects with a marker; they count as functions.
    const marked = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
    if (marked._jsonata_function === true || marked._jsonata_lambda === true) return false;
    return Object.keys(value).length > 0;
  }
  return false;
}
