/**
 * What operators read across runs: counts by status, a run's timeline rows,
 * the health figures of a time window and open dead letters by error class.
 * Read-only; the API shapes the answers (runtime/api/routes).
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import type { RunFilter } from './store.ts';

type Figures = Record<string, unknown>;

/** The rows a run's timeline is made of (besides the run row itself). */
export interface RunTimelineRows {
  inputs: { requested_by: string; kind: string; name: string | null }[];
  chunks: { chunk_no: number; status: string; worker_id: string | null; attempts: number; done_at: unknown; roots_n: unknown }[];
  replays: { id: string; created_at: unknown; status: string; version: number | null }[];
}

/** The raw health figures of the runs created since `since` (numbers as the driver returns them). */
export interface HealthRows {
  runs: Figures;
  hourly: Figures[];
  byClass: { error_class: string; n: unknown }[];
  latency: Figures;
  letters: Figures;
  inFlight: { status: string; n: unknown }[];
}

export function opsRepo(sql: SqlClient) {
  return {
    /** Number of runs by status matching `filter` (its status ignored). */
    async runStatusCounts(filter: Omit<RunFilter, 'status'>): Promise<Map<string, number>> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => { params.push(value); where.push(clause.replace('?', `$${params.length}`)); };
      if (filter.flowId) add('flow_id = ?', filter.flowId);
      if (filter.environment) add('environment = ?', filter.environment);
      if (filter.trigger) add('trigger = ?', filter.trigger);
      if (filter.since) add('created_at >= ?', filter.since);
      if (filter.until) add('created_at < ?', filter.until);
      if (filter.hasExceptions !== undefined) add('has_exceptions = ?', filter.hasExceptions);
      const { rows } = await sql.query<{ status: string; n: unknown }>(`select status, count(*) as n from runs ${where.length ? `where ${where.join(' and ')}` : ''} group by status`, params);
      return new Map(rows.map((r) => [r.status, Number(r.n)]));
    },

    /** Who queued the run, its chunks done (at most 200) and its replays (at most 50). */
    async runTimelineRows(runId: string): Promise<RunTimelineRows> {
      const [{ rows: inputs }, { rows: chunks }, { rows: replays }] = await Promise.all([
        sql.query<RunTimelineRows['inputs'][number]>('select requested_by, kind, name from run_inputs where run_id = $1', [runId]),
        sql.query<RunTimelineRows['chunks'][number]>(
          `select chunk_no, status, worker_id, attempts, done_at, coalesce((read -> 'counts' ->> 'read')::int, jsonb_array_length(roots::jsonb)) as roots_n from run_chunks where run_id = $1 and done_at is not null order by done_at, chunk_no limit 200`, [runId]),
        sql.query<RunTimelineRows['replays'][number]>('select id, created_at, status, version from runs where replay_of = $1 order by created_at limit 50', [runId]),
      ]);
      return { inputs, chunks, replays };
    },

    /** Dead letters of `status` (of one flow, if given) by error class. */
    async deadLetterCountsByClass(status: string, flowId?: string): Promise<Map<string, number>> {
      const params: unknown[] = [status];
      if (flowId) params.push(flowId);
      const { rows } = await sql.query<{ error_class: string; n: unknown }>(
        `select error_class, count(*) as n from dead_letters where status = $1 ${flowId ? 'and flow_id = $2' : ''} group by error_class`, params);
      return new Map(rows.map((r) => [r.error_class, Number(r.n)]));
    },

    /** Throughput, failures, latency, dead-letter aging and runs in flight, for runs created since `since`; aging as of `now`. */
    async healthRows(since: string, now: string): Promise<HealthRows> {
      const { rows: [runs] } = await sql.query<Figures>(
        `select count(*) as runs,
           count(*) filter (where status = 'failed') as failed,
           count(*) filter (where has_exceptions) as with_exceptions,
           coalesce(sum((counts ->> 'read')::bigint), 0) as records_read,
           coalesce(sum((counts ->> 'delivered')::bigint), 0) as records_delivered,
           coalesce(sum(coalesce((reconciliation -> 'items' -> 'counts' ->> 'read')::bigint, (counts ->> 'read')::bigint)), 0) as items_read,
           percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at)) filter (where finished_at is not null and started_at is not null) as p50,
           percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at)) filter (where finished_at is not null and started_at is not null) as p95
         from runs where created_at >= $1`, [since]);
      // Hourly buckets for the throughput chart; the caller fills in empty hours.
      const { rows: hourly } = await sql.query<Figures>(
        `select date_trunc('hour', created_at) as hour, count(*) as runs,
           coalesce(sum((counts ->> 'read')::bigint), 0) as read,
           coalesce(sum((counts ->> 'delivered')::bigint), 0) as delivered,
           coalesce(sum((counts ->> 'quarantined')::bigint + (counts ->> 'deadLettered')::bigint), 0) as exceptions,
           coalesce(sum((counts ->> 'duplicate')::bigint), 0) as duplicate
         from runs where created_at >= $1 group by 1 order by 1`, [since]);
      // Items that failed, by error class, against the items read in the window: both counted per item (an entry of a
      // statement that fanned out) and per run, so a re-run or replay that fails an item again counts it in its own run.
      const { rows: byClass } = await sql.query<{ error_class: string; n: unknown }>(
        `select error_class, count(*) as n from record_traces t
         where t.run_id in (select id from runs where created_at >= $1) and t.outcome in ('quarantined', 'dead_lettered')
         group by error_class`, [since]);
      // Sync latency: the source event's time to delivery. Only traces of the window's runs (indexed by run).
      const { rows: [latency] } = await sql.query<Figures>(
        `select count(*) as n,
           percentile_cont(0.5) within group (order by extract(epoch from t.finished_at - t.event_time)) as p50,
           percentile_cont(0.95) within group (order by extract(epoch from t.finished_at - t.event_time)) as p95
         from record_traces t where t.run_id in (select id from runs where created_at >= $1)
           and t.outcome = 'delivered' and t.event_time is not null`, [since]);
      const { rows: [letters] } = await sql.query<Figures>(
        `select count(*) as open, min(created_at) as oldest,
           count(*) filter (where created_at > $1::timestamptz - interval '1 hour') as b0,
           count(*) filter (where created_at <= $1::timestamptz - interval '1 hour' and created_at > $1::timestamptz - interval '1 day') as b1,
           count(*) filter (where created_at <= $1::timestamptz - interval '1 day' and created_at > $1::timestamptz - interval '7 days') as b2,
           count(*) filter (where created_at <= $1::timestamptz - interval '7 days') as b3
         from dead_letters where status = 'open'`, [now]);
      const { rows: inFlight } = await sql.query<{ status: string; n: unknown }>(`select status, count(*) as n from runs where status in ('queued', 'running') group by status`);
      return { runs, hourly, byClass, latency, letters, inFlight };
    },

    /** Resolves when the database answers (readiness, waiting out an outage). */
    async ping(): Promise<void> {
      await sql.query('select 1');
    },
  };
}

export type OpsRepo = ReturnType<typeof opsRepo>;
