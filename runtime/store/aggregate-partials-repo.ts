/**
 * Partial groups of aggregate nodes (migrations/0016_aggregate_partials.sql):
 * written with a chunk's commit (or spilled by an in-process run), read back
 * in key order to merge, deleted when the run ends.
 */
import type { StoredGroup } from '../../nodes/transform/aggregate-groups.ts';
import type { GroupSpill, StoredPartial } from '../engine/grouping.ts';
import type { Db } from './db.ts';
import { numberOf } from './row-values.ts';

/** What these statements need of a connection (the store's Db, or its `sql` client). */
type Queryable = { query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }> };

/** Rows per insert statement. */
const INSERT_ROWS = 1000;

/** Stores partial groups under `part` (a chunk number, or a negative spill number). */
export async function insertPartials(db: Queryable, runId: string, part: number, partials: readonly StoredPartial[]): Promise<void> {
  for (let i = 0; i < partials.length; i += INSERT_ROWS) {
    const payload = partials.slice(i, i + INSERT_ROWS).map((p) => ({ node_id: p.nodeId, group_key: p.groupKey, state: p.state }));
    await db.query(
      `insert into aggregate_partials (run_id, node_id, part, group_key, state)
       select $1, x.node_id, $2, x.group_key, x.state from jsonb_to_recordset($3::jsonb) as x(node_id text, group_key text, state jsonb)`,
      [runId, part, JSON.stringify(payload)],
    );
  }
}

/**
 * One page of a node's partials in key order (byte order of the key text, as
 * the engine sorts), after the `(groupKey, part)` given; all partials of one
 * key follow each other.
 */
export async function partialsPage(
  db: Queryable, runId: string, nodeId: string, after: { groupKey: string; part: number } | null, limit: number,
): Promise<{ groupKey: string; part: number; state: StoredGroup }[]> {
  // Two statements, not one with `$3 is null or …`: the row comparison alone bounds a scan of the key-order index (0025).
  const { rows } = await db.query<{ group_key: string; part: unknown; state: StoredGroup }>(
    after
      ? `select group_key, part, state from aggregate_partials
         where run_id = $1 and node_id = $2 and (group_key collate "C", part) > ($4::text collate "C", $5::integer)
         order by group_key collate "C", part limit $3`
      : `select group_key, part, state from aggregate_partials
         where run_id = $1 and node_id = $2
         order by group_key collate "C", part limit $3`,
    after ? [runId, nodeId, limit, after.groupKey, after.part] : [runId, nodeId, limit],
  );
  return rows.map((r) => ({ groupKey: r.group_key, part: numberOf(r.part), state: r.state }));
}

/** A node's partials in key order, page by page. */
export async function* partialsInKeyOrder(db: Queryable, runId: string, nodeId: string, pageSize = 1000): AsyncGenerator<{ groupKey: string; part: number; state: StoredGroup }> {
  let after: { groupKey: string; part: number } | null = null;
  for (;;) {
    const page = await partialsPage(db, runId, nodeId, after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1];
  }
}

/** The spill of a run in one process: its partials under negative part numbers. */
export function groupSpillOf(db: Queryable, runId: string): GroupSpill {
  return {
    put: (part, partials) => insertPartials(db, runId, -part, partials),
    read: (nodeId) => partialsInKeyOrder(db, runId, nodeId),
  };
}

export async function deletePartials(db: Queryable, runId: string): Promise<void> {
  await db.query('delete from aggregate_partials where run_id = $1', [runId]);
}

/** Aggregate nodes whose groups a queued run has already queued. */
export async function groupedNodes(db: Db, runId: string): Promise<string[]> {
  const { rows } = await db.query<{ grouped_nodes: string[] }>('select grouped_nodes from run_progress where run_id = $1', [runId]);
  return rows[0]?.grouped_nodes ?? [];
}

export async function markGrouped(db: Db, runId: string, nodeId: string): Promise<void> {
  await db.query('update run_progress set grouped_nodes = array_append(grouped_nodes, $2), updated_at = now() where run_id = $1', [runId, nodeId]);
}

/** The highest chunk number and record position a run has so far (group chunks follow them). */
export async function lastChunkAndSeq(db: Db, runId: string): Promise<{ chunkNo: number; seq: number }> {
  const { rows } = await db.query<{ chunk_no: unknown; seq: unknown }>(
    `select coalesce(max(chunk_no), 0) as chunk_no,
            coalesce(max(coalesce(last_seq, (select max((e->>'seq')::bigint) from jsonb_array_elements(roots::jsonb) e))), 0) as seq
     from run_chunks where run_id = $1`,
    [runId],
  );
  return { chunkNo: numberOf(rows[0].chunk_no), seq: numberOf(rows[0].seq) };
}
