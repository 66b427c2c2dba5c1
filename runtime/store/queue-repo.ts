/**
 * The queue's tables (migrations/0003_queue.sql): run inputs, run chunks, the
 * run's read progress, and workers. Every function takes the Db it runs on,
 * so callers put several of them in one transaction.
 */
import type { Db, Row } from './db.ts';
import type { DeadLetterEntry, Reconciliation, RecordTrace, RunStatus } from '../engine/run-types.ts';
import type { RootRecord } from '../engine/process-chunk.ts';
import type { GivenRecord } from '../engine/run-flow.ts';
import type { SerializedError } from '../../nodes/errors.ts';
import { storeDeadLetters } from './dead-letters-repo.ts';
import { TRACE_COLUMNS, deadLetterLine, runPrefix, writeTraceRow, type RunColumns } from './trace-rows.ts';
import { isoOf, numberOf, numberOrNull } from './row-values.ts';
import { CopyPayload } from './copy-payload.ts';
import type { ReferenceVersions } from './reference-sets.ts';

export type ChunkStatus = 'pending' | 'done' | 'skipped' | 'failed';

export interface StoredRunInput {
  kind: 'document' | 'records' | 'source';
  name: string | null;
  bytes: Uint8Array | null;
  records: GivenRecord[] | null;
  replayDeadLetterIds: number[];
  requestedBy: string;
  /** A replay "as it was": the reference data as loaded at this time. */
  referenceAsOf?: string | null;
  /** The source node that reads (null: the flow's first). */
  sourceNodeId?: string | null;
  /** Targets are not written and watermarks not moved. */
  dryRun?: boolean;
}

export interface NewChunk {
  chunkNo: number;
  firstSeq: number;
  roots: RootRecord[];
  /** Read-side reconciliation of these roots. */
  read: Reconciliation;
  /** With the flow's `ordering`: the chunk this one follows in its key sequence (see runtime/queue/chunk-order.ts). */
  afterChunk?: number;
  /** Group records of this aggregate node: they enter the graph at its output, not at the source. */
  entryNode?: string;
}

/** What a finished chunk adds to its run. */
export interface ChunkOutcome {
  reconciliation: Reconciliation;
  traces: number;
  deadLetters: number;
  /** Records delivered per target node by this chunk, as the ledger and traces count them. */
  targets?: Record<string, number>;
}

/** A chunk as a worker loads it, with what it needs to know of its run. */
export interface ChunkToRun {
  runId: string;
  chunkNo: number;
  status: ChunkStatus;
  attempts: number;
  roots: RootRecord[];
  /** A chunk of group records: the aggregate node they leave (see NewChunk.entryNode). */
  entryNode: string | null;
  run: {
    flowId: string; version: number | null; environment: string | null; status: RunStatus; referenceAsOf: string | null;
    referenceVersions: ReferenceVersions | null; sourceNodeId: string | null; dryRun: boolean;
  };
}

export interface RunProgress {
  splitDone: boolean;
  /** Records per chunk for this run, fixed by its first split attempt (null: split before migration 0021). */
  chunkSize: number | null;
  chunksTotal: number;
  recordsRead: number;
  watermarks: { nodeId: string; value: string }[];
}

export interface ChunkSummary {
  chunkNo: number;
  status: ChunkStatus;
  read: Reconciliation;
  outcome: ChunkOutcome | null;
  error: SerializedError | null;
  workerId: string | null;
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  lastSeenAt: string;
  stoppedAt: string | null;
  chunksDone: number;
  recordsDone: number;
}

const toBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

export async function insertRunInput(db: Db, runId: string, input: StoredRunInput): Promise<void> {
  await db.query(
    `insert into run_inputs (run_id, kind, name, bytes, records, replay_dead_letter_ids, requested_by)
     values ($1, $2, $3, $4, $5::jsonb, $6::bigint[], $7)`,
    [runId, input.kind, input.name, input.bytes ? toBuffer(input.bytes) : null,
      input.records ? JSON.stringify(input.records) : null, input.replayDeadLetterIds, input.requestedBy],
  );
}

