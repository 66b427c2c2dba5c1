/**
 * Keyed state in the runtime's database (migration 0015): one row per (scope, key) with its
 * value, and one row per change applied, by apply key. A change runs in one transaction that
 * locks the keys' rows (in key order, so two workers cannot deadlock), skips changes applied
 * before (returning their recorded before/after), computes the new values in order and writes
 * them with the change records. So two changes of one key (two instalments of one invoice, in
 * one chunk or on two workers) both apply, and a retried chunk or a replay applies nothing twice.
 */
import type { KeyedStateStore, StateApplication } from '../../nodes/define-node.ts';
import { applyChangesInOrder } from '../../nodes/state/apply-changes.ts';
import type { Db } from './db.ts';

/** jsonb parameter text; `undefined` (no value) is SQL null. */
const jsonText = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export function createKeyedStateStore(db: Db): KeyedStateStore {
  return {
    async read(scope, keys) {
      const list = [...new Set(keys)];
      if (list.length === 0) return new Map();
      const { rows } = await db.query<{ key: string; value: unknown }>(
        'select key, value from keyed_state where scope = $1 and key = any($2::text[]) and value is not null',
        [scope, list],
      );
      return new Map(rows.map((r) => [r.key, r.value]));
    },

    async apply(scope, changes, compute, by) {
      if (changes.length === 0) return [];
      return db.transaction(async (tx) => {
        const keys = [...new Set(changes.map((c) => c.key))].sort();
        await tx.query('insert into keyed_state (scope, key) select $1, k from unnest($2::text[]) as k on conflict do nothing', [scope, keys]);
        const locked = await tx.query<{ key: string; value: unknown }>(
          'select key, value from keyed_state where scope = $1 and key = any($2::text[]) order by key for update',
          [scope, keys],
        );
        const values = new Map<string, unknown>(locked.rows.map((r) => [r.key, r.value ?? undefined]));
        // Read after the lock: a change committed by another worker while this one waited is seen.
        const recorded = await tx.query<{ apply_key: string; before: unknown; after: unknown }>(
          'select apply_key, before, after from keyed_state_changes where scope = $1 and apply_key = any($2::text[])',
          [scope, [...new Set(changes.map((c) => c.applyKey))]],
        );
        const done = new Map<string, StateApplication>(recorded.rows.map((r) => [r.apply_key, { before: r.before ?? undefined, after: r.after ?? undefined, earlier: true }]));
        const { results, applied } = await applyChangesInOrder(changes, compute, values, done);
        if (applied.length === 0) return results;
        const changedKeys = [...new Set(applied.map((a) => a.key))];
        await tx.query(
          `update keyed_state s set value = v.value::jsonb, version = s.version + 1, updated_at = now()
           from unnest($2::text[], $3::text[]) as v(key, value) where s.scope = $1 and s.key = v.key`,
          [scope, changedKeys, changedKeys.map((k) => jsonText(values.get(k)))],
        );
        await tx.query(
          `insert into keyed_state_changes (scope, apply_key, key, before, after, run_id, node_id)
           select $1, a, k, b::jsonb, f::jsonb, $6, $7 from unnest($2::text[], $3::text[], $4::text[], $5::text[]) as c(a, k, b, f)`,
          [scope, applied.map((a) => a.applyKey), applied.map((a) => a.key), applied.map((a) => jsonText(a.before)), applied.map((a) => jsonText(a.after)), by.runId, by.nodeId],
        );
        return results;
      });
    },
  };
}
