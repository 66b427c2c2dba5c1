/**
 * The functions every expression may call besides JSONata's own: exact money
 * arithmetic (money.ts) and reference data look-ups. The runtime and the
 * designer preview build them once per run with `standardFunctions` and hand
 * them to `evaluator.compile(…, { functions })`.
 */
import { FlowError } from '../errors.ts';
import type { ReferenceData } from '../define-node.ts';
import type { Bindings } from './evaluator.ts';
import { moneyFunctions } from './money.ts';
import { signed } from './signed-function.ts';

export { FUNCTION_DOCS, type FunctionDoc } from './function-docs.ts';

function lookup(reference: ReferenceData, set: unknown, key: unknown, at: unknown, fn: string): unknown[] {
  const rows = typeof set === 'string' ? reference.lookup(set, key, at) : undefined;
  if (rows) return rows;
  const known = reference.names();
  const loaded = known.length ? `the loaded sets are ${known.map((n) => `"${n}"`).join(', ')}` : 'this flow loads no reference data';
  throw new FlowError('mapping', `$${fn}: reference data set ${JSON.stringify(set)} is not loaded (${loaded})`);
}

const isCompositeSet = (reference: ReferenceData, set: unknown) =>
  typeof set === 'string' && Array.isArray(reference.definition(set)?.key) && (reference.definition(set)!.key as string[]).length > 1;

/**
 * `$ref(set, key[, date])`, `$refAll(set, key[, date])` and `$inRef(set, key[, date])`
 * over the given reference data. A composite key is a list of values; a set
 * with effective dates needs the record's date.
 */
export function referenceFunctions(reference: ReferenceData): Bindings {
  const ref = signed(function ref(set: unknown, key: unknown, at?: unknown): unknown {
    return lookup(reference, set, key, at, 'ref')[0];
  }, '<s(snba)x?:x>');

  const refAll = signed(function refAll(set: unknown, key: unknown, at?: unknown): unknown[] {
    return lookup(reference, set, key, at, 'refAll');
  }, '<s(snba)x?:a>');

  // A list of keys is in the set when every one of them is (e.g. all cost centres of the lines);
  // for a composite set a list of lists, or one list of its key's parts.
  const inRef = signed(function inRef(set: unknown, key: unknown, at?: unknown): boolean {
    const single = !Array.isArray(key) || (isCompositeSet(reference, set) && !key.some(Array.isArray));
    const keys = single ? [key] : (key as unknown[]);
    if (keys.length === 0) return false;
    return keys.every((item) => lookup(reference, set, item, at, 'inRef').length > 0);
  }, '<sjx?:b>');

  return { ref, refAll, inRef };
}

/** Every custom function (money and reference data), by name without `$`. */
export function standardFunctions(reference: ReferenceData): Bindings {
  return { ...moneyFunctions, ...referenceFunctions(reference) };
}
