/** Stored reference (master) data sets and source watermarks. */
import { FlowError } from '../../nodes/errors.ts';
import type { Db } from './db.ts';

// Rows per INSERT: keeps each JSON parameter a few MB at most.
const CHUNK = 5000;

function keyOf(set: string, keyField: string, row: Record<string, unknown>, index: number): string {
  const value = row?.[keyField];
  if (value === null || value === undefined || value === '' || typeof value === 'object') {
    throw new FlowError('validation', `Reference data set "${set}": row ${index + 1} has no usable value in key field "${keyField}".`, { field: keyField });
  }
  return String(value);
}

export function referenceDataRepo(db: Db) {
  return {
    /** Replaces the whole set in one transaction; duplicate keys are refused, not silently merged. */
    async putReferenceData(set: string, keyField: string, rows: Record<string, unknown>[]): Promise<number> {
      const seen = new Map<string, number>();
      const pairs: [string, Record<string, unknown>][] = rows.map((row, i) => {
        const key = keyOf(set, keyField, row, i);
        const first = seen.get(key);
        if (first !== undefined) {
          throw new FlowError('validation', `Reference data set "${set}": rows ${first + 1} and ${i + 1} have the same ${keyField} "${key}".`, { field: keyField });
        }
        seen.set(key, i);
        return [key, row];
      });
      await db.transaction(async (tx) => {
        await tx.query(
          `insert into reference_sets (set_name, key_field, row_count) values ($1, $2, $3)
           on conflict (set_name) do update set key_field = excluded.key_field, row_count = excluded.row_count, loaded_at = now()`,
          [set, keyField, pairs.length],
        );
        await tx.query('delete from reference_data where set_name = $1', [set]);
        for (let i = 0; i < pairs.length; i += CHUNK) {
          await tx.query(
            `insert into reference_data (set_name, key, row)
             select $1, e ->> 0, e -> 1 from jsonb_array_elements($2::jsonb) as e`,
            [set, JSON.stringify(pairs.slice(i, i + CHUNK))],
          );
        }
        // Kept for replays "as it was" (see getReferenceDataAsOf).
        await tx.query(
          `insert into reference_data_loads (set_name, loaded_at, key_field, rows)
           select set_name, loaded_at, key_field, $2::jsonb from reference_sets where set_name = $1
             -- the same rows loaded again (every CLI run stores its folder's files) keep their first load
             and not exists (select 1 from (select rows from reference_data_loads where set_name = $1 order by loaded_at desc limit 1) last where last.rows = $2::jsonb)
           on conflict (set_name, loaded_at) do update set key_field = excluded.key_field, rows = excluded.rows`,
          [set, JSON.stringify(pairs)],
        );
      });
      return pairs.length;
    },

    /** key → row of the set as last loaded at or before `asOf`; null when it had not been loaded by then. */
    async getReferenceDataAsOf(set: string, asOf: string): Promise<Map<string, unknown> | null> {
      const { rows } = await db.query<{ rows: [string, unknown][] }>(
        'select rows from reference_data_loads where set_name = $1 and loaded_at <= $2::timestamptz order by loaded_at desc limit 1', [set, asOf]);
      return rows.length ? new Map(rows[0].rows) : null;
    },

    /** key → row, or null when no set of that name was ever loaded. */
    async getReferenceData(set: string): Promise<Map<string, unknown> | null> {
      const exists = await db.query('select 1 from reference_sets where set_name = $1', [set]);
      if (exists.rows.length === 0) return null;
      const { rows } = await db.query<{ key: string; row: unknown }>(
        'select key, row from reference_data where set_name = $1 order by key', [set]);
      return new Map(rows.map((r) => [r.key, r.row]));
    },

    async getWatermark(flowId: string, nodeId: string, environment: string): Promise<string | null> {
      const { rows } = await db.query<{ value: string }>(
        'select value from watermarks where flow_id = $1 and node_id = $2 and environment = $3',
        [flowId, nodeId, environment]);
      return rows.length ? rows[0].value : null;
    },

    async setWatermark(flowId: string, nodeId: string, environment: string, value: string): Promise<void> {
      await db.query(
        `insert into watermarks (flow_id, node_id, environment, value) values ($1, $2, $3, $4)
         on conflict (flow_id, node_id, environment) do update set value = excluded.value, updated_at = now()`,
        [flowId, nodeId, environment, value]);
    },
  };
}
