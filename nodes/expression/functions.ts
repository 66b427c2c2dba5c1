/**
 * The functions every expression may call besides JSONata's own: exact money
 * arithmetic (money.ts) and reference data look-ups. The runtime and the
 * designer preview build them once per run with `standardFunctions` and hand
 * them to `evaluator.compile(…, { functions })`.
 */
import { FlowError } from '../errors.ts';
import type { ReferenceData } from '../define-node.ts';
import { referenceKey } from '../reference-data.ts';
import type { Bindings } from './evaluator.ts';
import { moneyFunctions } from './money.ts';
import { signed } from './signed-function.ts';

export { FUNCTION_DOCS, type FunctionDoc } from './function-docs.ts';

function referenceSet(reference: ReferenceData, set: unknown, fn: string): ReadonlyMap<string, unknown> {
  const rows = typeof set === 'string' ? reference.get(set) : undefined;
  if (rows) return rows;
  const known = reference.names();
  const loaded = known.length ? `the loaded sets are ${known.map((n) => `"${n}"`).join(', ')}` : 'this flow loads no reference data';
  throw new FlowError('mapping', `$${fn}: reference data set ${JSON.stringify(set)} is not loaded (${loaded})`);
}

/** `$ref(set, key)` and `$inRef(set, key)` over the given reference data. */
export function referenceFunctions(reference: ReferenceData): Bindings {
  const ref = signed(function ref(set: unknown, key: unknown): unknown {
    const rows = referenceSet(reference, set, 'ref');
    const k = referenceKey(key);
    return k === undefined ? undefined : rows.get(k);
  }, '<s(snb):x>');

  // A list of keys is in the set when every one of them is (e.g. all cost centres of the lines).
  const inRef = signed(function inRef(set: unknown, key: unknown): boolean {
    const rows = referenceSet(reference, set, 'inRef');
    const keys = Array.isArray(key) ? key : [key];
    if (keys.length === 0) return false;
    return keys.every((item) => {
      const k = referenceKey(item);
      return k !== undefined && rows.has(k);
    });
  }, '<sj:b>');

  return { ref, inRef };
}

/** Every custom function (money and reference data), by name without `$`. */
export function standardFunctions(reference: ReferenceData): Bindings {
  return { ...moneyFunctions, ...referenceFunctions(reference) };
}
