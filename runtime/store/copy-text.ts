/**
 * Encoders for COPY's text format: fields split by tabs, rows by newlines,
 * `\N` for null, backslash escapes inside values.
 */

import { jsonTextOf } from '../../nodes/formats/json-text.ts';

export const NULL_FIELD = '\\N';

const SPECIAL = /[\\\t\n\r\0]/;

function escapeChar(c: string): string {
  switch (c) {
    case '\\': return '\\\\';
    case '\t': return '\\t';
    case '\n': return '\\n';
    case '\r': return '\\r';
    // Postgres text cannot hold NUL; keep the record, mark the character.
    default: return '\uFFFD';
  }
}

/** A text value as a COPY field. */
export function textField(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL_FIELD;
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r\0]/g, escapeChar) : value;
}

/** A number (int, numeric) as a COPY field; non-finite numbers become null. */
export function numberField(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : NULL_FIELD;
}

/** Epoch ms as a timestamptz COPY field. */
export function timeField(ms: number | null | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? isoTime(ms) : NULL_FIELD;
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let dayStart = Number.NaN;
let dayText = '';

/**
 * `new Date(ms).toISOString()`, the date part made once per day: the times of a run's records
 * mostly fall on a few days. Times that are no whole ms, or whose year is not of four digits, go
 * the long way.
 */
function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (day !== dayStart) {
    const iso = new Date(day).toISOString();
    // 'YYYY-MM-DDT', or '' for a year of more or fewer digits.
    dayText = iso.length === 24 ? iso.slice(0, 11) : '';
    dayStart = day;
  }
  if (dayText === '' || !Number.isInteger(ms)) return new Date(ms).toISOString();
  let rest = ms - day;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${dayText}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${THREE_DIGITS[milli]}Z`;
}

/**
 * `timeField` for a column whose value mostly repeats from one row to the next (the traces of a
 * chunk finish within the same millisecond): the last value's text is kept and given again.
 */
export function repeatedTimeField(): (ms: number | null | undefined) => string {
  let lastMs: number | null | undefined = Number.NaN;
  let lastText = NULL_FIELD;
  return (ms) => {
    if (ms !== lastMs) {
      lastText = timeField(ms);
      lastMs = ms;
    }
    return lastText;
  };
}

// jsonb refuses \u0000 in strings; an escaped backslash before "u0000" is not one.
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** JSON text for a json column (serialised once; undefined becomes null). */
export function jsonText(value: unknown): string | null {
  if (value === undefined) return null;
  return storable(JSON.stringify(value));
}

/**
 * JSON text of a record snapshot, shared with a target that wrote the same
 * record object (see jsonTextOf).
 */
export function snapshotJsonText(value: unknown): string | null {
  if (value === undefined) return null;
  return storable(jsonTextOf(value));
}

function storable(json: string | undefined): string | null {
  if (json === undefined) return null;
  return json.includes('\\u0000') ? json.replace(JSON_NUL, '$1\\ufffd') : json;
}

/** A jsonb COPY field from JSON text: JSON never holds raw tabs or newlines, only backslashes to double. */
export function jsonField(json: string | null): string {
  if (json === null) return NULL_FIELD;
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
}

function arrayElement(value: string): string {
  return `"${/["\\]/.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
}

/** A text[] COPY field: an array literal with every element quoted, then COPY-escaped. */
export function textArrayField(values: readonly string[] | null | undefined): string {
  if (!values) return NULL_FIELD;
  return textField(`{${values.map((v) => arrayElement(String(v).replace(/\0/g, '\uFFFD'))).join(',')}}`);
}

/**
 * `textArrayField` for a column whose value mostly repeats from one row to the next (the paths of
 * records that took the same way through the flow): the last value's text is given again when
 * every element is the same.
 */
export function repeatedTextArrayField(): (values: readonly string[] | null | undefined) => string {
  let last: readonly string[] | null | undefined;
  let lastText = NULL_FIELD;
  return (values) => {
    if (values !== last && !(values && last && sameElements(values, last))) {
      lastText = textArrayField(values);
      last = values ? values.slice() : values;
    }
    return lastText;
  };
}

function sameElements(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
