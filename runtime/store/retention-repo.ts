/**
 * Retention: record-trace snapshots (input, output, steps) are dropped after a
 * shorter period; the lineage skeleton (keys, path, outcome, version, error)
 * stays for audit until a longer one. Work goes in small id ranges, each its
 * own short statement, so running flows writing traces are never locked out.
 */
import type { Db } from './db.ts';

export interface RetentionRequest {
  /** Traces created before this lose their snapshots. */
  snapshotsBefore: Date;
  /** Traces created before this are deleted (skeleton too). */
  lineageBefore: Date;
  /** Rows per statement; default 5,000. */
  batchSize?: number;
}

export interface RetentionResult {
  snapshotsPruned: number;
  tracesDeleted: number;
}

/** The highest trace id created before `before` (ids grow with time), or null. */
async function lastIdBefore(db: Db, before: Date): Promise<number | null> {
  const { rows } = await db.query<{ id: string | number }>(
    'select id from record_traces where created_at < $1 order by id desc limit 1', [before.toISOString()]);
  return rows.length ? Number(rows[0].id) : null;
}

async function firstId(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ id: string | number }>('select id from record_traces order by id limit 1');
  return rows.length ? Number(rows[0].id) : null;
}

async function inRanges(db: Db, upTo: number | null, batchSize: number, statement: string): Promise<number> {
  const start = await firstId(db);
  if (upTo === null || start === null) return 0;
  let done = 0;
  for (let lo = start - 1; lo < upTo; lo += batchSize) {
    const hi = Math.min(lo + batchSize, upTo);
    const res = await db.query(statement, [lo, hi]);
    done += res.rowCount ?? 0;
  }
  return done;
}

export function retentionRepo(db: Db) {
  return {
    async pruneTraces(request: RetentionRequest): Promise<RetentionResult> {
      const batchSize = Math.max(100, request.batchSize ?? 5000);
      const tracesDeleted = await inRanges(db, await lastIdBefore(db, request.lineageBefore), batchSize,
        'delete from record_traces where id > $1 and id <= $2');
      const snapshotsPruned = await inRanges(db, await lastIdBefore(db, request.snapshotsBefore), batchSize,
        `update record_traces set input = null, output = null, steps = null
         where id > $1 and id <= $2 and (input is not null or output is not null or steps is not null)`);
      return { snapshotsPruned, tracesDeleted };
    },
  };
}
