/** Quarantined and dead-lettered records: listing, reading, and marking them replayed or discarded. */
import type { ErrorClass, SerializedError } from '../../nodes/errors.ts';
import type { Db, Row } from './db.ts';
import type { DeadLetterFilter, DeadLetterRow, DeadLetterStatus, Page, Paged } from './store.ts';
import { decodeCursor, pageLimit, toPage } from './pagination.ts';
import { isoOf, numberOf, numberOrNull } from './row-values.ts';

function toDeadLetter(r: Row): DeadLetterRow {
  return {
    id: numberOf(r.id),
    runId: r.run_id as string,
    flowId: r.flow_id as string,
    version: numberOrNull(r.version),
    environment: (r.environment as string | null) ?? null,
    lineageKey: r.lineage_key as string,
    sourceKey: r.source_key as string,
    businessKey: (r.business_key as string | null) ?? null,
    nodeId: r.node_id as string,
    disposition: r.disposition as DeadLetterRow['disposition'],
    errorClass: r.error_class as ErrorClass,
    error: r.error as SerializedError,
    sourceRecord: r.source_record ?? null,
    status: r.status as DeadLetterStatus,
    statusReason: (r.status_reason as string | null) ?? null,
    replayRunId: (r.replay_run_id as string | null) ?? null,
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
  };
}

export function deadLettersRepo(db: Db) {
  return {
    /** Newest first. */
    async listDeadLetters(filter: DeadLetterFilter, page: Page): Promise<Paged<DeadLetterRow>> {
      const limit = pageLimit(page.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => { params.push(value); where.push(clause.replace('?', `$${params.length}`)); };
      if (filter.status !== undefined) add('status = ?', filter.status);
      if (filter.flowId !== undefined) add('flow_id = ?', filter.flowId);
      if (filter.runId !== undefined) add('run_id = ?', filter.runId);
      if (filter.errorClass !== undefined) add('error_class = ?', filter.errorClass);
      if (filter.olderThan !== undefined) add('created_at < ?::timestamptz', filter.olderThan);
      if (page.cursor) add('id < ?', decodeCursor(page.cursor, ['number'])[0]);
      params.push(limit + 1);
      const { rows } = await db.query(
        `select * from dead_letters ${where.length ? `where ${where.join(' and ')}` : ''}
         order by id desc limit $${params.length}`,
        params,
      );
      return toPage(rows, limit, toDeadLetter, (r) => [numberOf(r.id)]);
    },

    async getDeadLetter(id: number): Promise<DeadLetterRow | null> {
      const { rows } = await db.query('select * from dead_letters where id = $1', [id]);
      return rows.length ? toDeadLetter(rows[0]) : null;
    },

    /** The dead letters with these ids (one statement however many), in the order of `ids`; missing ones left out. */
    async getDeadLetters(ids: number[]): Promise<DeadLetterRow[]> {
      if (ids.length === 0) return [];
      const { rows } = await db.query('select * from dead_letters where id = any($1::bigint[])', [ids]);
      const byId = new Map(rows.map((r) => [numberOf(r.id), toDeadLetter(r)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    /** `replayRunId` left undefined keeps the one recorded. */
    async setDeadLetterStatus(ids: number[], status: DeadLetterStatus, reason: string | null, replayRunId?: string | null): Promise<void> {
      if (ids.length === 0) return;
      await db.query(
        `update dead_letters set status = $2, status_reason = $3,
           replay_run_id = case when $4::boolean then $5 else replay_run_id end, updated_at = now()
         where id = any($1::bigint[])`,
        [ids, status, reason, replayRunId !== undefined, replayRunId ?? null],
      );
    },
  };
}
