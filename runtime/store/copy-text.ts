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
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : NULL_FIELD;
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
