/**
 * jsonata's signature check, remembered: the outcome of `validate` depends on
 * the arguments' kinds (jsonata's one-letter symbols) and, for typed arrays
 * (`a<n>`), on their items. For a signature without typed arrays, a kind
 * string that `validate` once passed through unchanged (no context
 * substitution, no array wrapping) passes unchanged every time, so later calls
 * with the same kinds skip it. Everything else (typed arrays, kinds that
 * change the arguments or fail) still goes through `validate` each call, so
 * results and errors stay the reference's.
 */
import type { JsonataSignature } from '../jsonata-internals.ts';
import { isFunction } from './values.ts';

/** Per signature: kind string → passes unchanged; null when the signature has typed arrays. */
const known = new WeakMap<JsonataSignature, Map<string, boolean> | null>();

/** jsonata's `getSymbol`. */
function kindOf(value: unknown): string {
  if (isFunction(value)) return 'f';
  switch (typeof value) {
    case 'string': return 's';
    case 'number': return 'n';
    case 'boolean': return 'b';
    case 'object': return value === null ? 'l' : Array.isArray(value) ? 'a' : 'o';
    default: return 'm';
  }
}

function sameArguments(validated: unknown[], args: unknown[]): boolean {
  if (validated.length !== args.length) return false;
  for (let i = 0; i < args.length; i++) if (validated[i] !== args[i]) return false;
  return true;
}

/** `signature.validate(args, context)`, skipped when it is known to hand `args` back as they are. */
export function validateArguments(signature: JsonataSignature, args: unknown[], context: unknown): unknown[] {
  let kinds = known.get(signature);
  if (kinds === undefined) {
    // '<a<n>:n>': a '<' inside the outer brackets is a typed array.
    const { definition } = signature;
    kinds = typeof definition !== 'string' || definition.slice(1).includes('<') ? null : new Map();
    known.set(signature, kinds);
  }
  if (kinds === null) return signature.validate(args, context);
  let key = '';
  for (let i = 0; i < args.length; i++) key += kindOf(args[i]);
  const unchanged = kinds.get(key);
  if (unchanged === true) return args;
  const validated = signature.validate(args, context);
  if (unchanged === undefined) kinds.set(key, sameArguments(validated, args));
  return validated;
}
