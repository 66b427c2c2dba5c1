/**
 * Reference (master) data held in memory for a run: set name → key → row.
 * Browser-safe, so the designer's preview validates against the same data.
 */
import type { ReferenceData } from './define-node.ts';

/** One reference data set as loaded: the key field and its rows. */
export interface ReferenceDataSet {
  /** Field of each row that is the look-up key. */
  key: string;
  rows: Record<string, unknown>[];
}

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
 * Builds reference data from rows. Rows without a key value are left out; when
 * two rows share a key the first one is kept (master data extracts often
 * repeat a row; the first is what a database would return first too).
 */
export function createReferenceData(sets: Record<string, ReferenceDataSet>): ReferenceData {
  const byName = new Map<string, ReadonlyMap<string, unknown>>();
  for (const [name, set] of Object.entries(sets)) {
    const rows = new Map<string, unknown>();
    for (const row of set.rows) {
      const key = referenceKey(row?.[set.key]);
      if (key === undefined || key === '' || rows.has(key)) continue;
      rows.set(key, row);
    }
    byName.set(name, rows);
  }
  const names = [...byName.keys()].sort();
  return {
    get: (set) => byName.get(set),
    names: () => [...names],
  };
}

/** Reference data with no sets, for previews and flows that declare none. */
export const EMPTY_REFERENCE_DATA: ReferenceData = createReferenceData({});
