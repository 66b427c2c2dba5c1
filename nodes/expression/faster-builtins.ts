/**
 * Linear-time versions of two jsonata built-ins that are quadratic in the
 * length of their list and cannot be stopped by the time limit (it is checked
 * between evaluation steps, and each is one step): `$distinct` compares every
 * item with every kept one (100,000 numbers: seconds), and `$sort` without a
 * comparator merges by copying the rest of the list per item (a few million
 * items: minutes). Same results: `$distinct` keeps the first of equal values
 * (jsonata's deep equality, which for JSON data is equality of the canonical
 * JSON), `$sort` is the same stable ascending order. Anything else (a
 * comparator, functions in the list) goes to jsonata's own implementation.
 */

const NOT_HANDLED = Symbol('not handled');

// JSON with object keys sorted: equal exactly when jsonata's deepEquals says equal (for JSON data).
function canonical(value: unknown): string | typeof NOT_HANDLED {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : NOT_HANDLED;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) {
      const c = canonical(item);
      if (c === NOT_HANDLED) return NOT_HANDLED;
      parts.push(c);
    }
    return `[${parts.join(',')}]`;
  }
  if (typeof value === 'object' && !('_jsonata_function' in value) && !('_jsonata_lambda' in value)) {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const c = canonical((value as Record<string, unknown>)[key]);
      if (c === NOT_HANDLED) return NOT_HANDLED;
      parts.push(`${JSON.stringify(key)}:${c}`);
    }
    return `{${parts.join(',')}}`;
  }
  return NOT_HANDLED;
}

function distinct(arr: unknown): unknown {
  if (!Array.isArray(arr) || arr.length <= 1) return NOT_HANDLED;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of arr) {
    const key = canonical(item);
    if (key === NOT_HANDLED) return NOT_HANDLED;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  if ((arr as { sequence?: boolean }).sequence) (out as unknown as { sequence: boolean }).sequence = true;
  return out;
}

function sort(arr: unknown, comparator: unknown): unknown {
  if (comparator !== undefined || !Array.isArray(arr) || arr.length <= 1) return NOT_HANDLED;
  const numbers = arr.every((v) => typeof v === 'number');
  if (!numbers && !arr.every((v) => typeof v === 'string')) return NOT_HANDLED; // jsonata's own D3070
  return [...arr].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const FASTER: Record<string, (...args: any[]) => unknown> = { distinct, sort };

/** `implementation`, with the linear version tried first where there is one. */
export function fasterBuiltin(name: string, implementation: (...args: any[]) => unknown): (...args: any[]) => unknown {
  const faster = FASTER[name];
  if (!faster) return implementation;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const result = faster(...args);
    return result === NOT_HANDLED ? implementation.apply(this, args) : result;
  };
  return withSignatureOf(wrapped, implementation);
}

/**
 * Gives a wrapper the original's `length` and source text: jsonata reads a native function's arity from
 * `length` and its parameter names from its text (partial application, $reduce's check).
 */
export function withSignatureOf<F extends (...args: any[]) => unknown>(wrapper: F, original: (...args: any[]) => unknown): F {
  Object.defineProperty(wrapper, 'length', { value: original.length });
  Object.defineProperty(wrapper, 'toString', { value: () => original.toString() });
  return wrapper;
}
