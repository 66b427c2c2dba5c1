/**
 * The SQL of the durable queue (runtime/queue): queued run rows and their
 * inputs written in one statement, the webhook signatures they consume, the
 * runs a worker must stop, and the few reads and writes of pg-boss's own
 * tables that pg-boss has no call for (lease renewal, a run's jobs, its schema
 * version). The queue holds no SQL of its own.
 */
import type { Db, Row } from './db.ts';
import type { RunRow } from './store.ts';
import { toRun } from './runs-repo.ts';

/** A run to queue, as its row and stored input are written. */
export interface QueuedRunRow {
  id: string;
  flowId: string;
  /** The immutable version to run. */
  version: number;
  /** Null for a run of no environment (the CLI's; watermarks kept under `local`). */
  environment: string | null;
  /** manual | webhook | schedule | poll | replay */
  trigger: string;
  triggerRef?: string | null;
  /** What the run reads, stored with it. */
  input: { kind: 'document'; name: string; bytes: Uint8Array } | { kind: 'records'; records: unknown[] } | { kind: 'source' };
  replayOf?: string | null;
  /** Dead letters this run replays; marked replayed when it finishes. */
  replayDeadLetterIds?: number[];
  /** A replay "as it was": the reference data as loaded at this time (ISO); absent, the current reference data. */
  referenceAsOf?: string | null;
  /** Who started it (user name, `webhook`, `scheduler`). */
  requestedBy: string;
  /** The source node that reads (default: the flow's first). */
  sourceNodeId?: string | null;
  /** Targets are not written and watermarks not moved; traces and figures are stored. */
  dryRun?: boolean;
}

/** pg-boss's database interface (a pg-boss instance's `getDb()`). */
export interface BossSql {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/** A job as tests and operators look for it. */
export interface RunJob { id: string; state: string; retryCount: number }

const toBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/**
 * `($1::text, $2::int), ($3::text, $4::int)` for `rows` rows of the given column
 * types: every parameter typed, so both drivers send bytes and arrays as such.
 */
function valuesList(rows: number, types: readonly string[]): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    out.push(`(${types.map((type, c) => `$${r * types.length + c + 1}::${type}`).join(', ')})`);
  }
  return out.join(', ');
}

/** ord, id, flow_id, version, environment, trigger, trigger_ref, replay_of, kind, name, bytes, records, replay_ids, requested_by, reference_as_of */
const REQUEST_COLUMNS = ['int', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'bytea', 'jsonb', 'bigint[]', 'text', 'timestamptz', 'text', 'boolean'] as const;