export async function getRunInput(db: Db, runId: string): Promise<StoredRunInput | null> {
  const { rows } = await db.query('select * from run_inputs where run_id = $1', [runId]);
  if (!rows.length) return null;
  const r = rows[0];
  return {
    kind: r.kind as StoredRunInput['kind'],
    name: (r.name as string | null) ?? null,
    bytes: (r.bytes as Uint8Array | null) ?? null,
    records: (r.records as StoredRunInput['records']) ?? null,
    replayDeadLetterIds: ((r.replay_dead_letter_ids as unknown[] | null) ?? []).map(numberOf),
    requestedBy: r.requested_by as string,
    referenceAsOf: r.reference_as_of ? isoOf(r.reference_as_of) : null,
    sourceNodeId: (r.source_node_id as string | null) ?? null,
    dryRun: r.dry_run === true,
  };
}

/** The dead letters a replay run replays, without reading its input (a document may be many megabytes). */
export async function replayedDeadLetterIds(db: Db, runId: string): Promise<number[]> {
  const { rows } = await db.query('select replay_dead_letter_ids from run_inputs where run_id = $1', [runId]);
  return ((rows[0]?.replay_dead_letter_ids as unknown[] | undefined) ?? []).map(numberOf);
}

/** Whether the run is a dry run (targets not written), without reading its input. */
export async function isDryRun(db: Db, runId: string): Promise<boolean> {
  const { rows } = await db.query('select dry_run from run_inputs where run_id = $1', [runId]);
  return rows[0]?.dry_run === true;
}

/**
 * Creates the run's progress row with the chunk size its records are cut with
 * (idempotent: a retried split finds the row, and the chunk size the first
 * attempt fixed, whatever the size of the worker retrying it).
 */
export async function startProgress(db: Db, runId: string, chunkSize: number): Promise<RunProgress & { chunkSize: number }> {
  await db.query(
    `insert into run_progress (run_id, chunk_size) values ($1, $2)
     on conflict (run_id) do update set chunk_size = $2 where run_progress.chunk_size is null`,
    [runId, chunkSize],
  );
  const progress = (await getProgress(db, runId))!;
  return { ...progress, chunkSize: progress.chunkSize ?? chunkSize };
}

export async function getProgress(db: Db, runId: string): Promise<RunProgress | null> {
  const { rows } = await db.query('select * from run_progress where run_id = $1', [runId]);
  if (!rows.length) return null;
  return {
    splitDone: rows[0].split_done as boolean,
    chunkSize: numberOrNull(rows[0].chunk_size),
    chunksTotal: numberOf(rows[0].chunks_total),
    recordsRead: numberOf(rows[0].records_read),
    watermarks: rows[0].watermarks as RunProgress['watermarks'],
  };
}

/** Chunks a single insert statement stores (8 parameters each, far below the protocol's 65,535). */
const CHUNKS_PER_INSERT = 1000;

/** Inserts chunks not yet stored; returns the numbers of those inserted (a retried split skips the rest). */
export async function insertChunks(db: Db, runId: string, chunks: NewChunk[]): Promise<number[]> {
  const inserted: number[] = [];
  // A chunk's records go as one JSON text parameter (migration 0027: stored as text, not parsed by the database).
  for (let from = 0; from < chunks.length; from += CHUNKS_PER_INSERT) {
    const params: unknown[] = [runId];
    const rows = chunks.slice(from, from + CHUNKS_PER_INSERT).map((c) => {
      const lastSeq = c.roots.reduce((max, r) => Math.max(max, r.seq), c.firstSeq);
      const at = params.push(c.chunkNo, c.firstSeq, JSON.stringify(c.roots), JSON.stringify(c.read), c.afterChunk ?? null, c.entryNode ?? null, lastSeq) - 7;
      return `($1, $${at + 1}::int, $${at + 2}::bigint, $${at + 3}::text, $${at + 4}::jsonb, $${at + 5}::int, $${at + 6}::text, $${at + 7}::bigint)`;
    });
    const { rows: stored } = await db.query<{ chunk_no: number }>(
      `insert into run_chunks (run_id, chunk_no, first_seq, roots, read, after_chunk, entry_node, last_seq)
       values ${rows.join(', ')}
       on conflict (run_id, chunk_no) do nothing
       returning chunk_no`,
      params,
    );
    for (const r of stored) inserted.push(numberOf(r.chunk_no));
  }
  return inserted;
}

