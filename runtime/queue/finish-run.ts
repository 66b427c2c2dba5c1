/**
 * Finishing a queued run from a worker: whoever may have settled its last
 * piece of work (the split, a chunk, or a retry of either after its worker
 * lost the database between that commit and the finish) checks, and the one
 * that finishes it says so once.
 */
import { finalizeIfComplete } from './run-lifecycle.ts';
import { countInTargets } from './target-counts.ts';
import type { WorkerContext } from './worker-context.ts';

export async function finishRunIfComplete(ctx: WorkerContext, runId: string): Promise<void> {
  const finished = await finalizeIfComplete(ctx.db, runId, countInTargets(ctx, runId));
  if (finished) ctx.onRunFinished(finished);
}
