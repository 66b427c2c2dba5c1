/**
 * Finishing a queued run from a worker: whoever may have settled its last
 * piece of work (the split, a chunk, or a retry of either after its worker
 * lost the database between that commit and the finish) checks, and the one
 * that finishes it says so once. A flow with aggregate nodes first queues its
 * groups (group-emission.ts); the run finishes once their chunks are done.
 */
import type { PreparedFlow } from '../engine/prepare-flow.ts';
import { getRunInput, runHead } from '../store/queue-repo.ts';
import { queueGroupsIfReady } from './group-emission.ts';
import { finalizeIfComplete } from './run-lifecycle.ts';
import { countInTargets } from './target-counts.ts';
import type { WorkerContext } from './worker-context.ts';

/** `flow`: the run's prepared flow when the caller holds it; otherwise it is prepared here when the run is still running. */
export async function finishRunIfComplete(ctx: WorkerContext, runId: string, flow?: PreparedFlow): Promise<void> {
  if (await queueGroups(ctx, runId, flow)) return;
  const finished = await finalizeIfComplete(ctx.db, runId, countInTargets(ctx, runId));
  if (finished) ctx.onRunFinished(finished);
}

async function queueGroups(ctx: WorkerContext, runId: string, flow: PreparedFlow | undefined): Promise<boolean> {
  if (flow) return queueGroupsIfReady(ctx, runId, flow);
  const head = await runHead(ctx.db, runId);
  if (head?.status !== 'running') return false;
  const lease = await ctx.flows.acquire({ ...head, referenceAsOf: (await getRunInput(ctx.db, runId))?.referenceAsOf });
  try {
    return await queueGroupsIfReady(ctx, runId, lease.prepared.flow);
  } finally {
    lease.release();
  }
}
