/**
 * Writing to a target, finance-grade: claim each idempotency key in the ledger
 * first (a key already delivered is a duplicate and is not written again),
 * write in batches, retry transient failures with back-off, then confirm what
 * was delivered and release what failed so a replay can write it later.
 *
 * Crash safety: a target that records its deliveries in the same transaction
 * as its data (`recordsDeliveries`, the Postgres target's markers) finds what
 * a crashed attempt of the chunk wrote and does not write it again, so the
 * ledger is confirmed once per chunk. Any other target has the ledger
 * confirmed after every batch: a retried chunk re-sends only the keys whose
 * acknowledgement was not recorded (an HTTP target with the same
 * Idempotency-Key).
 */
import { FlowError, toFlowError } from '../../nodes/errors.ts';
import { TARGET_OUT_PORT, type TargetOutcome } from '../../nodes/define-node.ts';
import type { PreparedTarget } from './prepare-flow.ts';
import type { ChunkIO } from './process-chunk.ts';
import type { CrashPoint, LedgerDelivery, RetryAttempt } from './run-types.ts';
import { retryDelayMs, sleep } from './retry.ts';

export interface TargetWork {
  data: unknown;
  idempotencyKey?: string;
  retries?: RetryAttempt[];
}

export interface TargetCallbacks<W extends TargetWork> {
  /** `answer`: what the target answered (or, for a delivery found already made, what the ledger kept of it). */
  delivered(item: W, ref: string | undefined, status: number | undefined, answer?: unknown): void;
  /** `answer`: the stored answer of the earlier delivery, when there is one. */
  duplicate(item: W, answer?: unknown): void;
  failed(item: W, error: FlowError): void;
}

/**
 * Writes one chunk's records for a target. Keys are claimed for the whole
 * chunk in one ledger call, written in the target's batches, and confirmed or
 * released in one call at the end: a target that takes one record per request
 * does not pay a ledger round trip per record. `seen` holds the keys this
 * attempt of the chunk has handled: the same key again is a duplicate, whatever
 * the ledger says about deliveries under this chunk's token (those are from a
 * crashed attempt).
 */
export async function writeToTarget<W extends TargetWork>(node: PreparedTarget, items: W[], io: ChunkIO, on: TargetCallbacks<W>, seen: Set<string> = new Set()): Promise<void> {
  const toWrite = await claimForWrite(node, items, io, on, seen);
  let delivered: LedgerDelivery[] = [];
  let released: string[] = [];
  const settleLedger = async () => {
    const [confirm, release] = [delivered, released];
    delivered = [];
    released = [];
    if (confirm.length) await io.ledger.confirm(node.scope, confirm, io.claimToken);
    if (release.length) await io.ledger.release(node.scope, release, io.claimToken);
  };
  const crashPoint = async (point: CrashPoint, batch: number) => io.crashPoint?.(point, { nodeId: node.id, batch });
  try {
    const batchSize = Math.max(1, node.behaviour.batchSize);
    for (let start = 0, batch = 0; start < toWrite.length; start += batchSize, batch++) {
      if (io.target.signal.aborted) throw io.target.signal.reason ?? new Error('run cancelled');
      await crashPoint('before-batch', batch);
      await writeBatch(node, toWrite.slice(start, start + batchSize), io, on, (d) => delivered.push(d), (key) => released.push(key));
      await crashPoint('after-batch', batch);
      if (!node.behaviour.recordsDeliveries) {
        await settleLedger();
        await crashPoint('after-confirm', batch);
      }
    }
  } finally {
    // Whatever happened, the ledger must learn what was delivered; keys of a
    // cancelled or crashed chunk stay claimed by its token for its retry.
    await settleLedger();
  }
}

/**
 * Claims a chunk's keys for one target in the ledger and answers the records
 * not to write: the same key again in this attempt, or already delivered
 * (duplicate), or delivered by a crashed attempt of this chunk (delivered).
 * Returns the records to write. A dry run answers every record delivered.
 */
