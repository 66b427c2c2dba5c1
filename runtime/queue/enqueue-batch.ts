/**
 * Writes a batch of run requests in one transaction: the webhook signatures
 * they consume, the run rows with their stored inputs, and their `split` jobs,
 * each step one multi-row statement. A request for a version that does not
 * exist, or with a signature already used, fails alone; any failure of the
 * transaction itself fails the whole batch and leaves nothing behind (no run
 * without its job, no job without its run, no signature spent on neither).
 */
import { FlowError } from '../../nodes/errors.ts';
import type { Db } from '../store/db.ts';
import type { RunRow } from '../store/store.ts';
import { newRunId } from '../store/ids.ts';
import { jobsRepo } from '../store/jobs-repo.ts';
import { bossDbOf, type PgBoss } from './boss.ts';
import type { ItemOutcome } from './group-commit.ts';
import { QUEUE_NAMES, jobOptions, type QueueTuning, type SplitJobData } from './queue-options.ts';
import { SignatureReplayedError, type RunRequest } from './run-launcher.ts';

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

/** One transaction for all of `requests`; outcomes in the same order. */
export async function enqueueBatch(db: Db, boss: PgBoss, tuning: QueueTuning, requests: RunRequest[]): Promise<ItemOutcome<RunRow>[]> {
  return db.transaction(async (tx) => {
    const jobs = jobsRepo(tx);
    const outcomes: ItemOutcome<RunRow>[] = new Array(requests.length);
    const claimed = await jobs.claimSignatures([...new Set(requests.flatMap((r) => (r.webhookSignature ? [r.webhookSignature] : [])))]);
    const pending: { index: number; id: string; request: RunRequest }[] = [];
    requests.forEach((request, index) => {
      const hash = request.webhookSignature;
      // A signature used before, or twice in this batch (the first one wins).
      if (hash && !claimed.delete(hash)) outcomes[index] = { ok: false, error: new SignatureReplayedError() };
      // Ids in submission order: runs made in one batch still sort in the order they were asked for.
      else pending.push({ index, id: newRunId(), request });
    });
    if (!pending.length) return outcomes;

    const written = await jobs.insertQueuedRuns(pending.map(({ id, request }) => ({ ...request, id })));
    const missing = pending.filter((p) => !written.has(p.id));
    for (const p of missing) {
      outcomes[p.index] = { ok: false, error: new FlowError('validation', `flow '${p.request.flowId}' has no version ${p.request.version}`) };
    }
    // Nothing was queued for these: their signatures stay unused.
    const unclaim = missing.flatMap((p) => (p.request.webhookSignature ? [p.request.webhookSignature] : []));
    await jobs.unclaimSignatures(unclaim);

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
