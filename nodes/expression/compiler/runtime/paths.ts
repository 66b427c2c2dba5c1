/**
 * Runtime pieces of paths, grouping, order-by and transforms that compiled
 * code calls: the object walk for plain field paths (with the general
 * sequence rules as soon as an array appears), step flattening, the grouping
 * table of object constructors and the order-by comparison.
 */
import { charge } from '../../output-limit.ts';
import type { EvalState } from './state.ts';
import { append, hasOwn, isArrayOfStrings, jerr, lookup, norm, seq, seq1, setKey, type Seq } from './values.ts';

function isFunctionObject(o: any): boolean {
  return o._jsonata_function === true || o._jsonata_lambda === true;
}

/** evaluateStep for a plain field name over a sequence. */
function stepName(input: unknown[], name: string, last: boolean): Seq {
  const out = seq();
  let count = 0;
  let first: any;
  for (let i = 0; i < input.length; i++) {
    const r = norm(lookup(input[i], name));
    if (r !== undefined) {
      count++;
      first = r;
      pushFlat(out, r);
    }
  }
  if (last && count === 1 && Array.isArray(first) && (first as Seq).sequence !== true) return first as Seq;
  return out;
}

/** evaluatePath for plain field names from a prepared input sequence; the result unwrapped. */
export function pathNames(input: unknown[], names: readonly string[]): unknown {
  let res: Seq | undefined;
  let current = input;
  for (let i = 0; i < names.length; i++) {
    res = stepName(current, names[i], i === names.length - 1);
    if (res.length === 0) break;
    current = res;
  }
  return norm(res);
}

/** A path of plain field names from the context `input`, e.g. `order.customer.name`. */
export function walk(input: unknown, names: readonly string[]): unknown {
  let cur: any = input;
  for (let i = 0; i < names.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) return pathNames(Array.isArray(input) ? input : seq1(input), names);
    if (!hasOwn.call(cur, names[i]) || isFunctionObject(cur)) return undefined;
    cur = cur[names[i]];
  }
  if (Array.isArray(cur) && (cur as Seq).sequence === true) return pathNames(Array.isArray(input) ? input : seq1(input), names);
  return cur;
}

/** `walk` for a single field name. */
export function walk1(input: any, name: string): unknown {
  if (input === null || typeof input !== 'object') return undefined;
  if (Array.isArray(input)) return pathNames(input, [name]);
  if (!hasOwn.call(input, name) || isFunctionObject(input)) return undefined;
  const v = input[name];
  if (Array.isArray(v) && (v as Seq).sequence === true) return pathNames(seq1(input), [name]);
  return v;
}

/** A path `$var.a.b`: the variable's value then plain field names. */
export function walkFrom(value: any, names: readonly string[]): unknown {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return walk(value, names);
  // The first step's result is flattened unless it is an array constructor.
  const input = (value as Seq).cons ? seq1(value) : value;
  return pathNames(input, names);
}

/** norm(lookup(input, key)): a step of one field name on one item. */
export function lookupNorm(input: any, key: string): unknown {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    return hasOwn.call(input, key) && !isFunctionObject(input) ? norm(input[key]) : undefined;
  }
  return norm(lookup(input, key));
}

/** The input sequence for the steps after a walked prefix of plain names. */
export function stepInput(pre: any): Seq {
  if (pre === undefined) return seq();
  // An empty result must stay a sequence: it becomes the path's (unwrapped) result.
  if (Array.isArray(pre) && !(pre as Seq).cons) return pre.length === 0 ? seq() : pre;
  return seq1(pre);
}

/** Adds a step result to the step's output: arrays are flattened unless built by a constructor. */
export function pushFlat(out: unknown[], r: any, always = false, st?: EvalState): void {
  if (Array.isArray(r) && (always || !(r as Seq).cons)) {
    // An array constructor spreading lists (`[$a, $a]`) is counted: doubling in a loop would exhaust memory.
    if (st) charge(st.budget, r.length, '[…]');
    for (let j = 0; j < r.length; j++) out.push(r[j]);
  } else out.push(r);
}

/** The context of the values of an object constructor with literal keys: all items, appended. */
export function groupData(input: any): unknown {
  if (!Array.isArray(input)) return input;
  if (input.length === 0) return undefined;
  let data = input[0];
  for (let i = 1; i < input.length; i++) data = append(data, input[i]);
  return data;
}

/** The items an object constructor groups (a non-array is one item; none is one undefined item). */
export function groupItems(input: any): unknown[] {
  if (!Array.isArray(input)) return [input];
  return input.length === 0 ? [undefined] : input;
}

interface GroupEntry {
  data: unknown;
  idx: number;
}

/** Adds an item under its key (T1003, D1013, D1009 as evaluateGroupExpression). */
export function groupAdd(groups: Record<string, GroupEntry>, key: unknown, idx: number, item: unknown, position?: number): void {
  if (typeof key !== 'string' && key !== undefined) throw jerr('T1003', { position, value: key });
  if (key === undefined) return;
  if (key === '_jsonata_lambda' || key === '_jsonata_function') throw jerr('D1013', { position, value: key });
  if (hasOwn.call(groups, key)) {
    if (groups[key].idx !== idx) throw jerr('D1009', { position, value: key });
    groups[key].data = append(groups[key].data, item);
  } else groups[key] = { data: item, idx };
}

/** One order-by term compared (evaluateSortExpression): -1, 0 or 1; undefined sorts last. */
export function sortCompare(aa: any, bb: any, descending: boolean, position?: number): number {
  const atype = typeof aa;
  const btype = typeof bb;
  if (atype === 'undefined') return btype === 'undefined' ? 0 : 1;
  if (btype === 'undefined') return -1;
  if (!(atype === 'string' || atype === 'number') || !(btype === 'string' || btype === 'number')) {
    throw jerr('T2008', { position, value: !(atype === 'string' || atype === 'number') ? aa : bb });
  }
  if (atype !== btype) throw jerr('T2007', { position, value: aa, value2: bb });
  if (aa === bb) return 0;
  const comp = aa < bb ? -1 : 1;
  return descending ? -comp : comp;
}

/** Merges a transform's update object into a match (T2011). */
export function transformUpdate(match: any, update: any, position?: number): void {
  if (update === undefined) return;
  if (typeof update !== 'object' || update === null || Array.isArray(update)) throw jerr('T2011', { position, value: update });
  for (const prop of Object.keys(update)) setKey(match, prop, update[prop]);
}

/** Deletes a transform's listed properties from a match (T2012). */
export function transformDelete(match: any, deletions: any, position?: number): void {
  if (deletions === undefined) return;
  const val = deletions;
  const list = Array.isArray(deletions) ? deletions : [deletions];
  if (!isArrayOfStrings(list)) throw jerr('T2012', { position, value: val });
  for (const name of list) if (typeof match === 'object' && match !== null) delete match[name];
}
