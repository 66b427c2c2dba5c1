/**
 * A queued run's figures and status, derived from its chunks: the read side
 * (every chunk's records as read) plus the outcome side of the chunks that
 * finished, added up exactly. The same chunks always give the same answer,
 * whichever worker and in whatever order they finished.
 */
import { needsALook, ReconciliationBuilder } from '../engine/reconcile.ts';
import type { RootRecord } from '../engine/process-chunk.ts';
import { addRootRead } from '../engine/run-flow.ts';
import type { Reconciliation, RunStatus } from '../engine/run-types.ts';
import type { ChunkSummary } from '../store/queue-repo.ts';

/** Read side of all chunks plus the outcomes of those done. */
export function runTotals(chunks: Pick<ChunkSummary, 'status' | 'read' | 'outcome'>[]): Reconciliation {
  const total = new ReconciliationBuilder();
  for (const c of chunks) {
    total.merge(c.read);
    if (c.status === 'done' && c.outcome) total.merge(c.outcome.reconciliation);
  }
  return total.toReconciliation();
}

/** Records a target holds for the run by its own delivery record (Postgres: delivery markers). */
export interface TargetDeliveryCount {
  nodeId: string;
  /** The target's label in messages (node label and table). */
  label: string;
  /** Null when the target could not be counted (`error` says why). */
  inTarget: number | null;
  error?: string;
}

/**
 * Checks the target side: for each target that counts its own deliveries, the
 * records the done chunks say they delivered there must equal what the target
 * holds for the run. A difference (rows written twice, or lost) keeps the run
 * from closing and is named in its differences.
 */
export function withTargetSide(
  reconciliation: Reconciliation, chunks: Pick<ChunkSummary, 'status' | 'outcome'>[], inTargets: TargetDeliveryCount[],
): Reconciliation {
  if (inTargets.length === 0) return reconciliation;
  const byLedger = new Map<string, number>();
  for (const c of chunks) {
    if (c.status !== 'done') continue;
    for (const [nodeId, n] of Object.entries(c.outcome?.targets ?? {})) byLedger.set(nodeId, (byLedger.get(nodeId) ?? 0) + n);
  }
  const differences = inTargets
    .filter((t) => (byLedger.get(t.nodeId) ?? 0) !== t.inTarget)
    .map((t) => (t.inTarget === null
      ? `target ${t.label}: its deliveries could not be counted in the target database (${t.error ?? 'unknown error'})`
      : `target ${t.label}: ${byLedger.get(t.nodeId) ?? 0} records delivered by the run's ledger but ${t.inTarget} recorded as delivered in the target database`));
  if (differences.length === 0) return reconciliation;
  return { ...reconciliation, closes: false, differences: [...reconciliation.differences, ...differences] };
}

/** The read side of some roots, as a chunk stores it; `declared` names the flow's source-record expressions. */
export function readSide(roots: Pick<RootRecord, 'amount' | 'currency' | 'unmatched' | 'onlyItems'>[], declared: string[] = []): Reconciliation {
  const read = new ReconciliationBuilder();
  for (const r of roots) addRootRead(read, r, declared);
  return read.toReconciliation();
}

/**
 * The status of a run whose chunks are all settled:
 * - `failed` when a chunk gave up (retries used up) or the run could not be read;
 * - `completed_with_exceptions` when records were quarantined or dead-lettered,
 *   the control totals do not close, or the figures carry a warning that is not
 *   a notice (nothing delivered because all was filtered, a declared expression
 *   that matched nothing, or money expressions missing for some, items that do
 *   not sum to their record's amount);
 * - `succeeded` otherwise.
 * `queued`, `running` and `cancelled` are set by the lifecycle, not derived here.
 */
export function finishedStatus(input: { failed: boolean; reconciliation: Reconciliation }): RunStatus {
  if (input.failed) return 'failed';
  return needsALook(input.reconciliation) ? 'completed_with_exceptions' : 'succeeded';
}
