/**
 * A queued run's figures and status, derived from its chunks: the read side
 * (every chunk's records as read) plus the outcome side of the chunks that
 * finished, added up exactly. The same chunks always give the same answer,
 * whichever worker and in whatever order they finished.
 */
import { ReconciliationBuilder } from '../engine/reconcile.ts';
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

/** The read side of some roots, as a chunk stores it. */
export function readSide(roots: { amount: string | null; currency: string | null }[]): Reconciliation {
  const read = new ReconciliationBuilder();
  for (const r of roots) read.addRead(r.amount, r.currency);
  return read.toReconciliation();
}

/**
 * The status of a run whose chunks are all settled:
 * - `failed` when a chunk gave up (retries used up) or the run could not be read;
 * - `completed_with_exceptions` when records were quarantined or dead-lettered,
 *   or the control totals do not close;
 * - `succeeded` otherwise.
 * `queued`, `running` and `cancelled` are set by the lifecycle, not derived here.
 */
export function finishedStatus(input: { failed: boolean; reconciliation: Reconciliation }): RunStatus {
  if (input.failed) return 'failed';
  const c = input.reconciliation.counts;
  if (c.quarantined + c.deadLettered > 0 || !input.reconciliation.closes) return 'completed_with_exceptions';
  return 'succeeded';
}

export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'completed_with_exceptions', 'failed', 'cancelled'];

export const isTerminal = (status: RunStatus) => TERMINAL_STATUSES.includes(status);
