/**
 * Postgres targets on one connection, written in one transaction per chunk
 * (flow option `sharedTransaction`): a source record is written to all of
 * them or to none, never half-posted.
 *
 * The targets write one after another on the same database connection, each
 * in its own savepoints, so each still isolates its bad records. When a
 * record fails at one target, the transaction is rolled back and written
 * again without that source record's records at any target; those fail, at
 * the other targets naming the target that refused it. Delivery markers are
 * written in the same transaction as the rows, so a chunk retried after a
 * crash finds what committed, exactly as for one target; the ledger is
 * confirmed after the commit.
 */
import type { SqlClient, TargetContext, TargetOutcome } from '../../nodes/define-node.ts';
import { FlowError, toFlowError } from '../../nodes/errors.ts';
import type { PreparedFlow, PreparedTarget } from './prepare-flow.ts';
import type { ChunkIO, RootRecord, WorkItem } from './process-chunk.ts';
import { retryDelayMs, sleep } from './retry.ts';
import { claimForWrite, passesAnswersOn, type TargetCallbacks } from './target-writer.ts';

/** One target's share of a shared write: its keyed records and what to tell the engine. */
export interface SharedPart {
  node: PreparedTarget;
  items: WorkItem[];
  on: TargetCallbacks<WorkItem>;
}

/**
 * The connection each target writes in one transaction with others, by node id:
 * only with the flow's `sharedTransaction`, only targets recording their
 * deliveries with their rows (Postgres), only where two or more share a connection.
 */
export function sharedTransactionConnections(flow: PreparedFlow): Map<string, string> {
  const byNode = new Map<string, string>();
  if (!flow.doc.sharedTransaction) return byNode;
  const byConnection = new Map<string, string[]>();
  for (const node of flow.nodes.values()) {
    // A target whose answers go on downstream writes on its own: the nodes after it wait for its answers.
    if (node.category !== 'target' || !node.behaviour.recordsDeliveries || !node.decl.deliveryTarget || passesAnswersOn(node)) continue;
    const connection = node.decl.deliveryTarget(node.config).connection;
    byConnection.set(connection, [...(byConnection.get(connection) ?? []), node.id]);
  }
  for (const [connection, ids] of byConnection) if (ids.length > 1) for (const id of ids) byNode.set(id, connection);
  return byNode;
}

/** The first record of a source record a target refused, and why. */
interface Refusal { nodeId: string; item: WorkItem; error: FlowError }

/** Signals, inside the transaction, that it must be rolled back and written again without some source records. */
class WriteAgainWithout extends Error {}

interface Written { part: SharedPart; item: WorkItem; outcome: TargetOutcome }

/** Writes the parts on `connection` in one transaction (see the module comment). */
export async function writeSharedTransaction(connection: string, parts: SharedPart[], io: ChunkIO): Promise<void> {
  const toWrite = new Map<SharedPart, WorkItem[]>();
  for (const part of parts) toWrite.set(part, await claimForWrite(part.node, part.items, io, part.on, new Set()));
  if (io.dryRun || [...toWrite.values()].every((list) => list.length === 0)) return;

  // Source records refused somewhere: the target and error that refused them.
  const refused = new Map<RootRecord, Refusal>();
  const attempts = Math.max(...parts.map((p) => p.node.retry.attempts));
  let written: Written[] = [];
  let failure: FlowError | undefined;
  for (let attempt = 1; ; ) {
    if (io.target.signal.aborted) throw io.target.signal.reason ?? new Error('run cancelled');
    // A crash here leaves the claims pending under the chunk's token: its retry finds the committed markers.
    await io.crashPoint?.('before-batch', { nodeId: parts[0].node.id, batch: 0 });
    try {
      written = await io.target.connections.sql(connection).transaction((tx) => writeAll(tx, connection, toWrite, refused, io));
    } catch (err) {
      if (err instanceof WriteAgainWithout) continue;
      if (io.target.signal.aborted) throw err;
      const error = toFlowError(err, 'transient', { nodeId: parts[0].node.id });
      if (error.errorClass !== 'transient' || attempt >= attempts) {
        failure = error;
        break;
      }
      await sleep(retryDelayMs(parts[0].node.retry, attempt, error.details.retryAfterMs), io.target.signal);
      attempt++;
      continue;
    }
    await io.crashPoint?.('after-batch', { nodeId: parts[0].node.id, batch: 0 });
    break;
  }
  await settle(parts, toWrite, written, refused, failure, io);
}

