/**
 * The functions an expression can call by name: jsonata's built-ins, then the
 * registered functions over them (as `registerFunction` / `assign` do in the
 * reference evaluator). Bindings passed per evaluation shadow both. Built per
 * function set once; a prototype-less object, so no name reaches Object.prototype.
 */
import type { Bindings } from '../evaluator.ts';
import { jsonataSignatureOf } from '../signed-function.ts';
import { parseSignature } from './jsonata-internals.ts';
import { builtins } from './runtime/builtins.ts';
import { asyncBuiltins } from './runtime/builtins-async.ts';

export interface FunctionTable {
  /** Names for synchronous evaluation. */
  sync: Record<string, unknown>;
  /** Names for asynchronous evaluation (callback built-ins that await). */
  async: Record<string, unknown>;
}

const tables = new WeakMap<Bindings, FunctionTable>();

function registered(functions: Bindings): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(functions)) {
    const signature = jsonataSignatureOf(value);
    // Signed functions are natives with a checked signature, as registerFunction makes them.
    if (!signature) {
      out[name] = value;
      continue;
    }
    const native = { _jsonata_function: true, implementation: value, signature: parseSignature(signature) };
    // A signature without `f` or `x` lets no function value through: no argument needs wrapping as a callback.
    Object.defineProperty(native, 'plainArguments', { value: !/[fx]/.test(signature) });
    out[name] = native;
  }
  return out;
}

/** The function table of a set of registered functions. */
export function functionTable(functions: Bindings): FunctionTable {
  let table = tables.get(functions);
  if (!table) {
    const own = registered(functions);
    table = {
      sync: Object.assign(Object.create(null), builtins(), own),
      async: Object.assign(Object.create(null), asyncBuiltins(), own),
    };
    tables.set(functions, table);
  }
  return table;
}
