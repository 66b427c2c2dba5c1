/**
 * Writing to a target, finance-grade: claim each idempotency key in the ledger
 * first (a key already delivered is a duplicate and is not written again),
 * write in batches, retry transient failures with back-off, then confirm what
 * was delivered and release what failed so a replay can write it later.
 */
import { FlowError, toFlowError } from '../../nodes/errors.ts';
import type { TargetOutcome } from '../../nodes/define-node.ts';
import type { PreparedTarget } from './prepare-flow.ts';
import type { ChunkIO } from './process-chunk.ts';
import type { RetryAttempt } from './run-types.ts';
import { retryDelayMs, sleep } from './retry.ts';

export interface TargetWork {
  data: unknown;
  idempotencyKey?: string;
  retries?: RetryAttempt[];
}

export interface TargetCallbacks<W extends TargetWork> {
  delivered(item: W, ref: string | undefined, status: number | undefined): void;
  duplicate(item: W): void;
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
    return;
  }
  const owned = unique.length ? await io.ledger.claim(node.scope, unique.map((i) => i.idempotencyKey!), io.claimToken) : new Set<string>();
  const notOwned = unique.filter((item) => !owned.has(item.idempotencyKey!));
  const ours = notOwned.length ? await io.ledger.deliveredUnder(node.scope, notOwned.map((i) => i.idempotencyKey!), io.claimToken) : new Map<string, string | null>();
  const toWrite: W[] = [];
  for (const item of unique) {
    if (owned.has(item.idempotencyKey!)) toWrite.push(item);
    else if (ours.has(item.idempotencyKey!)) on.delivered(item, ours.get(item.idempotencyKey!) ?? undefined, undefined);
    else on.duplicate(item);
  }
  const delivered: { key: string; ref?: string }[] = [];
  const released: string[] = [];
  try {
    const batchSize = Math.max(1, node.behaviour.batchSize);
    for (let start = 0; start < toWrite.length; start += batchSize) {
      if (io.target.signal.aborted) throw io.target.signal.reason ?? new Error('run cancelled');
      await writeBatch(node, toWrite.slice(start, start + batchSize), io, on, delivered, released);
    }
  } finally {
    // Whatever happened, the ledger must learn what was delivered; keys of a
    // cancelled or crashed chunk stay claimed by its token for its retry.
    if (delivered.length) await io.ledger.confirm(node.scope, delivered, io.claimToken);
    if (released.length) await io.ledger.release(node.scope, released, io.claimToken);
  }
}

async function writeBatch<W extends TargetWork>(
  node: PreparedTarget, batch: W[], io: ChunkIO, on: TargetCallbacks<W>,
  delivered: { key: string; ref?: string }[], released: string[],
): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const outcomes = await attemptWrite(node, pending, io);
    const retry: W[] = [];
    let wait = 0;
    outcomes.forEach((outcome, i) => {
      const item = pending[i];
      if (outcome.ok) {
        delivered.push({ key: item.idempotencyKey!, ref: outcome.ref });
        on.delivered(item, outcome.ref, outcome.status);
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
        released.push(item.idempotencyKey!);
        on.failed(item, error);
      }
    });
    pending = retry;
    if (pending.length) await sleep(wait, io.target.signal);
  }
}

async function attemptWrite<W extends TargetWork>(node: PreparedTarget, pending: W[], io: ChunkIO): Promise<TargetOutcome[]> {
  try {
    const outcomes = await node.behaviour.write(pending.map((i) => ({ key: i.idempotencyKey!, data: i.data })), io.target);
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