// Writes every part's records of the source records not refused; throws WriteAgainWithout when a new one was refused.
async function writeAll(tx: SqlClient, connection: string, toWrite: Map<SharedPart, WorkItem[]>, refused: Map<RootRecord, Refusal>, io: ChunkIO): Promise<Written[]> {
  const target: TargetContext = { ...io.target, connections: { ...io.target.connections, sql: (name) => (name === connection ? tx : io.target.connections.sql(name)) } };
  const written: Written[] = [];
  let refusedNow = false;
  for (const [part, items] of toWrite) {
    const node = part.node;
    const claim = { scope: node.scope, legacyScope: node.legacyScope, runId: io.runId, claimToken: io.claimToken };
    const pending = items.filter((item) => !refused.has(item.root));
    const batchSize = Math.max(1, node.behaviour.batchSize);
    for (let start = 0; start < pending.length; start += batchSize) {
      const batch = pending.slice(start, start + batchSize);
      const outcomes = await node.behaviour.write(batch.map((i) => ({ key: i.idempotencyKey!, data: i.data })), target, claim);
      if (outcomes.length !== batch.length) throw new FlowError('permanent', `target '${node.id}' returned ${outcomes.length} outcomes for ${batch.length} records`, { nodeId: node.id });
      outcomes.forEach((outcome, i) => {
        if (!outcome.ok && !refused.has(batch[i].root)) {
          refused.set(batch[i].root, { nodeId: node.id, item: batch[i], error: toFlowError(outcome.error, 'permanent', { nodeId: node.id }) });
          refusedNow = true;
        }
        written.push({ part, item: batch[i], outcome });
      });
    }
  }
  if (refusedNow) throw new WriteAgainWithout();
  return written;
}

// After the commit (or the last failed attempt): outcomes to the engine, then the ledger.
async function settle(parts: SharedPart[], toWrite: Map<SharedPart, WorkItem[]>, written: Written[], refused: Map<RootRecord, Refusal>, failure: FlowError | undefined, io: ChunkIO): Promise<void> {
  const outcomeOf = new Map<WorkItem, TargetOutcome>(failure ? [] : written.map((w) => [w.item, w.outcome]));
  for (const part of parts) {
    const delivered: { key: string; ref?: string }[] = [];
    const released: string[] = [];
    for (const item of toWrite.get(part) ?? []) {
      const outcome = outcomeOf.get(item);
      const refusal = refused.get(item.root);
      if (outcome?.ok && outcome.earlier === 'other-claim') {
        released.push(item.idempotencyKey!);
        part.on.duplicate(item);
      } else if (outcome?.ok) {
        delivered.push({ key: item.idempotencyKey!, ...(outcome.ref !== undefined ? { ref: outcome.ref } : {}) });
        part.on.delivered(item, outcome.ref, outcome.status);
      } else {
        released.push(item.idempotencyKey!);
        const error = failure ?? (refusal && refusal.item !== item
          ? new FlowError(refusal.error.errorClass, `not written: the same source record was refused by target '${refusal.nodeId}' (record ${refusal.item.lineageKey}), which shares this transaction: ${refusal.error.message}`, { nodeId: part.node.id })
          : refusal?.error ?? new FlowError('permanent', 'not written', { nodeId: part.node.id }));
        part.on.failed(item, error);
      }
    }
    if (delivered.length) await io.ledger.confirm(part.node.scope, delivered, io.claimToken);
    if (released.length) await io.ledger.release(part.node.scope, released, io.claimToken);
  }
}
