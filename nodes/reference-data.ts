/**
 * Reference (master) data held in memory for a run: set name → key → rows.
 * A set is keyed by one field or several (composite key), may hold several
 * rows per key (one-to-many), and may carry effective dates (valid from/to),
 * in which case a look-up names the date of the record.
 * Browser-safe, so the designer's preview validates against the same data.
 */
import type { ReferenceData } from './define-node.ts';
import { FlowError } from './errors.ts';

/** One reference data set as loaded: its key field(s), its rows and how they are looked up. */
export interface ReferenceDataSet {
  /** Field of each row that is the look-up key, or several fields (a composite key). */
  key: string | string[];
  rows: Record<string, unknown>[];
  /** Field holding the first day a row is valid (inclusive, `YYYY-MM-DD…`); empty: since always. */
  validFrom?: string;
  /** Field holding the last day a row is valid (inclusive); empty: open-ended. */
  validTo?: string;
  /** Several rows may share a key (one-to-many); otherwise a repeated key is a problem. */
  multiple?: boolean;
}

/** The key fields of a set, as a list. */
export const keyFieldsOf = (key: string | string[]): string[] => (Array.isArray(key) ? key : [key]);

/**
 * The look-up form of a key: its text, trimmed, so `" 4711 "`, `"4711"` and
 * `4711` find the same row. Null, undefined and objects have no key.
 */
export function referenceKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * The look-up form of a key of `fields.length` parts: one part is its text,
 * several are their texts as a JSON list (so no separator can collide).
 * Undefined when a part is missing or empty.
 */
export function compositeKey(fields: readonly string[], value: unknown): string | undefined {
  if (fields.length === 1) {
    const k = referenceKey(Array.isArray(value) && value.length === 1 ? value[0] : value);
    return k === '' ? undefined : k;
  }
  if (!Array.isArray(value) || value.length !== fields.length) return undefined;
  const parts = value.map(referenceKey);
  return parts.some((p) => p === undefined || p === '') ? undefined : JSON.stringify(parts);
}

/** The key of a row of a set keyed by `fields`. */
export const rowKey = (fields: readonly string[], row: Record<string, unknown>): string | undefined =>
  compositeKey(fields, fields.length === 1 ? row?.[fields[0]] : fields.map((f) => row?.[f]));

/** A date as `YYYY-MM-DD` (the day an ISO date or timestamp names); undefined when empty, null when not a date. */
export function effectiveDay(value: unknown): string | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  const text = value instanceof Date ? value.toISOString() : String(value).trim();
  if (text === '') return undefined;
  return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : null;
}

interface DatedRow { row: Record<string, unknown>; from: string; to: string }

const OPEN_FROM = '0000-00-00';
const OPEN_TO = '9999-99-99';

/** A repeated key, an overlap of validity periods, or a row that cannot be keyed or dated. */
export interface ReferenceSetProblem {
  /** 1-based row numbers concerned. */
  rows: number[];
  message: string;
}

function datedOf(set: ReferenceDataSet, row: Record<string, unknown>): DatedRow | string {
  const from = set.validFrom ? effectiveDay(row?.[set.validFrom]) : undefined;
  const to = set.validTo ? effectiveDay(row?.[set.validTo]) : undefined;
  if (from === null) return `${set.validFrom} "${String(row[set.validFrom!])}" is not a date (YYYY-MM-DD)`;
  if (to === null) return `${set.validTo} "${String(row[set.validTo!])}" is not a date (YYYY-MM-DD)`;
  if (from && to && to < from) return `${set.validTo} ${to} is before ${set.validFrom} ${from}`;
  return { row, from: from ?? OPEN_FROM, to: to ?? OPEN_TO };
}

/**
 * What is wrong with a set's rows: rows without a key value, dates that are
 * not dates, and (unless one-to-many) a key repeated in overlapping periods.
 */
