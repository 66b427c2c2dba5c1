/**
 * JSONata's value model, as the reference implementation has it: sequences
 * are arrays flagged `sequence` (plus `keepSingleton`, `tupleStream`,
 * `outerWrapper`), array constructors inside paths are flagged `cons`, and
 * every evaluation step ends by unwrapping singleton sequences. These helpers
 * mirror jsonata.js (utils.js, functions.js) line by line where semantics hang
 * on the detail; compiled code calls them directly.
 */

/** An array carrying jsonata's sequence flags. */
export type Seq = unknown[] & {
  sequence?: boolean;
  keepSingleton?: boolean;
  tupleStream?: boolean;
  outerWrapper?: boolean;
  cons?: boolean;
};

/** A jsonata error as the reference throws it: a plain object with a code. */
export interface JError {
  code: string;
  position?: number;
  token?: unknown;
  value?: unknown;
  value2?: unknown;
  index?: number;
  message?: string;
  [key: string]: unknown;
}

export const hasOwn = Object.prototype.hasOwnProperty;

/** Creates a jsonata error object (thrown as is, like the reference does). */
export function jerr(code: string, extra?: Partial<JError>): JError {
  return { code, ...extra };
}

/** `createSequence()`: an empty sequence. */
export function seq(): Seq {
  const s: Seq = [];
  s.sequence = true;
  return s;
}

/** `createSequence(value)`: a sequence holding one value (even undefined). */
export function seq1(value: unknown): Seq {
  const s: Seq = [value];
  s.sequence = true;
  return s;
}

export function isSeq(value: unknown): value is Seq {
  return Array.isArray(value) && (value as Seq).sequence === true;
}

/** utils.isFunction */
export function isFunction(arg: any): boolean {
  return (arg && (arg._jsonata_function === true || arg._jsonata_lambda === true)) || typeof arg === 'function';
}

/** utils.isNumeric: a number that is not NaN; Infinity is an error (D1001). */
export function isNumeric(n: unknown): boolean {
  if (typeof n === 'number') {
    if (n !== n) return false;
    if (n === Infinity || n === -Infinity) throw jerr('D1001', { value: n });
    return true;
  }
  return false;
}

export function isArrayOfNumbers(arg: unknown): boolean {
  if (!Array.isArray(arg)) return false;
  let ok = true;
  for (let i = 0; i < arg.length; i++) if (!isNumeric(arg[i])) ok = false;
  return ok;
}

export function isArrayOfStrings(arg: unknown): boolean {
  if (!Array.isArray(arg)) return false;
  for (let i = 0; i < arg.length; i++) if (typeof arg[i] !== 'string') return false;
  return true;
}

/**
 * The end of jsonata's `evaluate()`: a sequence that is not a tuple stream
 * becomes undefined when empty and its only item when a singleton (unless
 * flagged to keep it).
 */
export function norm(r: any): any {
  if (r && r.sequence === true && Array.isArray(r) && !(r as Seq).tupleStream) {
    if (r.length === 0) return undefined;
    if (r.length === 1) return (r as Seq).keepSingleton ? r : r[0];
  }
  return r;
}

/** `norm` for a node marked `[]` (keep singleton arrays). */
export function normKeep(r: any): any {
  if (r && r.sequence === true && Array.isArray(r) && !(r as Seq).tupleStream) {
    (r as Seq).keepSingleton = true;
    if (r.length === 0) return undefined;
  }
  return r;
}

/** functions.lookup: a field of an object, or of every item of an array (flattened). */
export function lookup(input: any, key: string): any {
  if (Array.isArray(input)) {
    const result = seq();
    for (let i = 0; i < input.length; i++) {
      const res = lookup(input[i], key);
      if (res !== undefined) {
        if (Array.isArray(res)) for (let j = 0; j < res.length; j++) result.push(res[j]);
        else result.push(res);
      }
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && hasOwn.call(input, key) && input._jsonata_function !== true && input._jsonata_lambda !== true) {
    return input[key];
  }
  return undefined;
}

/** functions.boolean: jsonata's effective boolean value (undefined stays undefined). */
export function toBoolean(arg: any): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    if (arg.length > 1) {
      let any = false;
      for (let i = 0; i < arg.length; i++) if (toBoolean(arg[i])) any = true;
      return any;
    }
    return false;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (typeof arg === 'number') return isNumeric(arg) && arg !== 0;
  if (arg !== null && typeof arg === 'object' && !isFunction(arg)) {
    for (const _k in arg) if (hasOwn.call(arg, _k)) return true;
    return false;
  }
  return arg === true;
}

