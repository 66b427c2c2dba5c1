/**
 * The built-in functions that call back into expressions ($map, $filter,
 * $single, $reduce, $sift, $each, $sort) and the regex-aware string
 * functions ($match, $contains, $replace, $split), ported from jsonata's
 * functions.js without `async`: the reference awaits every callback, compiled
 * code calls synchronously. Parameter lists match the originals (arity and
 * partial application read them). `this` is the evaluation's focus.
 */
import { LinearRegExp } from '../../linear-regex.ts';
import { arityOf, call } from './apply.ts';
import { tick, type Focus } from './state.ts';
import { hasOwn, isArrayOfNumbers, isArrayOfStrings, isFunction, jerr, seq, toBoolean } from './values.ts';

function hofArgs(func: unknown, arg1: unknown, arg2: unknown, arg3: unknown): unknown[] {
  const length = arityOf(func);
  if (length >= 2) return length >= 3 ? [arg1, arg2, arg3] : [arg1, arg2];
  return [arg1];
}

export function map(this: Focus, arr: any, func: any) {
  if (arr === undefined) return undefined;
  const st = this.st;
  const d = st.d;
  const result = seq();
  for (let i = 0; i < arr.length; i++) {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    const res = call(func, hofArgs(func, arr[i], i, arr), null, st);
    if (res !== undefined) result.push(res);
  }
  return result;
}

export function filter(this: Focus, arr: any, func: any) {
  if (arr === undefined) return undefined;
  const st = this.st;
  const d = st.d;
  const result = seq();
  for (let i = 0; i < arr.length; i++) {
    const entry = arr[i];
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    if (toBoolean(call(func, hofArgs(func, entry, i, arr), null, st))) result.push(entry);
  }
  return result;
}

export function single(this: Focus, arr: any, func: any) {
  if (arr === undefined) return undefined;
  const st = this.st;
  const d = st.d;
  let hasFoundMatch = false;
  let result;
  for (let i = 0; i < arr.length; i++) {
    const entry = arr[i];
    let positiveResult = true;
    if (func !== undefined) {
      st.d = d;
      if (--st.ticks <= 0) tick(st);
      positiveResult = toBoolean(call(func, hofArgs(func, entry, i, arr), null, st)) as boolean;
    }
    if (positiveResult) {
      if (!hasFoundMatch) {
        result = entry;
        hasFoundMatch = true;
      } else throw jerr('D3138', { index: i });
    }
  }
  if (!hasFoundMatch) throw jerr('D3139');
  return result;
}

export function foldLeft(this: Focus, sequence: any, func: any, init: any) {
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
  while (index < sequence.length) {
    const args = [result, sequence[index]];
    if (arity >= 3) args.push(index);
    if (arity >= 4) args.push(sequence);
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    result = call(func, args, null, st);
    index++;
  }
  return result;
}

export function sift(this: Focus, arg: any, func: any) {
  const st = this.st;
  const d = st.d;
  let result: any = Object.create(null);
  for (const item of typeof arg === 'object' && arg !== null ? Object.keys(arg) : []) {
    const entry = arg[item];
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    if (toBoolean(call(func, hofArgs(func, entry, item, arg), null, st))) result[item] = entry;
  }
  if (Object.keys(result).length === 0) result = undefined;
  return result;
}

export function each(this: Focus, obj: any, func: any) {
  const st = this.st;
  const d = st.d;
  const result = seq();
  for (const key of typeof obj === 'object' && obj !== null ? Object.keys(obj) : []) {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    const val = call(func, hofArgs(func, obj[key], key, obj), null, st);
    if (val !== undefined) result.push(val);
  }
  return result;
}

/**
 * jsonata's stable merge sort, with the same order of comparisons; `swap(a, b)`
 * true puts b first. Iterative merging keeps deep arrays off the call stack.
 */
export function mergeSort<T>(arr: T[], swap: (a: T, b: T) => unknown): T[] {
  if (arr.length <= 1) return arr;
  const middle = Math.floor(arr.length / 2);
  const left = mergeSort(arr.slice(0, middle), swap);
  const right = mergeSort(arr.slice(middle), swap);
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (swap(left[i], right[j])) merged.push(right[j++]);
    else merged.push(left[i++]);
  }
  while (i < left.length) merged.push(left[i++]);
  while (j < right.length) merged.push(right[j++]);
  return merged;
}

export function sort(this: Focus, arr: any, comparator: any) {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  if (comparator === undefined) {
    if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw jerr('D3070', { index: 1 });
    return mergeSort(arr, (a: any, b: any) => a > b);
  }
  const st = this.st;
  const d = st.d;
  return mergeSort(arr, (a, b) => {
    st.d = d;
    if (--st.ticks <= 0) tick(st);
    return call(comparator, [a, b], null, st);
  });
}

function evaluateMatcher(focus: Focus, matcher: unknown, str: unknown): any {
  // jsonata calls `matcher.apply(…)`: a missing matcher is a TypeError there, not T1006.
  if (matcher === undefined || matcher === null) throw new TypeError(`Cannot read properties of ${matcher} (reading 'apply')`);
  const result: any = call(matcher, [str], null, focus.st);
  if (result && !(typeof result.start === 'number' || result.end === 'number' || Array.isArray(result.groups) || isFunction(result.next))) {
    throw jerr('T1010');
  }
  return result;
}