export function jobsRepo(db: Db) {
  return {
    /**
     * Records webhook signatures (in the caller's transaction); returns the
     * hashes it recorded. A hash not returned was used before.
     */
    async claimSignatures(hashes: string[]): Promise<Set<string>> {
      if (!hashes.length) return new Set();
      const { rows } = await db.query<{ signature_hash: string }>(
        `insert into webhook_signatures_seen (signature_hash) select unnest($1::text[])
         on conflict do nothing returning signature_hash`,
        [hashes],
      );
      return new Set(rows.map((r) => r.signature_hash));
    },

    /** Gives back signatures claimed for runs that were not queued after all. */
    async unclaimSignatures(hashes: string[]): Promise<void> {
      if (hashes.length) await db.query('delete from webhook_signatures_seen where signature_hash = any($1::text[])', [hashes]);
    },

    /**
     * The run rows and their inputs in one statement; only runs whose flow
     * version exists are written (the join), in the order given, so that
     * `created_at` follows the run ids. Returns the rows written, by id.
     */
    async insertQueuedRuns(runs: QueuedRunRow[]): Promise<Map<string, RunRow>> {
      if (!runs.length) return new Map();
      const params = runs.flatMap((r, ord) => {
        const input = r.input;
        return [
          ord, r.id, r.flowId, r.version, r.environment, r.trigger, r.triggerRef ?? null, r.replayOf ?? null,
          input.kind,
          input.kind === 'document' ? input.name : null,
          input.kind === 'document' ? toBuffer(input.bytes) : null,
          input.kind === 'records' ? JSON.stringify(input.records) : null,
          r.replayDeadLetterIds ?? [],
          r.requestedBy,
          r.referenceAsOf ?? null,
          r.sourceNodeId ?? null,
          r.dryRun ?? false,
        ];
      });
      const { rows } = await db.query<Row>(
        `with v (ord, id, flow_id, version, environment, trigger, trigger_ref, replay_of, kind, name, bytes, records, replay_ids, requested_by, reference_as_of, source_node_id, dry_run) as (
           values ${valuesList(runs.length, REQUEST_COLUMNS)}
         ), r as (
           insert into runs (id, flow_id, version, environment, trigger, trigger_ref, replay_of, status)
           select v.id, v.flow_id, v.version, v.environment, v.trigger, v.trigger_ref, v.replay_of, 'queued'
             from v join flow_versions f on f.flow_id = v.flow_id and f.version = v.version
            order by v.ord
           returning *
         ), i as (
           insert into run_inputs (run_id, kind, name, bytes, records, replay_dead_letter_ids, requested_by, reference_as_of, source_node_id, dry_run)
           select v.id, v.kind, v.name, v.bytes, v.records, v.replay_ids, v.requested_by, v.reference_as_of, v.source_node_id, v.dry_run from v join r on r.id = v.id
         )
         select * from r`,
        params,
      );
      return new Map(rows.map((r) => [r.id as string, toRun(r)]));
    },

    /** Of `runIds`, those cancelled or failed (a worker stops working on them). */
    async stoppedRuns(runIds: string[]): Promise<{ id: string; status: string }[]> {
      if (!runIds.length) return [];
      const { rows } = await db.query<{ id: string; status: string }>(
        `select id, status from runs where id = any($1::text[]) and status in ('cancelled', 'failed')`, [runIds],
      );
      return rows;
    },

    /** Resolves when the database answers. */
    async ping(): Promise<void> {
      await db.query('select 1');
    },
  };
}

export type JobsRepo = ReturnType<typeof jobsRepo>;

/**
 * pg-boss's tables in `schema`, read and written where pg-boss has no call
 * for it, through pg-boss's own database interface.
 */
/**
 * One fetch of a job: its id with the retry count it was fetched at. pg-boss
 * fetches a retried job under the same id, so the same worker may hold an
 * earlier attempt (its batch not finished yet) and the retry at once.
 */
export const leaseKey = (id: string, retryCount: number) => `${id}#${retryCount}`;

export function bossTables(boss: BossSql, schema: string) {
  return {
    /** The version of pg-boss's tables, or null before pg-boss made them. */
    async schemaVersion(): Promise<number | null> {
      const exists = await boss.executeSql('select to_regclass($1) as name', [`${schema}.version`]);
      if (!exists.rows[0]?.name) return null;
      const { rows } = await boss.executeSql(`select max(version) as version from ${schema}.version`, []);
      return Number(rows[0]?.version ?? 0);
    },

    /**
     * Renews the leases of active jobs of `queue` this worker holds (ids with
     * the retry count it took them at); returns the leases still its own, as
     * `leaseKey(id, retryCount)`.
     */
    async renewLeases(queue: string, ids: string[], retryCounts: number[]): Promise<Set<string>> {
      const { rows } = await boss.executeSql(
        `update ${schema}.job j set started_on = now() from unnest($2::uuid[], $3::int[]) as h(id, retry_count)
         where j.name = $1 and j.id = h.id and j.retry_count = h.retry_count and j.state = 'active' returning j.id, j.retry_count`, [queue, ids, retryCounts]);
      return new Set(rows.map((r: { id: string; retry_count: unknown }) => leaseKey(r.id, Number(r.retry_count))));
    },

    /** The jobs of one run in a queue, finished ones (archived or not) included. */
    async runJobs(queue: string, runId: string): Promise<RunJob[]> {
      const columns = 'id, state::text as state, retry_count as "retryCount"';
      const { rows } = await boss.executeSql(
        `select ${columns} from ${schema}.job where name = $1 and data->>'runId' = $2
         union all select ${columns} from ${schema}.archive where name = $1 and data->>'runId' = $2`, [queue, runId]);
      return rows as RunJob[];
    },
  };
}