/**
 * Of chunks that follow another in their key sequence, those whose chunk before
 * is no longer pending, so they may be queued now. The chunks before are locked
 * (for update) until the caller's transaction ends: a chunk committing at the
 * same time either finished before (and is seen done here) or waits, and then
 * finds these chunks stored and queues the next itself (`nextInSequence`).
 */
export async function chunksAfterSettled(db: Db, runId: string, afterChunks: number[]): Promise<number[]> {
  if (!afterChunks.length) return [];
  // A row lock waited for is read again as committed: a chunk settled meanwhile shows its new status.
  const { rows } = await db.query<{ chunk_no: unknown; status: string }>(
    `select chunk_no, status from run_chunks where run_id = $1 and chunk_no = any($2::int[]) order by chunk_no for update`,
    [runId, afterChunks],
  );
  return rows.filter((r) => r.status !== 'pending').map((r) => numberOf(r.chunk_no));
}

/** The first record (`first_seq`) of each of these stored chunks, by chunk number. */
export async function storedFirstSeqs(db: Db, runId: string, chunkNos: number[]): Promise<Map<number, number>> {
  if (!chunkNos.length) return new Map();
  const { rows } = await db.query<{ chunk_no: unknown; first_seq: unknown }>(
    'select chunk_no, first_seq from run_chunks where run_id = $1 and chunk_no = any($2::int[])', [runId, chunkNos]);
  return new Map(rows.map((r) => [numberOf(r.chunk_no), numberOf(r.first_seq)]));
}

/** The pending chunk that follows `chunkNo` in its key sequence, if it is stored yet. */
export async function nextInSequence(db: Db, runId: string, chunkNo: number): Promise<number | null> {
  const { rows } = await db.query<{ chunk_no: unknown }>(
    `select chunk_no from run_chunks where run_id = $1 and after_chunk = $2 and status = 'pending'`, [runId, chunkNo]);
  return rows.length ? numberOf(rows[0].chunk_no) : null;
}

/**
 * Records how far the split has read. Never goes back: an attempt of the split
 * that is still storing early chunks (its lease lapsed and another worker
 * finished the split meanwhile) must not clear `split_done`, or the run would
 * never be finished.
 */
export async function setProgress(db: Db, runId: string, patch: { chunksTotal: number; recordsRead: number; splitDone: boolean; watermarks?: RunProgress['watermarks'] }): Promise<void> {
  await db.query(
    `update run_progress set chunks_total = greatest(chunks_total, $2), records_read = greatest(records_read, $3),
       split_done = split_done or $4, watermarks = coalesce($5::jsonb, watermarks), updated_at = now()
     where run_id = $1`,
    [runId, patch.chunksTotal, patch.recordsRead, patch.splitDone, patch.watermarks ? JSON.stringify(patch.watermarks) : null],
  );
}

