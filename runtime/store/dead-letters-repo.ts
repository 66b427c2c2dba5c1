/** Quarantined and dead-lettered records: listing, reading, and marking them replayed or discarded. */
import type { ErrorClass, SerializedError } from '../../nodes/errors.ts';
import type { Db, Row } from './db.ts';
import { DEAD_LETTER_COLUMNS } from './trace-rows.ts';
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
    itemKey: (r.item_key as string | null) ?? '',
    businessKey: (r.business_key as string | null) ?? null,
    nodeId: r.node_id as string,
    disposition: r.disposition as DeadLetterRow['disposition'],
    errorClass: r.error_class as ErrorClass,
    error: r.error as SerializedError,
    sourceRecord: r.source_record ?? null,
    entryNode: (r.entry_node as string | null) ?? null,
    status: r.status as DeadLetterStatus,
    statusReason: (r.status_reason as string | null) ?? null,
    replayRunId: (r.replay_run_id as string | null) ?? null,
    attempts: r.attempts === undefined || r.attempts === null ? 1 : numberOf(r.attempts),
    firstRunId: (r.first_run_id as string | null) ?? (r.run_id as string),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
  };
}

const IDENTITY = 'flow_id, coalesce(environment, \'\'), source_key, item_key';
const UPDATED_ON_REPEAT = ['run_id', 'version', 'lineage_key', 'business_key', 'node_id', 'disposition', 'error_class', 'error', 'source_record', 'entry_node'];

/**
 * Stores dead letters given as COPY text (`DEAD_LETTER_COLUMNS`). A record or
 * item that already has an open dead letter in the flow and environment (a
 * re-run of the same file, a replay that failed again) updates it: one more
 * attempt, the latest run, error and record; the first run is kept. Runs inside
 * the caller's transaction, with the traces of the same records.
 */
export async function storeDeadLetters(db: Db, copyText: string | readonly Uint8Array[]): Promise<void> {
  // The staging table lives on one connection: a transaction (or a savepoint in the caller's) keeps every statement on it.
  await db.transaction((tx) => mergeDeadLetters(tx, copyText));
}

async function mergeDeadLetters(tx: Db, copyText: string | readonly Uint8Array[]): Promise<void> {
  // Made afresh each time: a staging table kept by a long-lived session would keep the columns (and the
  // defaults' sequence) of the dead_letters table it was made from, across a migration or a schema rebuilt.
  await tx.exec(`drop table if exists pg_temp.dead_letters_incoming; create temp table dead_letters_incoming (like dead_letters including defaults) on commit drop`);
  await tx.copyFrom('dead_letters_incoming', DEAD_LETTER_COLUMNS, copyText);
  const columns = DEAD_LETTER_COLUMNS.join(', ');
  await tx.query(
    `insert into dead_letters as d (${columns}, attempts, first_run_id)
     select distinct on (${IDENTITY}) ${columns}, count(*) over (partition by ${IDENTITY}), run_id
     from dead_letters_incoming
     order by ${IDENTITY}, id desc
     on conflict (flow_id, (coalesce(environment, '')), source_key, item_key) where status = 'open'
     do update set attempts = d.attempts + excluded.attempts, updated_at = now(),
       ${UPDATED_ON_REPEAT.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  await tx.query('drop table pg_temp.dead_letters_incoming');
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

    /**
     * After a replay run: the selected dead letters it did not fail again are
     * marked replayed; those it failed again stay open (the run updated them:
     * one more attempt, its error) and name the replay.
     */
    async markReplayed(ids: number[], replayRunId: string): Promise<{ replayed: number; failedAgain: number }> {
      if (ids.length === 0) return { replayed: 0, failedAgain: 0 };
      const { rows } = await db.query<{ failed_again: boolean }>(
        `update dead_letters set
           status = case when run_id = $2 then status else 'replayed' end,
           status_reason = case when run_id = $2 then 'failed again in replay ' || $2 else 'replayed in ' || $2 end,
           replay_run_id = $2, updated_at = now()
         where id = any($1::bigint[]) and status = 'open'
         returning run_id = $2 as failed_again`,
        [ids, replayRunId],
      );
      const failedAgain = rows.filter((r) => r.failed_again).length;
      return { replayed: rows.length - failedAgain, failedAgain };
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