/** Boolean operands of `and` / `or`: undefined counts as false. */
export function boolize(value: unknown): boolean {
  return toBoolean(value) === true;
}

/** functions.append with the evaluator's focus (no sequence length limit). */
export function append(arg1: any, arg2: any): any {
  if (arg1 === undefined) return arg2;
  if (arg2 === undefined) return arg1;
  if (!Array.isArray(arg1)) arg1 = seq1(arg1);
  if (!Array.isArray(arg2)) arg2 = [arg2];
  return arg1.concat(arg2);
}

/** evaluateWildcard */
export function wildcard(input: any): Seq {
  let results: any = seq();
  if (Array.isArray(input) && (input as Seq).outerWrapper && input.length > 0) input = input[0];
  if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of Object.keys(input)) {
      const value = input[key];
      if (Array.isArray(value)) results = append(results, flatten(value, []));
      else results.push(value);
    }
  }
  return results;
}

function flatten(arg: unknown, flattened: unknown[]): unknown[] {
  if (Array.isArray(arg)) for (const item of arg) flatten(item, flattened);
  else flattened.push(arg);
  return flattened;
}

/** evaluateDescendants */
export function descendants(input: unknown): unknown {
  if (input === undefined) return undefined;
  const resultSequence = seq();
  recurseDescendants(input, resultSequence);
  return resultSequence.length === 1 ? resultSequence[0] : resultSequence;
}

function recurseDescendants(input: any, results: unknown[]): void {
  if (!Array.isArray(input)) results.push(input);
  if (Array.isArray(input)) {
    for (const member of input) recurseDescendants(member, results);
  } else if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of Object.keys(input)) recurseDescendants(input[key], results);
  }
}

/** Flattens the collected results of a path step, as evaluateStep does. */
export function flattenStep(result: unknown[], lastStep: boolean): Seq {
  if (lastStep && result.length === 1 && Array.isArray(result[0]) && !isSeq(result[0])) return result[0] as Seq;
  const out = seq();
  for (let i = 0; i < result.length; i++) {
    const res = result[i] as Seq;
    if (!Array.isArray(res) || res.cons) out.push(res);
    else for (let j = 0; j < res.length; j++) out.push(res[j]);
  }
  return out;
}

/** Marks an array constructor result as built inside a path (not to be flattened). */
export function cons(arr: unknown[]): unknown[] {
  Object.defineProperty(arr, 'cons', { enumerable: false, configurable: false, value: true });
  return arr;
}

/**
 * How many times a predicate result selects item `index` of `length` items:
 * numbers (and arrays of numbers) select by position, anything else by its
 * boolean value (evaluateFilter).
 */
export function predicateHits(res: any, index: number, length: number): number {
  if (isNumeric(res)) res = [res];
  if (isArrayOfNumbers(res)) {
    let hits = 0;
    for (let i = 0; i < res.length; i++) {
      let ii = Math.floor(res[i]);
      if (ii < 0) ii = length + ii;
      if (ii === index) hits++;
    }
    return hits;
  }
  return toBoolean(res) ? 1 : 0;
}

/** A numeric-literal predicate (`[0]`, `[-1]`) applied to a value (evaluateFilter). */
export function pickIndex(input: any, value: number): any {
  const arr: any = Array.isArray(input) ? input : seq1(input);
  let results: any = seq();
  if (input?.tupleStream) results.tupleStream = true;
  let index = Math.floor(value);
  if (index < 0) index = arr.length + index;
  const item = arr[index];
  if (item !== undefined) {
    if (Array.isArray(item)) results = item;
    else results.push(item);
  }
  return results;
}

/**
 * Sets a key on an output object. Plain objects are fast, but `__proto__`
 * must become an own property rather than replace the prototype.
 */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** The root input when it is an array: wrapped so it is treated as one value. */
export function outerWrapper(input: unknown[]): Seq {
  const s = seq1(input);
  s.outerWrapper = true;
  return s;
}

/** The variables a `$eval` expression sees: the bindings, then the caller's visible variables. */
export function scopeObject(bindings: Record<string, unknown> | undefined, names: string[], values: unknown[], unbound: unknown): Record<string, unknown> {
  const scope: Record<string, unknown> = Object.create(null);
  if (bindings) for (const k of Object.keys(bindings)) scope[k] = bindings[k];
  for (let i = 0; i < names.length; i++) if (values[i] !== unbound) scope[names[i]] = values[i];
  return scope;
}