export function referenceSetProblems(name: string, set: ReferenceDataSet): ReferenceSetProblem[] {
  const fields = keyFieldsOf(set.key);
  const problems: ReferenceSetProblem[] = [];
  const seen = new Map<string, { index: number; from: string; to: string }[]>();
  set.rows.forEach((row, index) => {
    const key = rowKey(fields, row);
    if (key === undefined) {
      problems.push({ rows: [index + 1], message: `Reference data set "${name}": row ${index + 1} has no usable value in key field${fields.length > 1 ? 's' : ''} ${fields.join(', ')}.` });
      return;
    }
    const dated = datedOf(set, row);
    if (typeof dated === 'string') {
      problems.push({ rows: [index + 1], message: `Reference data set "${name}": row ${index + 1}: ${dated}.` });
      return;
    }
    const earlier = seen.get(key) ?? [];
    const clash = set.multiple ? undefined : earlier.find((e) => e.from <= dated.to && dated.from <= e.to);
    if (clash) {
      const shown = fields.length > 1 ? JSON.parse(key).join(' / ') : key;
      const period = set.validFrom || set.validTo ? ' for overlapping validity periods' : '';
      problems.push({ rows: [clash.index + 1, index + 1], message: `Reference data set "${name}": rows ${clash.index + 1} and ${index + 1} have the same ${fields.join(' + ')} "${shown}"${period}.` });
    }
    earlier.push({ index, from: dated.from, to: dated.to });
    seen.set(key, earlier);
  });
  return problems;
}

interface IndexedSet {
  set: ReferenceDataSet;
  fields: string[];
  dated: boolean;
  byKey: Map<string, DatedRow[]>;
  first: Map<string, unknown>;
}

function indexSet(set: ReferenceDataSet): IndexedSet {
  const fields = keyFieldsOf(set.key);
  const byKey = new Map<string, DatedRow[]>();
  const first = new Map<string, unknown>();
  for (const row of set.rows) {
    const key = rowKey(fields, row);
    const dated = key === undefined ? undefined : datedOf(set, row);
    if (key === undefined || dated === undefined || typeof dated === 'string') continue;
    const list = byKey.get(key) ?? [];
    // Not one-to-many: the first row of a key is kept (master data extracts often repeat a row).
    if (!set.multiple && !set.validFrom && !set.validTo && list.length) continue;
    list.push(dated);
    byKey.set(key, list);
    if (!first.has(key)) first.set(key, row);
  }
  return { set, fields, dated: Boolean(set.validFrom || set.validTo), byKey, first };
}

function lookupIn(name: string, s: IndexedSet, key: unknown, at: unknown): unknown[] {
  if (s.fields.length > 1 && key !== undefined && (!Array.isArray(key) || key.length !== s.fields.length)) {
    throw new FlowError('mapping', `Reference data set "${name}" is keyed by ${s.fields.join(' + ')}: look it up with a list of ${s.fields.length} values, e.g. [${s.fields.map((f) => `$.${f}`).join(', ')}]`);
  }
  const k = compositeKey(s.fields, key);
  if (k === undefined) return [];
  const rows = s.byKey.get(k) ?? [];
  if (!s.dated) return rows.map((r) => r.row);
  const day = effectiveDay(at);
  if (day === undefined || day === null) {
    throw new FlowError('mapping', `Reference data set "${name}" has effective dates (${[s.set.validFrom, s.set.validTo].filter(Boolean).join(' – ')}): look it up with the record's date (YYYY-MM-DD)${day === null ? `, not ${JSON.stringify(at)}` : ''}`);
  }
  return rows.filter((r) => r.from <= day && day <= r.to).map((r) => r.row);
}

/**
 * Builds reference data from rows. Rows without a key value are left out; when
 * a set that is neither one-to-many nor dated repeats a key, the first row is kept.
 */
export function createReferenceData(sets: Record<string, ReferenceDataSet>): ReferenceData {
  const byName = new Map<string, IndexedSet>();
  for (const [name, set] of Object.entries(sets)) byName.set(name, indexSet(set));
  const names = [...byName.keys()].sort();
  return {
    get: (set) => byName.get(set)?.first,
    names: () => [...names],
    lookup: (set, key, at) => {
      const s = byName.get(set);
      return s ? lookupIn(set, s, key, at) : undefined;
    },
    definition: (set) => byName.get(set)?.set,
  };
}

/** The sets of reference data in transferable form (for worker threads). */
export function referenceDefinitions(reference: ReferenceData): Record<string, ReferenceDataSet> {
  const sets: Record<string, ReferenceDataSet> = {};
  for (const name of reference.names()) {
    const set = reference.definition(name);
    if (set) sets[name] = set;
  }
  return sets;
}

/** Reference data with no sets, for previews and flows that declare none. */
export const EMPTY_REFERENCE_DATA: ReferenceData = createReferenceData({});
