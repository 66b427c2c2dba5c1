/**
 * String conversion as jsonata's `$string` does it (functions.string): numbers
 * rounded to 15 significant digits, functions as "", non-finite numbers an
 * error (D3001). Used by `&`, `$string` and `$join` paths of compiled code.
 */
import { isFunction, isNumeric, jerr } from './values.ts';

function replacer(_key: string, val: any): any {
  if (val !== undefined && val !== null && isNumeric(val)) {
    return val.toPrecision && !Number.isInteger(val) ? Number(val.toPrecision(15)) : val;
  }
  return val && isFunction(val) ? '' : val;
}

/** functions.string(arg, prettify) */
export function jsonString(arg: any, prettify = false): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'number') {
    if (!Number.isFinite(arg)) throw jerr('D3001', { value: arg });
    return Number.isInteger(arg) ? String(arg) : String(Number(arg.toPrecision(15)));
  }
  if (typeof arg === 'boolean') return arg ? 'true' : 'false';
  if (isFunction(arg)) return '';
  if (Array.isArray(arg) && (arg as { outerWrapper?: boolean }).outerWrapper) arg = arg[0];
  return JSON.stringify(arg, replacer, prettify ? 2 : 0);
}
