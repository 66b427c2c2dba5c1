/** Runs, their lifecycle and per-node statistics. */
import { TERMINAL_RUN_STATUSES, type NodeStats, type OutcomeCounts, type Reconciliation, type RunStatus } from '../engine/run-types.ts';
import type { SerializedError } from '../../nodes/errors.ts';
import type { Db, Row } from './db.ts';
import type { NewRun, Page, Paged, RunFilter, RunRow } from './store.ts';
import type { ReferenceVersions } from './reference-sets.ts';
import { newRunId } from './ids.ts';
import { decodeCursor, pageLimit, toPage } from './pagination.ts';
import { isoOf, isoOrNull, numberOf, numberOrNull } from './row-values.ts';

/** A `runs` row as the store hands it out. */
export function toRun(r: Row): RunRow {
  return {
    id: r.id as string,
    flowId: r.flow_id as string,
    version: numberOrNull(r.version),
    environment: (r.environment as string | null) ?? null,
    trigger: r.trigger as string,
    triggerRef: (r.trigger_ref as string | null) ?? null,
    status: r.status as RunStatus,
    counts: r.counts as OutcomeCounts,
    reconciliation: (r.reconciliation as Reconciliation | null) ?? null,
    error: (r.error as SerializedError | null) ?? null,
    createdAt: isoOf(r.created_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    replayOf: (r.replay_of as string | null) ?? null,
    referenceVersions: (r.reference_versions as ReferenceVersions | null) ?? null,
  };
}

function notFound(id: string): Error {
  return new Error(`Run "${id}" does not exist.`);
}

export function runsRepo(db: Db) {
  return {
    async createRun(run: NewRun): Promise<RunRow> {
      const { rows } = await db.query(
        `insert into runs (id, flow_id, version, environment, trigger, trigger_ref, replay_of, status, reference_versions)
         values ($1, $2, $3, $4, $5, $6, $7, 'queued', $8::jsonb) returning *`,
        [run.id ?? newRunId(), run.flowId, run.version ?? null, run.environment ?? null, run.trigger,
          run.triggerRef ?? null, run.replayOf ?? null, run.referenceVersions ? JSON.stringify(run.referenceVersions) : null],
      );
      return toRun(rows[0]);
    },

    async pinReferenceVersions(id: string, versions: ReferenceVersions): Promise<ReferenceVersions> {
      const { rows } = await db.query<{ reference_versions: ReferenceVersions }>(
        'update runs set reference_versions = coalesce(reference_versions, $2::jsonb) where id = $1 returning reference_versions', [id, JSON.stringify(versions)]);
      if (!rows.length) throw notFound(id);
      return rows[0].reference_versions;
    },

    /** `running` stamps started_at, a final status stamps finished_at (each once). */
    async setRunStatus(id: string, status: RunStatus, patch: { error?: SerializedError | null } = {}): Promise<void> {
      const setError = 'error' in patch;
      const { rowCount } = await db.query(
        `update runs set status = $2,
           started_at = case when $2 = 'running' then coalesce(started_at, now()) else started_at end,
           finished_at = case when $2 = any($3::text[]) then coalesce(finished_at, now()) else finished_at end,
           error = case when $4::boolean then $5::jsonb else error end
         where id = $1`,
        [id, status, TERMINAL_RUN_STATUSES, setError, setError && patch.error ? JSON.stringify(patch.error) : null],
      );
      if (!rowCount) throw notFound(id);
    },

    async finishRun(id: string, result: { status: RunStatus; counts: OutcomeCounts; reconciliation: Reconciliation | null; error?: SerializedError | null }): Promise<void> {
      const setError = result.error !== undefined;
      const { rowCount } = await db.query(
        `update runs set status = $2, counts = $3::jsonb, reconciliation = $4::jsonb,
           error = case when $5::boolean then $6::jsonb else error end,
           finished_at = now()
         where id = $1`,
        [id, result.status, JSON.stringify(result.counts),
          result.reconciliation ? JSON.stringify(result.reconciliation) : null,
          setError, result.error ? JSON.stringify(result.error) : null],
      );
      if (!rowCount) throw notFound(id);
    },

    async getRun(id: string): Promise<RunRow | null> {
      const { rows } = await db.query('select * from runs where id = $1', [id]);
      return rows.length ? toRun(rows[0]) : null;
    },

    /** Newest first; the cursor is the (created_at, id) of the last row. */
    async listRuns(filter: RunFilter, page: Page): Promise<Paged<RunRow>> {
      const limit = pageLimit(page.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => { params.push(value); where.push(clause.replace('?', `$${params.length}`)); };
      if (filter.flowId !== undefined) add('flow_id = ?', filter.flowId);
      if (filter.environment !== undefined) add('environment = ?', filter.environment);
      if (filter.status !== undefined) add('status = ?', filter.status);
      if (filter.trigger !== undefined) add('trigger = ?', filter.trigger);
      if (filter.since !== undefined) add('created_at >= ?::timestamptz', filter.since);
      if (filter.until !== undefined) add('created_at < ?::timestamptz', filter.until);
      if (filter.hasExceptions !== undefined) add('has_exceptions = ?', filter.hasExceptions);
      if (page.cursor) {
        const [createdAt, id] = decodeCursor(page.cursor, ['string', 'string']);
        params.push(createdAt, id);
        where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
      }
      params.push(limit + 1);
      const { rows } = await db.query(
        `select * from runs ${where.length ? `where ${where.join(' and ')}` : ''}
         order by created_at desc, id desc limit $${params.length}`,
        params,
      );
      return toPage(rows, limit, toRun, (r) => [isoOf(r.created_at), r.id as string]);
    },

    async addNodeStats(runId: string, stats: NodeStats[]): Promise<void> {
      // One row per node: ON CONFLICT cannot touch the same row twice in one statement.
      const byNode = new Map<string, NodeStats>();
      for (const s of stats) {
        const prev = byNode.get(s.nodeId);
        byNode.set(s.nodeId, prev
          ? { nodeId: s.nodeId, in: prev.in + s.in, out: prev.out + s.out, invalid: prev.invalid + s.invalid, errors: prev.errors + s.errors, ms: prev.ms + s.ms }
          : { ...s });
      }
      if (byNode.size === 0) return;
      const list = [...byNode.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
      await db.query(
        `insert into node_stats (run_id, node_id, in_count, out_count, invalid_count, error_count, ms)
         select $1, * from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::float8[])
         on conflict (run_id, node_id) do update set
           in_count = node_stats.in_count + excluded.in_count,
           out_count = node_stats.out_count + excluded.out_count,
           invalid_count = node_stats.invalid_count + excluded.invalid_count,
           error_count = node_stats.error_count + excluded.error_count,
           ms = node_stats.ms + excluded.ms`,
        [runId, list.map((s) => s.nodeId), list.map((s) => s.in), list.map((s) => s.out),
          list.map((s) => s.invalid), list.map((s) => s.errors), list.map((s) => s.ms)],
      );
    },

    async getNodeStats(runId: string): Promise<NodeStats[]> {
      const { rows } = await db.query('select * from node_stats where run_id = $1 order by node_id', [runId]);
      return rows.map((r) => ({
        nodeId: r.node_id as string,
        in: numberOf(r.in_count),
        out: numberOf(r.out_count),
        invalid: numberOf(r.invalid_count),
        errors: numberOf(r.error_count),
        ms: numberOf(r.ms),
      }));
    },
  };
}
