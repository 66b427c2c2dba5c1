/**
 * The built-in table for asynchronous evaluation: the synchronous table with
 * the callback built-ins replaced by their awaiting versions (hof-async.ts).
 */
import type { BuiltinName } from '../jsonata-internals.ts';
import { BOUNDED_BUILTINS, boundedBuiltin } from '../../output-limit.ts';
import { builtins, type Builtin } from './builtins.ts';
import type { Focus } from './state.ts';
import * as hofA from './hof-async.ts';

const ASYNC: Partial<Record<BuiltinName, (...args: any[]) => unknown>> = {
  map: hofA.map,
  filter: hofA.filter,
  single: hofA.single,
  reduce: hofA.foldLeft,
  sift: hofA.sift,
  each: hofA.each,
  sort: hofA.sort,
  match: hofA.match,
  contains: hofA.contains,
  replace: hofA.replace,
  split: hofA.split,
};

let table: Record<string, Builtin> | undefined;

/** Built-ins by name for asynchronous evaluation. */
export function asyncBuiltins(): Record<string, Builtin> {
  if (table) return table;
  const out: Record<string, Builtin> = Object.create(null);
  for (const [name, def] of Object.entries(builtins())) {
    const own = ASYNC[name as BuiltinName];
    if (!own) out[name] = def;
    else {
      const implementation = (BOUNDED_BUILTINS as readonly string[]).includes(name)
        ? boundedBuiltin(name, own, (self) => (self as Focus | undefined)?.st?.budget)
        : own;
      const builtin = { _jsonata_function: true, implementation, signature: def.signature } as Builtin;
      Object.defineProperties(builtin, { sync: { value: true }, params: { value: def.params }, name: { value: def.name } });
      out[name] = builtin;
    }
  }
  table = out;
  return out;
}
