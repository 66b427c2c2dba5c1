/**
 * Planner statistics of the tables a Postgres target writes, kept fresh when
 * nothing else does: a server with autovacuum off, or an embedded (PGlite)
 * target database, which has no autovacuum at all. Without statistics the
 * planner takes `key = ANY($1)` over 500 keys to match most of a table (0.5 %
 * a key), so the DELETE of an upsert's old lines scans the whole lines table
 * on every batch: measured 4.6 ms a batch at 0 rows, 184 ms at a million lines.
 * One ANALYZE gives it the key's distinct count, which scales with the table
 * after that (stored as a fraction of the rows), so the index serves it for good.
 *
 * Checked once per connection pool at its first batch (beside the next batch, not before it), then each time this
 * pool has written as many records as the table held at the last check (so a
 * handful of checks from empty to millions of rows). A table is analysed when
 * it fills at least 10 pages and never was analysed, or when as many
 * rows changed since as it held then, and only when this role may (owner or
 * database owner); `SKIP_LOCKED` leaves it to a concurrent ANALYZE
 * (autovacuum's or another worker's) rather than waiting. Not smaller: a
 * table analysed at a page or two (it then counts on that size rather than
 * on its 10-page default) makes the plans cached from then on (the
 * foreign key checks of every line insert) scan it instead of its key index,
 * until the next ANALYZE (measured: 72 → 300 ms a batch).
 */
import type { SqlClient } from '../define-node.ts';
import { quoteIdentifier } from './sql-identifiers.ts';

/** Fewest changed rows worth an ANALYZE: below this a sequential scan costs nothing. */
const MIN_ROWS = 1000;
/** Fewest pages worth an ANALYZE: the planner takes a table never analysed for at least 10 pages. */
const MIN_PAGES = 10;

interface TableStats {
  table: string;
  /** Rows as of the last ANALYZE (or VACUUM); -1 when never. */
  tuples: number;
  /** Live rows now, as the statistics counters have them (a second or so behind). */
  live: number;
  /** Pages the table has now. */
  pages: number;
  changed: number;
  may: boolean;
}

const DONE = Promise.resolve();

/** Per connection pool: records written since the last check, and how many to wait for. */
interface PoolState {
  written: number;
  next: number;
  checking?: Promise<void>;
}

/** Tracks one target's tables on each pool it writes through; see the module comment. */
export function tableStatistics(tables: string[]) {
  const pools = new WeakMap<SqlClient, PoolState>();

  async function check(sql: SqlClient, state: PoolState): Promise<void> {
    const counted = state.written;
    const { rows } = await sql.query<{ table: string; tuples: number; live: string | null; changed: string | null; pages: number; may: boolean }>(
      `select t.name as "table", c.reltuples::float8 as tuples, s.n_live_tup::text as live, s.n_mod_since_analyze::text as changed,
              (pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int)::float8 as pages,
              pg_catalog.pg_has_role(c.relowner, 'USAGE')
              or pg_catalog.pg_has_role((select datdba from pg_catalog.pg_database where datname = pg_catalog.current_database()), 'USAGE') as may
         from unnest($1::text[]) as t(name)
         join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(t.name)
         left join pg_catalog.pg_stat_all_tables s on s.relid = c.oid`,
      [tables.map((t) => quoteIdentifier(t, true))],
    );
    const stats: TableStats[] = rows.map((r) => ({ table: r.table, tuples: Number(r.tuples), live: Number(r.live ?? 0), pages: Number(r.pages), changed: Number(r.changed ?? 0), may: r.may }));
    const stale = stats.filter((s) => s.may && s.pages >= MIN_PAGES && (s.tuples < 0 || s.changed >= Math.max(MIN_ROWS, s.tuples)));
    if (stale.length > 0) await sql.query(`ANALYZE (SKIP_LOCKED) ${stale.map((s) => s.table).join(', ')}`);
    const largest = Math.max(0, ...stats.map((s) => Math.max(s.tuples, s.live)));
    // Records written by batches beside the check count toward the next one.
    state.written -= counted;
    state.next = Math.max(MIN_ROWS / 2, largest);
  }

  return {
    /**
     * Counts `records` written through `sql` and, when due, starts bringing the tables' statistics
     * up to date, outside the batch's transaction and without waiting for it: the check (and its
     * ANALYZE) runs beside the next batch, on another connection of the pool, and one at a time per
     * pool. A failure only skips this check (statistics are an optimisation: the rows are already
     * committed). The returned promise settles when this call's check is over (the tests wait for it).
     */
    written(sql: SqlClient, records: number): Promise<void> {
      if (sql.dialect === 'mysql') return DONE;
      let state = pools.get(sql);
      if (!state) pools.set(sql, (state = { written: 0, next: 0 }));
      state.written += records;
      if (state.written < state.next || state.checking) return DONE;
      const checking = check(sql, state)
        .catch(() => {
          // No statistics views or no right to read them: leave them to the database.
          state.next = Number.POSITIVE_INFINITY;
        })
        .finally(() => {
          state.checking = undefined;
        });
      state.checking = checking;
      return checking;
    },
  };
}
