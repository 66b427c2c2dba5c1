/**
 * Writes a batch of run requests in one transaction: the webhook signatures
 * they consume, the run rows with their stored inputs, and their `split` jobs,
 * each step one multi-row statement. A request for a version that does not
 * exist, or with a signature already used, fails alone; any failure of the
 * transaction itself fails the whole batch and leaves nothing behind (no run
 * without its job, no job without its run, no signature spent on neither).
 */
import { FlowError } from '../../nodes/errors.ts';
import type { Db, Row } from '../store/db.ts';
import type { RunRow } from '../store/store.ts';
import { newRunId } from '../store/ids.ts';
import { toRun } from '../store/runs-repo.ts';
import { bossDbOf, type PgBoss } from './boss.ts';
import type { ItemOutcome } from './group-commit.ts';
import { QUEUE_NAMES, jobOptions, type QueueTuning, type SplitJobData } from './queue-options.ts';
import { SignatureReplayedError, type RunRequest } from './run-launcher.ts';

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

/** ord, id, flow_id, version, environment, trigger, trigger_ref, replay_of, kind, name, bytes, records, replay_ids, requested_by */
const REQUEST_COLUMNS = ['int', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'bytea', 'jsonb', 'bigint[]', 'text', 'timestamptz'] as const;

/** Bytes a request adds to a batch (its stored input), for the batch size limit. */
export function requestSize(request: RunRequest): number {
  const input = request.input;
  if (input.kind === 'document') return input.bytes.byteLength;
  if (input.kind === 'records') return input.records.length * 256;
  return 0;
}

/** Problems that would fail the whole batch's statements, caught per request before it joins one. */
export function requestProblem(request: RunRequest): FlowError | null {
  const texts = [request.flowId, request.environment, request.trigger, request.triggerRef, request.replayOf, request.requestedBy,
    request.input.kind === 'document' ? request.input.name : null];
  // Postgres text cannot hold NUL: one such value would fail every request written with it.
  if (texts.some((t) => typeof t === 'string' && t.includes('\0'))) {
    return new FlowError('validation', `the run request for flow '${request.flowId}' contains a NUL character (in its name or reference)`);
  }
  // jsonb cannot hold \u0000 either.
  if (request.input.kind === 'records' && JSON.stringify(request.input.records).includes('\\u0000')) {
    return new FlowError('validation', `the records handed to flow '${request.flowId}' contain a NUL character, which cannot be stored`);
  }
  if (!Number.isInteger(request.version) || request.version < 1 || request.version > 2 ** 31 - 1) {
    return new FlowError('validation', `flow '${request.flowId}' has no version ${request.version}`);
  }
  return null;
}

/**
 * Records the webhook signatures of `requests` (in the caller's transaction);
 * returns the hashes it recorded. A hash not returned was used before.
 */
async function claimSignatures(tx: Db, requests: RunRequest[]): Promise<Set<string>> {
  const hashes = [...new Set(requests.flatMap((r) => (r.webhookSignature ? [r.webhookSignature] : [])))];
  if (!hashes.length) return new Set();
  const { rows } = await tx.query<{ signature_hash: string }>(
    `insert into webhook_signatures_seen (signature_hash) select unnest($1::text[])
     on conflict do nothing returning signature_hash`,
    [hashes],
  );
  return new Set(rows.map((r) => r.signature_hash));
}

/**
 * The run rows and their inputs in one statement; only requests whose flow
 * version exists are written (the join), in the order given, so that
 * `created_at` follows the run ids. Returns the rows written.
 */
async function insertRuns(tx: Db, pending: { id: string; request: RunRequest }[]): Promise<Row[]> {
  const params = pending.flatMap(({ id, request: r }, ord) => {
    const input = r.input;
    return [
      ord, id, r.flowId, r.version, r.environment, r.trigger, r.triggerRef ?? null, r.replayOf ?? null,
      input.kind,
      input.kind === 'document' ? input.name : null,
      input.kind === 'document' ? toBuffer(input.bytes) : null,
      input.kind === 'records' ? JSON.stringify(input.records) : null,
      r.replayDeadLetterIds ?? [],
      r.requestedBy,
      r.referenceAsOf ?? null,
    ];
  });
  const { rows } = await tx.query(
    `with v (ord, id, flow_id, version, environment, trigger, trigger_ref, replay_of, kind, name, bytes, records, replay_ids, requested_by, reference_as_of) as (
       values ${valuesList(pending.length, REQUEST_COLUMNS)}
     ), r as (
       insert into runs (id, flow_id, version, environment, trigger, trigger_ref, replay_of, status)
       select v.id, v.flow_id, v.version, v.environment, v.trigger, v.trigger_ref, v.replay_of, 'queued'
         from v join flow_versions f on f.flow_id = v.flow_id and f.version = v.version
        order by v.ord
       returning *
     ), i as (
       insert into run_inputs (run_id, kind, name, bytes, records, replay_dead_letter_ids, requested_by, reference_as_of)
       select v.id, v.kind, v.name, v.bytes, v.records, v.replay_ids, v.requested_by, v.reference_as_of from v join r on r.id = v.id
     )
     select * from r`,
    params,
  );
  return rows;
}

/** One transaction for all of `requests`; outcomes in the same order. */
export async function enqueueBatch(db: Db, boss: PgBoss, tuning: QueueTuning, requests: RunRequest[]): Promise<ItemOutcome<RunRow>[]> {
  return db.transaction(async (tx) => {
    const outcomes: ItemOutcome<RunRow>[] = new Array(requests.length);
    const claimed = await claimSignatures(tx, requests);
    const pending: { index: number; id: string; request: RunRequest }[] = [];
    requests.forEach((request, index) => {
      const hash = request.webhookSignature;
      // A signature used before, or twice in this batch (the first one wins).
      if (hash && !claimed.delete(hash)) outcomes[index] = { ok: false, error: new SignatureReplayedError() };
      // Ids in submission order: runs made in one batch still sort in the order they were asked for.
      else pending.push({ index, id: newRunId(), request });
    });
    if (!pending.length) return outcomes;

    const written = new Map((await insertRuns(tx, pending)).map((r) => [r.id as string, toRun(r)]));
    const missing = pending.filter((p) => !written.has(p.id));
    for (const p of missing) {
      outcomes[p.index] = { ok: false, error: new FlowError('validation', `flow '${p.request.flowId}' has no version ${p.request.version}`) };
    }
    // Nothing was queued for these: their signatures stay unused.
    const unclaim = missing.flatMap((p) => (p.request.webhookSignature ? [p.request.webhookSignature] : []));
    if (unclaim.length) await tx.query('delete from webhook_signatures_seen where signature_hash = any($1::text[])', [unclaim]);

    const queued = pending.filter((p) => written.has(p.id));
    if (queued.length) {
      const options = jobOptions(tuning, 'split');
      await boss.insert(queued.map(({ id }) => ({ name: QUEUE_NAMES.split, data: { runId: id } satisfies SplitJobData, ...options })), { db: bossDbOf(tx) });
    }
    for (const { request, id } of queued) await request.alongside?.(tx, written.get(id)!);
    for (const { index, id } of queued) outcomes[index] = { ok: true, value: written.get(id)! };
    return outcomes;
  });
}
