/**
 * Field-level differences between two JSON values, for mapping-test failures
 * and release impact previews: one entry per differing leaf, with its path.
 */
export interface ValueDifference {
  /** Dotted path with [i] for array items, e.g. `lines[2].netAmount`; '' for the whole value. */
  path: string;
  kind: 'changed' | 'added' | 'removed';
  expected?: unknown;
  actual?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

export function diffValues(expected: unknown, actual: unknown, path = '', out: ValueDifference[] = []): ValueDifference[] {
  if (expected === actual) return out;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= actual.length) out.push({ path: p, kind: 'removed', expected: expected[i] });
      else if (i >= expected.length) out.push({ path: p, kind: 'added', actual: actual[i] });
      else diffValues(expected[i], actual[i], p, out);
    }
    return out;
  }
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const p = join(path, key);
      const inE = Object.prototype.hasOwnProperty.call(expected, key) && expected[key] !== undefined;
      const inA = Object.prototype.hasOwnProperty.call(actual, key) && actual[key] !== undefined;
      if (inE && !inA) out.push({ path: p, kind: 'removed', expected: expected[key] });
      else if (!inE && inA) out.push({ path: p, kind: 'added', actual: actual[key] });
      else if (inE && inA) diffValues(expected[key], actual[key], p, out);
    }
    return out;
  }
  if (expected === undefined) out.push({ path, kind: 'added', actual });
  else if (actual === undefined) out.push({ path, kind: 'removed', expected });
  else out.push({ path, kind: 'changed', expected, actual });
  return out;
}
