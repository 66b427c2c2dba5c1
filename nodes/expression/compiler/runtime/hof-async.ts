/**
 * The callback built-ins of hof.ts for asynchronous evaluation: identical
 * logic, awaiting each callback (as jsonata's own functions.js does).
 */
import { arityOf } from './apply.ts';
import { callA } from './apply-async.ts';
import { tick, type Focus } from './state.ts';
import { replace as replaceSync, substituteGroups } from './hof.ts';
import { isArrayOfNumbers, isArrayOfStrings, isFunction, jerr, seq, toBoolean } from './values.ts';

function hofArgs(func: unknown, arg1: unknown, arg2: unknown, arg3: unknown): unknown[] {
  const length = arityOf(func);
  if (length >= 2) return length >= 3 ? [arg1, arg2, arg3] : [arg1, arg2];
  return [arg1];
}

export async function map(this: Focus, arr: any, func: any) {
  if (arr === undefined) return undefined;
  const st = this.st;
  const d = st.d;
  const result = seq();
  for (let i = 0; i < arr.length; i++) {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    const res = await callA(func, hofArgs(func, arr[i], i, arr), null, st);
    if (res !== undefined) result.push(res);
  }
  return result;
}

export async function filter(this: Focus, arr: any, func: any) {
  if (arr === undefined) return undefined;
  const st = this.st;
  const d = st.d;
  const result = seq();
  for (let i = 0; i < arr.length; i++) {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    if (toBoolean(await callA(func, hofArgs(func, arr[i], i, arr), null, st))) result.push(arr[i]);
  }
  return result;
}

export async function single(this: Focus, arr: any, func: any) {
  if (arr === undefined) return undefined;
  const st = this.st;
  const d = st.d;
  let found = false;
  let result;
  for (let i = 0; i < arr.length; i++) {
    let positive = true;
    if (func !== undefined) {
      st.d = d;
      if (--st.ticks <= 0) tick(st);
      positive = toBoolean(await callA(func, hofArgs(func, arr[i], i, arr), null, st)) as boolean;
    }
    if (positive) {
      if (found) throw jerr('D3138', { index: i });
      result = arr[i];
      found = true;
    }
  }
  if (!found) throw jerr('D3139');
  return result;
}

export async function foldLeft(this: Focus, sequence: any, func: any, init: any) {
  if (sequence === undefined) return undefined;
  const st = this.st;
  const d = st.d;
  const arity = arityOf(func);
  if (arity < 2) throw jerr('D3050', { index: 1 });
  let result;
  let index;
  if (init === undefined && sequence.length > 0) {
    result = sequence[0];
    index = 1;
  } else {
    result = init;
    index = 0;
  }
  for (; index < sequence.length; index++) {
    const args = [result, sequence[index]];
    if (arity >= 3) args.push(index);
    if (arity >= 4) args.push(sequence);
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    result = await callA(func, args, null, st);
  }
  return result;
}

export async function sift(this: Focus, arg: any, func: any) {
  const st = this.st;
  const d = st.d;
  let result: any = Object.create(null);
  for (const item of typeof arg === 'object' && arg !== null ? Object.keys(arg) : []) {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    if (toBoolean(await callA(func, hofArgs(func, arg[item], item, arg), null, st))) result[item] = arg[item];
  }
  if (Object.keys(result).length === 0) result = undefined;
  return result;
}

export async function each(this: Focus, obj: any, func: any) {
  const st = this.st;
  const d = st.d;
  const result = seq();
  for (const key of typeof obj === 'object' && obj !== null ? Object.keys(obj) : []) {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    const val = await callA(func, hofArgs(func, obj[key], key, obj), null, st);
    if (val !== undefined) result.push(val);
  }
  return result;
}

/** mergeSort (hof.ts) with an asynchronous comparison. */
export async function mergeSortA<T>(arr: T[], swap: (a: T, b: T) => unknown): Promise<T[]> {
  if (arr.length <= 1) return arr;
  const middle = Math.floor(arr.length / 2);
  const left = await mergeSortA(arr.slice(0, middle), swap);
  const right = await mergeSortA(arr.slice(middle), swap);
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (await swap(left[i], right[j])) merged.push(right[j++]);
    else merged.push(left[i++]);
  }
  while (i < left.length) merged.push(left[i++]);
  while (j < right.length) merged.push(right[j++]);
  return merged;
}