export async function loadChunk(db: Db, runId: string, chunkNo: number): Promise<ChunkToRun | null> {
  const { rows } = await db.query(
    `select c.status, c.attempts, c.roots, c.entry_node, r.flow_id, r.version, r.environment, r.status as run_status, r.reference_versions, i.reference_as_of, i.source_node_id, i.dry_run
     from run_chunks c join runs r on r.id = c.run_id left join run_inputs i on i.run_id = c.run_id
     where c.run_id = $1 and c.chunk_no = $2`,
    [runId, chunkNo],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return {
    runId, chunkNo,
    status: r.status as ChunkStatus,
    attempts: numberOf(r.attempts),
    roots: JSON.parse(r.roots as string) as RootRecord[],
    entryNode: (r.entry_node as string | null) ?? null,
    run: {
      flowId: r.flow_id as string, version: r.version === null ? null : numberOf(r.version), environment: (r.environment as string | null) ?? null, status: r.run_status as RunStatus, referenceAsOf: r.reference_as_of ? isoOf(r.reference_as_of) : null,
      referenceVersions: (r.reference_versions as ReferenceVersions | null) ?? null, sourceNodeId: (r.source_node_id as string | null) ?? null, dryRun: r.dry_run === true,
    },
  };
}

/** Counts an attempt at a chunk (for the operator's view of retries). */
export async function markChunkAttempt(db: Db, runId: string, chunkNo: number, workerId: string): Promise<void> {
  await db.query('update run_chunks set attempts = attempts + 1, worker_id = $3 where run_id = $1 and chunk_no = $2 and status = $4', [runId, chunkNo, workerId, 'pending']);
}

/**
 * Moves a pending chunk to a final status. Returns false when it was no longer
 * pending: another attempt got there first, and this one must change nothing.
 * The row lock it takes also makes a concurrent attempt wait for this transaction.
 */
export async function settleChunk(db: Db, runId: string, chunkNo: number, patch: {
  status: Exclude<ChunkStatus, 'pending'>;
  /** Statuses it may move from; default only `pending`. */
  from?: ChunkStatus[];
  workerId?: string | null;
  outcome?: ChunkOutcome | null;
  error?: SerializedError | null;
}): Promise<boolean> {
  const { rows } = await db.query(
    `update run_chunks set status = $3, worker_id = coalesce($4, worker_id), outcome = $5::jsonb, error = $6::jsonb, done_at = now()
     where run_id = $1 and chunk_no = $2 and status = any($7::text[])
     returning chunk_no`,
    [runId, chunkNo, patch.status, patch.workerId ?? null, patch.outcome ? JSON.stringify(patch.outcome) : null,
      patch.error ? JSON.stringify(patch.error) : null, patch.from ?? ['pending']],
  );
  return rows.length === 1;
}

/** Marks every pending chunk of the run skipped (cancel, failure); returns how many. */
export async function skipPendingChunks(db: Db, runId: string): Promise<number> {
  const { rowCount } = await db.query(`update run_chunks set status = 'skipped', done_at = now() where run_id = $1 and status = 'pending'`, [runId]);
  return rowCount ?? 0;
}

export async function pendingChunkCount(db: Db, runId: string): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(`select count(*) as n from run_chunks where run_id = $1 and status = 'pending'`, [runId]);
  return numberOf(rows[0].n);
}

/** Every chunk's read side and outcome, for the run's totals. */
export async function chunkSummaries(db: Db, runId: string): Promise<ChunkSummary[]> {
  const { rows } = await db.query('select chunk_no, status, read, outcome, error, worker_id from run_chunks where run_id = $1 order by chunk_no', [runId]);
  return rows.map((r: Row) => ({
    chunkNo: numberOf(r.chunk_no),
    status: r.status as ChunkStatus,
    read: r.read as Reconciliation,
    outcome: (r.outcome as ChunkOutcome | null) ?? null,
    error: (r.error as SerializedError | null) ?? null,
    workerId: (r.worker_id as string | null) ?? null,
  }));
}

/** Writes a chunk's traces and dead letters on `db` (inside the chunk's transaction). */
export async function insertTraceRows(db: Db, run: RunColumns, traces: RecordTrace[], deadLetters: DeadLetterEntry[]): Promise<void> {
  const prefix = runPrefix(run);
  if (traces.length) {
    const rows = new CopyPayload();
    for (const t of traces) writeTraceRow(t, run, prefix, rows.add);
    await db.copyFrom('record_traces', TRACE_COLUMNS, rows.chunks());
  }
  if (deadLetters.length) {
    const rows = new CopyPayload();
    for (const d of deadLetters) rows.add(deadLetterLine(d, run, prefix));
    await storeDeadLetters(db, rows.chunks());
  }
}

