/**
 * The built-in function table of compiled code. Functions without callbacks
 * are jsonata's own implementations (same results, same errors); those that
 * call back into expressions are the synchronous ports in hof.ts. Every entry
 * keeps jsonata's parsed signature, so argument checking is the reference's.
 */
import { BOUNDED_BUILTINS, boundedBuiltin, type BudgetOf } from '../../output-limit.ts';
import { jsonataBuiltins, type BuiltinName, type NativeDef } from '../jsonata-internals.ts';
import { nativeParams } from './apply.ts';
import * as hof from './hof.ts';
import type { Focus } from './state.ts';

/** A native function of compiled code: jsonata's definition shape, flagged as safe to call synchronously. */
export interface Builtin extends NativeDef {
  sync: true;
  /** Parameter names of jsonata's implementation (partial application binds by them). */
  params: string[];
  name: string;
}

const PORTED: Partial<Record<BuiltinName, (...args: any[]) => unknown>> = {
  map: hof.map,
  filter: hof.filter,
  single: hof.single,
  reduce: hof.foldLeft,
  sift: hof.sift,
  each: hof.each,
  sort: hof.sort,
  match: hof.match,
  contains: hof.contains,
  replace: hof.replace,
  split: hof.split,
};

let table: Record<string, Builtin> | undefined;

// Called with the evaluation's focus as `this` (or none from a few fast routes, which are not counted).
const stateBudget: BudgetOf = (self) => (self as Focus | undefined)?.st?.budget;
const BOUNDED = new Set<string>(BOUNDED_BUILTINS);

/** Built-ins by name (without `$`); `$now`, `$millis` and `$eval` read the evaluation's state. */
export function builtins(): Record<string, Builtin> {
  if (table) return table;
  const defs = jsonataBuiltins();
  const out: Record<string, Builtin> = Object.create(null);
  for (const name of Object.keys(defs) as BuiltinName[]) {
    const def = defs[name];
    const own = PORTED[name] ?? def.implementation;
    const implementation = BOUNDED.has(name) ? boundedBuiltin(name, own, stateBudget) : own;
    // Only jsonata's own fields are enumerable: a function value shown as JSON reads as the reference's.
    const builtin = { _jsonata_function: true, implementation, signature: def.signature } as Builtin;
    Object.defineProperties(builtin, {
      sync: { value: true },
      params: { value: nativeParams(def.implementation) },
      name: { value: name },
    });
    out[name] = builtin;
  }
  const fromMillis = defs.fromMillis.implementation;
  out.now.implementation = function now(this: Focus, picture: unknown, timezone: unknown) {
    return fromMillis(this.st.timestamp, picture, timezone);
  };
  out.millis.implementation = function millis(this: Focus) {
    return this.st.timestamp;
  };
  out.eval.implementation = function functionEval(this: Focus, expr: unknown, focus: unknown) {
    const hook = this.st.evalHook;
    if (!hook) throw { code: 'D3121', value: '$eval is not available here' };
    return hook(this, expr, focus);
  };
  table = out;
  return out;
}
