/**
 * Versioned reference (master) data sets: every load that changes a set is a
 * numbered version, kept whole (rows and how they are keyed), so a run reads
 * one version throughout and a replay "as it was" finds the version of then.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';
import { referenceSetProblems, type ReferenceDataSet } from '../../nodes/reference-data.ts';
import { canonicalJson } from './canonical-json.ts';
import { isoOf, numberOf } from './row-values.ts';

/** A set's version as listed: how it is keyed, how many rows, who loaded it from what. */
export interface ReferenceSetVersion {
  set: string;
  version: number;
  keyFields: string[];
  validFrom: string | null;
  validTo: string | null;
  multiple: boolean;
  rowCount: number;
  sourceName: string | null;
  loadedBy: string | null;
  loadedAt: string;
}

/** A version with its rows. */
export interface StoredReferenceSet extends ReferenceSetVersion {
  rows: Record<string, unknown>[];
}

/** The versions of the stored sets a run read, by the name the flow gives each set. */
export type ReferenceVersions = Record<string, { set: string; version: number }>;

/** What a load brings. */
export interface NewReferenceSet {
  set: string;
  keyFields: string[];
  validFrom?: string | null;
  validTo?: string | null;
  multiple?: boolean;
  rows: Record<string, unknown>[];
  sourceName?: string | null;
  loadedBy?: string | null;
}

/** How many problems a refused load names at most. */
const PROBLEMS_SHOWN = 10;

const COLUMNS = 'set_name, version, key_fields, valid_from, valid_to, multiple, row_count, source_name, loaded_by, loaded_at';

type Row = Record<string, unknown>;

const versionOf = (r: Row): ReferenceSetVersion => ({
  set: r.set_name as string,
  version: numberOf(r.version),
  keyFields: r.key_fields as string[],
  validFrom: (r.valid_from as string | null) ?? null,
  validTo: (r.valid_to as string | null) ?? null,
  multiple: Boolean(r.multiple),
  rowCount: numberOf(r.row_count),
  sourceName: (r.source_name as string | null) ?? null,
  loadedBy: (r.loaded_by as string | null) ?? null,
  loadedAt: isoOf(r.loaded_at),
});

const storedOf = (r: Row): StoredReferenceSet => ({ ...versionOf(r), rows: r.rows as Record<string, unknown>[] });

/** The set as the look-up functions take it. */
export const referenceDataSetOf = (s: StoredReferenceSet): ReferenceDataSet => ({
  key: s.keyFields.length === 1 ? s.keyFields[0] : s.keyFields,
  rows: s.rows,
  ...(s.validFrom ? { validFrom: s.validFrom } : {}),
  ...(s.validTo ? { validTo: s.validTo } : {}),
  ...(s.multiple ? { multiple: true } : {}),
});

/** Refuses a set with rows that cannot be keyed or dated, or (unless one-to-many) repeated keys. */
function assertLoadable(input: NewReferenceSet): void {
  if (input.keyFields.length === 0 || input.keyFields.some((f) => f.trim() === '')) {
    throw new FlowError('validation', `Reference data set "${input.set}": name the key field(s).`, { field: 'key' });
  }
  const problems = referenceSetProblems(input.set, { key: input.keyFields, rows: input.rows, validFrom: input.validFrom ?? undefined, validTo: input.validTo ?? undefined, multiple: input.multiple });
  if (problems.length === 0) return;
  const more = problems.length > PROBLEMS_SHOWN ? ` (and ${problems.length - PROBLEMS_SHOWN} more problem(s))` : '';
  throw new FlowError('validation', problems.slice(0, PROBLEMS_SHOWN).map((p) => p.message).join(' ') + more, { field: input.keyFields.join(',') });
}

const sameContent = (a: StoredReferenceSet, b: NewReferenceSet) =>
  canonicalJson({ k: a.keyFields, f: a.validFrom, t: a.validTo, m: a.multiple, r: a.rows })
  === canonicalJson({ k: b.keyFields, f: b.validFrom ?? null, t: b.validTo ?? null, m: Boolean(b.multiple), r: b.rows });

/**
 * Stores a new version of the set, in `tx` (the caller's transaction); the
 * same content as the current version makes no new one (`unchanged`).
 */
