/** Reading record traces back: per run, one record, or one business document across runs. */
import type { RecordOutcome, RetryAttempt } from '../engine/run-types.ts';
import type { ErrorClass, RuleFailure, SerializedError } from '../../nodes/errors.ts';
import type { Db, Row } from './db.ts';
import type { Page, Paged, StoredTrace, TraceFilter } from './store.ts';
import { decodeCursor, pageLimit, toPage } from './pagination.ts';
import { numberOf, numberOrNull, optional } from './row-values.ts';
import { expandSteps } from './trace-rows.ts';

/** Where each record of one source record ended in a run. */
export interface SourceRecordOutcomes {
  /** The source record's own lineage key (its position in the run). */
  lineageKey: string;
  /** Each end, with the fan-out item's own key and amount where the flow declares them. */
  ends: { lineageKey: string; nodeId: string; outcome: RecordOutcome; itemKey?: string; amount?: string; currency?: string }[];
  /** Delivered (or already there) at some target and quarantined or dead-lettered elsewhere. */
  partiallyDelivered: boolean;
}

function epochOf(value: unknown): number {
  return value instanceof Date ? value.getTime() : new Date(String(value)).getTime();
}

function toTrace(r: Row): StoredTrace {
  // Stored once when the record left as it came (migration 0026).
  const output = r.output_is_input ? r.input : r.output;
  const trace: StoredTrace = {
    id: numberOf(r.id),
    runId: r.run_id as string,
    flowId: r.flow_id as string,
    version: numberOrNull(r.version),
    lineageKey: r.lineage_key as string,
    sourceKey: r.source_key as string,
    itemKey: optional(r.item_key as string | null),
    businessKey: (r.business_key as string | null) ?? null,
    path: (r.path as string[]) ?? [],
    outcome: r.outcome as RecordOutcome,
    endNode: r.end_node as string,
    targetNode: optional(r.target_node as string | null),
    idempotencyKey: optional(r.idempotency_key as string | null),
    targetRef: optional(r.target_ref as string | null),
    targetStatus: r.target_status === null ? undefined : numberOf(r.target_status),
    errorClass: optional(r.error_class as ErrorClass | null),
    error: optional(r.error as SerializedError | null),
    failures: optional(r.failures as RuleFailure[] | null),
    retries: optional(r.retries as RetryAttempt[] | null),
    // Null after retention has removed the snapshots.
    input: r.input ?? null,
    output: output ?? null,
    steps: expandSteps(r.steps, output ?? undefined),
    amount: optional(r.amount as string | null),
    currency: optional(r.currency as string | null),
    eventTime: r.event_time === null ? undefined : epochOf(r.event_time),
    finishedAt: epochOf(r.finished_at),
  };
  for (const k of Object.keys(trace) as (keyof StoredTrace)[]) if (trace[k] === undefined) delete trace[k];
  return trace;
}

/** LIKE pattern matching `prefix` literally, followed by anything. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

export function tracesRepo(db: Db) {
  return {
    /**
     * A run's traces in the order they were stored. `search` matches the
     * business key or source key exactly, or a lineage key and its fan-out
     * children (`12` finds `12`, `12.0`, `12.1`, not `120`).
     */
    async listTraces(runId: string, filter: TraceFilter, page: Page): Promise<Paged<StoredTrace>> {
      const limit = pageLimit(page.limit);
      const params: unknown[] = [runId];
      const where = ['run_id = $1'];
      if (filter.outcome !== undefined) {
        params.push(filter.outcome);
        where.push(`outcome = $${params.length}`);
      }
      if (filter.search !== undefined && filter.search !== '') {
        params.push(filter.search, likePrefix(`${filter.search}.`));
        const s = params.length - 1;
        where.push(`(business_key = $${s} or source_key = $${s} or lineage_key = $${s} or lineage_key like $${s + 1})`);
      }
      if (page.cursor) {
        params.push(decodeCursor(page.cursor, ['number'])[0]);
        where.push(`id > $${params.length}`);
      }
      params.push(limit + 1);
      const { rows } = await db.query(
        `select * from record_traces where ${where.join(' and ')} order by id limit $${params.length}`,
        params,
      );
      return toPage(rows, limit, toTrace, (r) => [numberOf(r.id)]);
    },

    /** The record's trace in that run (the latest, should a chunk have been traced twice). */
    async getTrace(runId: string, lineageKey: string): Promise<StoredTrace | null> {
      const { rows } = await db.query(
        'select * from record_traces where run_id = $1 and lineage_key = $2 order by id desc limit 1',
        [runId, lineageKey],
      );
      return rows.length ? toTrace(rows[0]) : null;
    },

    /**
     * Every end of the source record `lineageKey` belongs to in the run (its records at each
     * target, fan-out item, quarantine or filter), for lineage: one outcome per target, and
     * whether it was delivered somewhere and failed elsewhere.
     */
    async sourceRecordOutcomes(runId: string, lineageKey: string): Promise<SourceRecordOutcomes> {
      const root = lineageKey.split('.')[0];
      const { rows } = await db.query<{ lineage_key: string; end_node: string; outcome: RecordOutcome; item_key: string | null; amount: string | null; currency: string | null }>(
        `select distinct on (lineage_key) lineage_key, end_node, outcome, item_key, amount, currency from record_traces
         where run_id = $1 and (lineage_key = $2 or lineage_key like $3) order by lineage_key, id desc`,
        [runId, root, `${root}.%`],
      );
      const ends = rows.map((r) => ({
        lineageKey: r.lineage_key, nodeId: r.end_node, outcome: r.outcome,
        itemKey: optional(r.item_key), amount: optional(r.amount), currency: optional(r.currency),
      }));
      // Only a target delivers, or finds a record already there.
      const reached = ends.some((e) => e.outcome === 'delivered' || e.outcome === 'duplicate');
      const failed = ends.some((e) => e.outcome === 'quarantined' || e.outcome === 'dead_lettered');
      return { lineageKey: root, ends, partiallyDelivered: reached && failed };
    },

    /**
     * Records whose business key, or fan-out item key, starts with `prefix` in any case
     * ("inv-2026-00" finds INV-2026-0042; an entry reference finds its item), newest first.
     */
    async findByBusinessKey(prefix: string, page: Page): Promise<Paged<StoredTrace>> {
      const limit = pageLimit(page.limit);
      const params: unknown[] = [likePrefix(prefix.toLowerCase())];
      let after = '';
      if (page.cursor) {
        params.push(decodeCursor(page.cursor, ['number'])[0]);
        after = `and id < $${params.length}`;
      }
      params.push(limit + 1);
      // Two index range scans (migration 0017), merged newest first.
      const { rows } = await db.query(
        `select * from record_traces where id in (
           (select id from record_traces where business_key is not null and lower(business_key) like $1 ${after} order by id desc limit $${params.length})
           union
           (select id from record_traces where item_key is not null and lower(item_key) like $1 ${after} order by id desc limit $${params.length})
         ) order by id desc limit $${params.length}`,
        params,
      );
      return toPage(rows, limit, toTrace, (r) => [numberOf(r.id)]);
    },
  };
}