export async function heartbeatWorker(db: Db, worker: { id: string; host: string; pid: number; chunksDone: number; recordsDone: number }): Promise<void> {
  await db.query(
    `insert into workers (id, host, pid, chunks_done, records_done) values ($1, $2, $3, $4, $5)
     on conflict (id) do update set last_seen_at = now(), chunks_done = excluded.chunks_done, records_done = excluded.records_done`,
    [worker.id, worker.host, worker.pid, worker.chunksDone, worker.recordsDone],
  );
}

export async function stopWorkerRow(db: Db, id: string): Promise<void> {
  await db.query('update workers set stopped_at = now(), last_seen_at = now() where id = $1', [id]);
}

/** Workers seen within the last `seconds` and not stopped. */
export async function listLiveWorkers(db: Db, seconds: number): Promise<WorkerRow[]> {
  const { rows } = await db.query(
    `select * from workers where stopped_at is null and last_seen_at > now() - make_interval(secs => $1) order by started_at`,
    [seconds],
  );
  return rows.map((r) => ({
    id: r.id as string,
    host: r.host as string,
    pid: numberOf(r.pid),
    startedAt: isoOf(r.started_at),
    lastSeenAt: isoOf(r.last_seen_at),
    stoppedAt: null,
    chunksDone: numberOf(r.chunks_done),
    recordsDone: numberOf(r.records_done),
  }));
}

export interface RunHead {
  status: RunStatus;
  flowId: string;
  version: number | null;
  environment: string | null;
}

/**
 * The run's status and identity; `lock` takes a row lock until the transaction
 * ends: `update` for whoever changes the status (finish, fail, cancel), `share`
 * for chunk commits, which may run side by side but not during a status change.
 */
export async function runHead(db: Db, runId: string, lock: 'update' | 'share' | null = null): Promise<RunHead | null> {
  const { rows } = await db.query(`select status, flow_id, version, environment from runs where id = $1${lock ? ` for ${lock}` : ''}`, [runId]);
  if (!rows.length) return null;
  const r = rows[0];
  return { status: r.status as RunStatus, flowId: r.flow_id as string, version: r.version === null ? null : numberOf(r.version), environment: (r.environment as string | null) ?? null };
}

/** What a worker needs to prepare a run's flow: its identity and the reference data it reads (not its stored input). */
export async function runToPrepare(db: Db, runId: string): Promise<(RunHead & { referenceAsOf: string | null; referenceVersions: ReferenceVersions | null }) | null> {
  const { rows } = await db.query(
    `select r.status, r.flow_id, r.version, r.environment, r.reference_versions, i.reference_as_of
     from runs r left join run_inputs i on i.run_id = r.id where r.id = $1`,
    [runId],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return {
    status: r.status as RunStatus, flowId: r.flow_id as string, version: r.version === null ? null : numberOf(r.version), environment: (r.environment as string | null) ?? null,
    referenceAsOf: r.reference_as_of ? isoOf(r.reference_as_of) : null, referenceVersions: (r.reference_versions as ReferenceVersions | null) ?? null,
  };
}

/** queued → running (stamps started_at); false when the run was not queued. */
export async function markRunRunning(db: Db, runId: string): Promise<boolean> {
  const { rowCount } = await db.query(`update runs set status = 'running', started_at = coalesce(started_at, now()) where id = $1 and status = 'queued'`, [runId]);
  return (rowCount ?? 0) > 0;
}

/** Updates a run's counts and reconciliation without touching its status (chunks finishing after a cancel). */
export async function setRunTotals(db: Db, runId: string, reconciliation: Reconciliation): Promise<void> {
  await db.query('update runs set counts = $2::jsonb, reconciliation = $3::jsonb where id = $1', [runId, JSON.stringify(reconciliation.counts), JSON.stringify(reconciliation)]);
}

/**
 * Empties the stored records of a run's settled chunks once the run has ended:
 * they live on in the run's input and in its traces, and a finished run needs
 * only each chunk's figures.
 */
export async function releaseChunkRecords(db: Db, runId: string): Promise<void> {
  await db.query(`update run_chunks set roots = '[]' where run_id = $1 and status <> 'pending' and roots <> '[]'`, [runId]);
}