export function contains(this: Focus, str: any, token: any) {
  if (str === undefined || token === undefined) return undefined;
  if (typeof token === 'string') return str.indexOf(token) !== -1;
  return evaluateMatcher(this, token, str) !== undefined;
}

export function match(this: Focus, str: any, regex: any, limit: any) {
  if (str === undefined) return undefined;
  if (limit < 0) throw jerr('D3040', { value: limit, index: 3 });
  const result = seq();
  if (limit === undefined || limit > 0) {
    let count = 0;
    let matches = evaluateMatcher(this, regex, str);
    while (matches !== undefined && (limit === undefined || count < limit)) {
      // a matcher that never ends (e.g. a regex without the global flag) stops at the time limit
      if (--this.st.ticks <= 0) tick(this.st);
      result.push({ match: matches.match, index: matches.start, groups: matches.groups });
      matches = evaluateMatcher(this, matches.next, undefined);
      count++;
    }
  }
  return result;
}

/** `$1`… substitution of a replacement string (functions.replace). */
export function substituteGroups(replacement: string, regexMatch: any): string {
  let substitute = '';
  let position = 0;
  let index = replacement.indexOf('$', position);
  while (index !== -1 && position < replacement.length) {
    substitute += replacement.substring(position, index);
    position = index + 1;
    const dollarVal = replacement.charAt(position);
    if (dollarVal === '$') {
      substitute += '$';
      position++;
    } else if (dollarVal === '0') {
      substitute += regexMatch.match;
      position++;
    } else {
      const maxDigits = regexMatch.groups.length === 0 ? 1 : Math.floor(Math.log(regexMatch.groups.length) * Math.LOG10E) + 1;
      index = parseInt(replacement.substring(position, position + maxDigits), 10);
      if (maxDigits > 1 && index > regexMatch.groups.length) {
        index = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
      }
      if (!Number.isNaN(index)) {
        if (regexMatch.groups.length > 0) {
          const submatch = regexMatch.groups[index - 1];
          if (submatch !== undefined) substitute += submatch;
        }
        position += index.toString().length;
      } else {
        substitute += '$';
      }
    }
    index = replacement.indexOf('$', position);
  }
  return substitute + replacement.substring(position);
}

export function replace(this: Focus, str: any, pattern: any, replacement: any, limit: any) {
  if (str === undefined) return undefined;
  if (pattern === '') throw jerr('D3010', { value: pattern, index: 2 });
  if (limit < 0) throw jerr('D3011', { value: limit, index: 4 });
  const st = this.st;
  const replacer =
    typeof replacement === 'string'
      ? (m: any) => substituteGroups(replacement, m)
      : (m: any) => call(replacement, [m], null, st);
  let result = '';
  let position = 0;
  if (limit === undefined || limit > 0) {
    let count = 0;
    if (typeof pattern === 'string') {
      let index = str.indexOf(pattern, position);
      while (index !== -1 && (limit === undefined || count < limit)) {
        result += str.substring(position, index);
        result += replacement;
        position = index + pattern.length;
        count++;
        index = str.indexOf(pattern, position);
      }
      result += str.substring(position);
    } else {
      let matches = evaluateMatcher(this, pattern, str);
      if (matches !== undefined) {
        while (matches !== undefined && (limit === undefined || count < limit)) {
          if (--st.ticks <= 0) tick(st);
          result += str.substring(position, matches.start);
          const replacedWith = replacer(matches);
          if (typeof replacedWith === 'string') result += replacedWith;
          else throw jerr('D3012', { value: replacedWith });
          position = matches.start + matches.match.length;
          count++;
          matches = evaluateMatcher(this, matches.next, undefined);
        }
        result += str.substring(position);
      } else result = str;
    }
  } else result = str;
  return result;
}

export function split(this: Focus, str: any, separator: any, limit: any) {
  if (str === undefined) return undefined;
  if (limit < 0) throw jerr('D3020', { value: limit, index: 3 });
  let result: string[] = [];
  if (limit === undefined || limit > 0) {
    if (typeof separator === 'string') {
      result = str.split(separator, limit);
    } else {
      let count = 0;
      let matches = evaluateMatcher(this, separator, str);
      if (matches !== undefined) {
        let start = 0;
        while (matches !== undefined && (limit === undefined || count < limit)) {
          if (--this.st.ticks <= 0) tick(this.st);
          result.push(str.substring(start, matches.start));
          start = matches.end;
          matches = evaluateMatcher(this, matches.next, undefined);
          count++;
        }
        if (limit === undefined || count < limit) result.push(str.substring(start));
      } else result.push(str);
    }
  }
  return result;
}

/** evaluateRegex: a matcher function over a compiled regular expression literal. */
export function regexMatcher(source: RegExp, position: number | undefined): (str: string, fromIndex?: number) => unknown {
  const re = new LinearRegExp(source);
  const closure = (str: string, fromIndex?: number): unknown => {
    re.lastIndex = fromIndex || 0;
    const m = re.exec(str);
    if (m === null) return undefined;
    const result: any = { match: m[0], start: m.index, end: m.index + m[0].length, groups: [] as string[] };
    for (let i = 1; i < m.length; i++) result.groups.push(m[i]);
    result.next = () => {
      if (re.lastIndex >= str.length) return undefined;
      const next: any = closure(str, re.lastIndex);
      if (next && next.match === '') throw jerr('D1004', { position, value: source.source });
      return next;
    };
    return result;
  };
  return closure;
}

export { hasOwn };
