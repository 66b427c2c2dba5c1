/**
 * Finishing a queued run from a worker: whoever may have settled its last
 * piece of work (the split, a chunk, or a retry of either after its worker
 * lost the database between that commit and the finish) checks, and the one
 * that finishes it says so once. A flow with aggregate nodes first queues its
 * groups (group-emission.ts); the run finishes once every aggregate node is
 * grouped and their chunks are done — checked under the run row's lock, so a
 * worker that looked before another queued the groups cannot finish it early.
 */
import type { PreparedFlow } from '../engine/prepare-flow.ts';
import { groupingNodeIds } from '../engine/grouping.ts';
import { runToPrepare } from '../store/queue-repo.ts';
import { queueGroupsIfReady } from './group-emission.ts';
import { finalizeIfComplete } from './run-lifecycle.ts';
import { countInTargets } from './target-counts.ts';
import type { WorkerContext } from './worker-context.ts';

/** `flow`: the run's prepared flow when the caller holds it; otherwise it is prepared here when the run is still running. */
export async function finishRunIfComplete(ctx: WorkerContext, runId: string, flow?: PreparedFlow): Promise<void> {
  if (flow) return finishWith(ctx, runId, flow);
  const run = await runToPrepare(ctx.db, runId);
  if (run?.status !== 'running') return;
  // The same flow entry its chunks use: the reference data versions the run recorded.
  const lease = await ctx.flows.acquire(run);
  try {
    await finishWith(ctx, runId, lease.prepared.flow);
  } finally {
    lease.release();
  }
}

async function finishWith(ctx: WorkerContext, runId: string, flow: PreparedFlow): Promise<void> {
  if (await queueGroupsIfReady(ctx, runId, flow)) return;
  const finished = await finalizeIfComplete(ctx.db, runId, countInTargets(ctx, runId), groupingNodeIds(flow));
  if (finished) ctx.onRunFinished(finished);
}