export async function claimForWrite<W extends TargetWork>(node: PreparedTarget, items: W[], io: ChunkIO, on: TargetCallbacks<W>, seen: Set<string>): Promise<W[]> {
  const unique: W[] = [];
  for (const item of items) {
    if (seen.has(item.idempotencyKey!)) on.duplicate(item);
    else {
      seen.add(item.idempotencyKey!);
      unique.push(item);
    }
  }
  if (io.dryRun) {
    for (const item of unique) on.delivered(item, undefined, undefined);
    return [];
  }
  const owned = unique.length ? await io.ledger.claim(node.scope, unique.map((i) => i.idempotencyKey!), io.claimToken) : new Set<string>();
  const notOwned = unique.filter((item) => !owned.has(item.idempotencyKey!));
  const notOwnedKeys = notOwned.map((i) => i.idempotencyKey!);
  const ours = notOwned.length ? await io.ledger.deliveredUnder(node.scope, notOwnedKeys, io.claimToken) : new Map<string, string | null>();
  // Records passed on downstream carry the answer of the delivery already made: never sent again to get it.
  const answers = notOwned.length && passesAnswersOn(node) ? await io.ledger.answers(node.scope, notOwnedKeys) : new Map<string, unknown>();
  const toWrite: W[] = [];
  for (const item of unique) {
    const key = item.idempotencyKey!;
    if (owned.has(key)) toWrite.push(item);
    else if (ours.has(key)) on.delivered(item, ours.get(key) ?? undefined, undefined, answers.get(key));
    else on.duplicate(item, answers.get(key));
  }
  return toWrite;
}

async function writeBatch<W extends TargetWork>(
  node: PreparedTarget, batch: W[], io: ChunkIO, on: TargetCallbacks<W>,
  delivered: (entry: LedgerDelivery) => void, released: (key: string) => void,
): Promise<void> {
  let pending = batch;
  const keep = passesAnswersOn(node);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const outcomes = await attemptWrite(node, pending, io);
    const retry: W[] = [];
    let wait = 0;
    outcomes.forEach((outcome, i) => {
      const item = pending[i];
      if (outcome.ok && outcome.earlier === 'other-claim') {
        // Written by another run or chunk (the target's own record says so): not ours to confirm.
        released(item.idempotencyKey!);
        on.duplicate(item, outcome.answer);
        return;
      }
      if (outcome.ok) {
        delivered(keep && outcome.answer !== undefined ? { key: item.idempotencyKey!, ref: outcome.ref, answer: outcome.answer } : { key: item.idempotencyKey!, ref: outcome.ref });
        on.delivered(item, outcome.ref, outcome.status, outcome.answer);
        return;
      }
      const error = outcome.error;
      (item.retries ??= []).push({ attempt, at: new Date().toISOString(), error: error.toJSON() });
      if (error.errorClass === 'transient' && attempt < node.retry.attempts) {
        retry.push(item);
        wait = Math.max(wait, retryDelayMs(node.retry, attempt, error.details.retryAfterMs));
      } else {
        // The last attempt is in the error itself, not in the retry list.
        item.retries!.pop();
        released(item.idempotencyKey!);
        on.failed(item, error);
      }
    });
    pending = retry;
    if (pending.length) await sleep(wait, io.target.signal);
  }
}

/** Whether the target's `out` port is connected: its answers go on downstream, so the ledger keeps them. */
export function passesAnswersOn(node: PreparedTarget): boolean {
  return (node.edgesByPort.get(TARGET_OUT_PORT.id)?.length ?? 0) > 0;
}

async function attemptWrite<W extends TargetWork>(node: PreparedTarget, pending: W[], io: ChunkIO): Promise<TargetOutcome[]> {
  try {
    const claim = { scope: node.scope, legacyScope: node.legacyScope, runId: io.runId, claimToken: io.claimToken };
    const outcomes = await node.behaviour.write(pending.map((i) => ({ key: i.idempotencyKey!, data: i.data })), io.target, claim);
    if (outcomes.length !== pending.length) {
      throw new FlowError('permanent', `target '${node.id}' returned ${outcomes.length} outcomes for ${pending.length} records`, { nodeId: node.id });
    }
    return outcomes.map((o) => (o.ok ? o : { ok: false as const, error: toFlowError(o.error, 'permanent', { nodeId: node.id }) }));
  } catch (err) {
    if (io.target.signal.aborted) throw err;
    const error = toFlowError(err, 'transient', { nodeId: node.id });
    return pending.map(() => ({ ok: false as const, error }));
  }
}
