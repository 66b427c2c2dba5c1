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

/** Per signature: kinds (as `kindsKey` numbers it) → passes unchanged; null when the signature has typed arrays. */
const known = new WeakMap<JsonataSignature, Map<number, boolean> | null>();

// jsonata's `getSymbol` as a digit 1–8 ('m' 1, 's' 2, 'n' 3, 'b' 4, 'l' 5, 'a' 6, 'o' 7, 'f' 8), tested in the order of frequency.
function kindCode(value: unknown): number {
  switch (typeof value) {
    case 'string': return 2;
    case 'number': return 3;
    case 'boolean': return 4;
    case 'function': return 8;
    case 'object': return value === null ? 5 : isFunction(value) ? 8 : Array.isArray(value) ? 6 : 7;
    default: return 1;
  }
}

// Base 9 keeps the kinds of up to 16 arguments exact in a double; longer lists are not remembered.
const MAX_REMEMBERED = 16;

/** The kinds of the arguments as one number (distinct per kind string), or -1 for too many arguments. */
function kindsKey(args: unknown[]): number {
  if (args.length > MAX_REMEMBERED) return -1;
  let key = 0;
  for (let i = 0; i < args.length; i++) key = key * 9 + kindCode(args[i]);
  return key;
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
  const key = kindsKey(args);
  if (key < 0) return signature.validate(args, context);
  const unchanged = kinds.get(key);
  if (unchanged === true) return args;
  const validated = signature.validate(args, context);
  if (unchanged === undefined) kinds.set(key, sameArguments(validated, args));
  return validated;
}
