/**
 * JSONata's operators with the reference implementation's type rules and
 * error codes (evaluateNumericExpression, evaluateComparisonExpression, …).
 * The error is thrown with the operator's position and token, as the
 * reference's evaluateBinary does.
 */
import { outputExceeded } from '../../output-limit.ts';
import type { EvalState } from './state.ts';
import { isNumeric, jerr, seq, type Seq } from './values.ts';
import { jsonString } from './strings.ts';

function opError(code: string, position: number | undefined, token: string, extra: Record<string, unknown>): never {
  throw jerr(code, { position, token, ...extra });
}

/** `+ - * / %` with T2001 / T2002 checks; undefined when either side is. */
export function arith(lhs: any, rhs: any, op: string, position?: number): number | undefined {
  let lnum: boolean;
  let rnum: boolean;
  try {
    lnum = lhs === undefined || isNumeric(lhs);
    if (!lnum) opError('T2001', position, op, { value: lhs });
    rnum = rhs === undefined || isNumeric(rhs);
    if (!rnum) opError('T2002', position, op, { value: rhs });
  } catch (err) {
    (err as { position?: number }).position = position;
    (err as { token?: string }).token = op;
    throw err;
  }
  if (lhs === undefined || rhs === undefined) return undefined;
  switch (op) {
    case '+':
      return lhs + rhs;
    case '-':
      return lhs - rhs;
    case '*':
      return lhs * rhs;
    case '/':
      return lhs / rhs;
    default:
      return lhs % rhs;
  }
}

/** Numeric operator fast path: both finite numbers, else the checked version. */
export function add(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' && l - l === 0 && r - r === 0 ? l + r : arith(l, r, '+', p);
}
export function sub(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' && l - l === 0 && r - r === 0 ? l - r : arith(l, r, '-', p);
}
export function mul(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' && l - l === 0 && r - r === 0 ? l * r : arith(l, r, '*', p);
}
export function div(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' && l - l === 0 && r - r === 0 ? l / r : arith(l, r, '/', p);
}
export function mod(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' && l - l === 0 && r - r === 0 ? l % r : arith(l, r, '%', p);
}

/** utils.isDeepEqual */
export function deepEqual(lhs: any, rhs: any): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) return false;
      for (let i = 0; i < lhs.length; i++) if (!deepEqual(lhs[i], rhs[i])) return false;
      return true;
    }
    const lkeys = Object.getOwnPropertyNames(lhs).sort();
    const rkeys = Object.getOwnPropertyNames(rhs).sort();
    if (lkeys.length !== rkeys.length) return false;
    for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
    for (let i = 0; i < lkeys.length; i++) if (!deepEqual(lhs[lkeys[i]], rhs[lkeys[i]])) return false;
    return true;
  }
  return false;
}

/** `=`: false when either side is undefined. */
export function eq(lhs: any, rhs: any): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  return lhs === rhs || deepEqual(lhs, rhs);
}

/** `!=`: false when either side is undefined. */
export function ne(lhs: any, rhs: any): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  return !(lhs === rhs || deepEqual(lhs, rhs));
}

/** `< <= > >=`: numbers or strings of the same type (T2010, T2009); undefined when either side is. */
export function compare(lhs: any, rhs: any, op: string, position?: number): boolean | undefined {
  const ltype = typeof lhs;
  const rtype = typeof rhs;
  const lcomparable = ltype === 'undefined' || ltype === 'string' || ltype === 'number';
  const rcomparable = rtype === 'undefined' || rtype === 'string' || rtype === 'number';
  if (!lcomparable || !rcomparable) {
    opError('T2010', position, op, { value: !(ltype === 'string' || ltype === 'number') ? lhs : rhs });
  }
  if (ltype === 'undefined' || rtype === 'undefined') return undefined;
  if (ltype !== rtype) opError('T2009', position, op, { value: lhs, value2: rhs });
  switch (op) {
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    default:
      return lhs >= rhs;
  }
}

export function lt(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' ? l < r : compare(l, r, '<', p);
}
export function le(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' ? l <= r : compare(l, r, '<=', p);
}
export function gt(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' ? l > r : compare(l, r, '>', p);
}
export function ge(l: any, r: any, p?: number): any {
  return typeof l === 'number' && typeof r === 'number' ? l >= r : compare(l, r, '>=', p);
}

/** `&`: string concatenation through $string (D3001 on non-finite numbers). */
export function concat(lhs: any, rhs: any, position?: number, st?: EvalState): string {
  try {
    const l = lhs === undefined ? '' : typeof lhs === 'string' ? lhs : (jsonString(lhs) as string);
    const r = rhs === undefined ? '' : typeof rhs === 'string' ? rhs : (jsonString(rhs) as string);
    // One string may not outgrow the output limit (not counted in total: building a text piece by piece would count it n² times).
    if (st && l.length + r.length > st.budget.limit) outputExceeded(st.budget.limit, '&');
    return l + r;
  } catch (err) {
    (err as { position?: number }).position = position;
    (err as { token?: string }).token = '&';
    throw err;
  }
}

/** `in`: strict membership in an array (or equality with a single value). */
export function includes(lhs: any, rhs: any): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  if (!Array.isArray(rhs)) return rhs === lhs;
  for (let i = 0; i < rhs.length; i++) if (rhs[i] === lhs) return true;
  return false;
}

/** `..`: the integers from lhs to rhs (T2003, T2004, D2014). */
export function range(lhs: any, rhs: any, position?: number): Seq | undefined {
  if (lhs !== undefined && !Number.isInteger(lhs)) opError('T2003', position, '..', { value: lhs });
  if (rhs !== undefined && !Number.isInteger(rhs)) opError('T2004', position, '..', { value: rhs });
  if (lhs === undefined || rhs === undefined) return undefined;
  if (lhs > rhs) return undefined;
  const size = rhs - lhs + 1;
  if (size > 1e7) opError('D2014', position, '..', { value: size });
  const result: Seq = new Array(size);
  for (let item = lhs, index = 0; item <= rhs; item++, index++) result[index] = item;
  result.sequence = true;
  return result;
}

/** Unary minus (D1002). */
export function negate(value: any, position?: number): number | undefined {
  if (value === undefined) return undefined;
  if (isNumeric(value)) return -value;
  throw jerr('D1002', { position, token: '-', value });
}

export { seq };