export async function putReferenceSet(tx: SqlClient, input: NewReferenceSet): Promise<{ version: ReferenceSetVersion; unchanged: boolean; previous: ReferenceSetVersion | null }> {
  assertLoadable(input);
  // Locks the set's row, so two loads at once number their versions one after the other.
  const { rows: head } = await tx.query<{ current_version: number | null }>(
    `insert into reference_sets (set_name, key_field, row_count) values ($1, $2, 0)
     on conflict (set_name) do update set set_name = excluded.set_name returning current_version`,
    [input.set, input.keyFields.join(',')]);
  const current = head[0].current_version === null ? null : numberOf(head[0].current_version);
  let previous: ReferenceSetVersion | null = null;
  if (current !== null) {
    const now = await getReferenceSetVersion(tx, input.set, current);
    if (now) {
      const { rows: _rows, ...version } = now;
      if (sameContent(now, input)) return { version, unchanged: true, previous: version };
      previous = version;
    }
  }
  const version = (current ?? 0) + 1;
  const { rows } = await tx.query<Row>(
    `insert into reference_data_loads (set_name, loaded_at, key_field, rows, version, key_fields, valid_from, valid_to, multiple, row_count, source_name, loaded_by)
     values ($1, greatest(now(), (select max(loaded_at) + interval '1 millisecond' from reference_data_loads where set_name = $1)), $2, $3::jsonb, $4, $5::jsonb, $6, $7, $8, $9, $10, $11)
     returning ${COLUMNS}`,
    [input.set, input.keyFields.join(','), JSON.stringify(input.rows), version, JSON.stringify(input.keyFields), input.validFrom ?? null, input.validTo ?? null,
      Boolean(input.multiple), input.rows.length, input.sourceName ?? null, input.loadedBy ?? null]);
  await tx.query('update reference_sets set current_version = $2, key_field = $3, row_count = $4, loaded_at = $5 where set_name = $1',
    [input.set, version, input.keyFields.join(','), input.rows.length, rows[0].loaded_at]);
  return { version: versionOf(rows[0]), unchanged: false, previous };
}

/** One version with its rows, or null. */
export async function getReferenceSetVersion(sql: SqlClient, set: string, version: number): Promise<StoredReferenceSet | null> {
  const { rows } = await sql.query<Row>(`select ${COLUMNS}, rows from reference_data_loads where set_name = $1 and version = $2`, [set, version]);
  return rows.length ? storedOf(rows[0]) : null;
}

export function referenceSetsRepo(sql: SqlClient) {
  return {
    /** The current version of the set, or null when it was never loaded. */
    async getReferenceData(set: string): Promise<StoredReferenceSet | null> {
      const { rows } = await sql.query<Row>(
        `select ${COLUMNS.split(', ').map((c) => `l.${c}`).join(', ')}, l.rows from reference_sets s
         join reference_data_loads l on l.set_name = s.set_name and l.version = s.current_version where s.set_name = $1`, [set]);
      return rows.length ? storedOf(rows[0]) : null;
    },

    /** The set as last loaded at or before `asOf` (a replay "as it was"); null when not loaded by then. */
    async getReferenceDataAsOf(set: string, asOf: string): Promise<StoredReferenceSet | null> {
      const { rows } = await sql.query<Row>(
        `select ${COLUMNS}, rows from reference_data_loads where set_name = $1 and loaded_at <= $2::timestamptz order by loaded_at desc limit 1`, [set, asOf]);
      return rows.length ? storedOf(rows[0]) : null;
    },

    getReferenceDataVersion: (set: string, version: number) => getReferenceSetVersion(sql, set, version),

    /** Every set at its current version, by name. */
    async listReferenceSets(): Promise<ReferenceSetVersion[]> {
      const { rows } = await sql.query<Row>(
        `select ${COLUMNS.split(', ').map((c) => `l.${c}`).join(', ')} from reference_sets s
         join reference_data_loads l on l.set_name = s.set_name and l.version = s.current_version order by s.set_name`);
      return rows.map(versionOf);
    },

    /** The set's versions, newest first. */
    async listReferenceSetVersions(set: string): Promise<ReferenceSetVersion[]> {
      const { rows } = await sql.query<Row>(`select ${COLUMNS} from reference_data_loads where set_name = $1 order by version desc`, [set]);
      return rows.map(versionOf);
    },

    /** Stores a new version in `tx`, or in a transaction of its own (see `putReferenceSet`). */
    putReferenceSet: (input: NewReferenceSet, tx?: SqlClient) => (tx ? putReferenceSet(tx, input) : sql.transaction((t) => putReferenceSet(t, input))),
  };
}