export async function sort(this: Focus, arr: any, comparator: any) {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  if (comparator === undefined) {
    if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw jerr('D3070', { index: 1 });
    return mergeSortA(arr, (a: any, b: any) => a > b);
  }
  const st = this.st;
  const d = st.d;
  return mergeSortA(arr, (a, b) => {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    return callA(comparator, [a, b], null, st);
  });
}

async function evaluateMatcher(focus: Focus, matcher: unknown, str: unknown): Promise<any> {
  // jsonata calls `matcher.apply(…)`: a missing matcher is a TypeError there, not T1006.
  if (matcher === undefined || matcher === null) throw new TypeError(`Cannot read properties of ${matcher} (reading 'apply')`);
  const result: any = await callA(matcher, [str], null, focus.st);
  if (result && !(typeof result.start === 'number' || result.end === 'number' || Array.isArray(result.groups) || isFunction(result.next))) {
    throw jerr('T1010');
  }
  return result;
}

export async function contains(this: Focus, str: any, token: any) {
  if (str === undefined || token === undefined) return undefined;
  if (typeof token === 'string') return str.indexOf(token) !== -1;
  return (await evaluateMatcher(this, token, str)) !== undefined;
}

export async function match(this: Focus, str: any, regex: any, limit: any) {
  if (str === undefined) return undefined;
  if (limit < 0) throw jerr('D3040', { value: limit, index: 3 });
  const result = seq();
  if (limit === undefined || limit > 0) {
    let count = 0;
    let matches = await evaluateMatcher(this, regex, str);
    while (matches !== undefined && (limit === undefined || count < limit)) {
      if (--this.st.ticks <= 0) tick(this.st);
      result.push({ match: matches.match, index: matches.start, groups: matches.groups });
      matches = await evaluateMatcher(this, matches.next, undefined);
      count++;
    }
  }
  return result;
}

export async function replace(this: Focus, str: any, pattern: any, replacement: any, limit: any) {
  if (str === undefined) return undefined;
  // A string pattern runs no callback: the synchronous version gives the identical result.
  if (typeof pattern === 'string') return replaceSync.call(this, str, pattern, replacement, limit);
  if (limit < 0) throw jerr('D3011', { value: limit, index: 4 });
  let result = '';
  let position = 0;
  if (limit === undefined || limit > 0) {
    let count = 0;
    let matches = await evaluateMatcher(this, pattern, str);
    if (matches === undefined) return str;
    while (matches !== undefined && (limit === undefined || count < limit)) {
      if (--this.st.ticks <= 0) tick(this.st);
      result += str.substring(position, matches.start);
      const replacedWith = typeof replacement === 'string' ? substituteGroups(replacement, matches) : await callA(replacement, [matches], null, this.st);
      if (typeof replacedWith !== 'string') throw jerr('D3012', { value: replacedWith });
      result += replacedWith;
      position = matches.start + matches.match.length;
      count++;
      matches = await evaluateMatcher(this, matches.next, undefined);
    }
    return result + str.substring(position);
  }
  return str;
}

export async function split(this: Focus, str: any, separator: any, limit: any) {
  if (str === undefined) return undefined;
  if (limit < 0) throw jerr('D3020', { value: limit, index: 3 });
  const result: string[] = [];
  if (limit === undefined || limit > 0) {
    if (typeof separator === 'string') return str.split(separator, limit);
    let count = 0;
    let matches = await evaluateMatcher(this, separator, str);
    if (matches === undefined) return [str];
    let start = 0;
    while (matches !== undefined && (limit === undefined || count < limit)) {
      if (--this.st.ticks <= 0) tick(this.st);
      result.push(str.substring(start, matches.start));
      start = matches.end;
      matches = await evaluateMatcher(this, matches.next, undefined);
      count++;
    }
    if (limit === undefined || count < limit) result.push(str.substring(start));
  }
  return result;
}
