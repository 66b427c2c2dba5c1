/**
 * The target side of a queued run's reconciliation: what each target that
 * keeps its own delivery record (a Postgres target's delivery markers) holds
 * for the run, counted in the target database when the run finishes.
 */
import type { WorkerContext } from './worker-context.ts';
import type { TargetDeliveryCount } from './run-totals.ts';

const COUNT_TIMEOUT_MS = 30_000;

/** Counts, for `finalizeIfComplete`, the run's deliveries in each of its targets that can tell. */
export function countInTargets(ctx: Pick<WorkerContext, 'store' | 'flows' | 'files' | 'fetch'>, runId: string): () => Promise<TargetDeliveryCount[]> {
  return async () => {
    const run = await ctx.store.getRun(runId);
    if (!run || run.version === null) return [];
    const lease = await ctx.flows.acquire(run);
    try {
      const { flow, connections } = lease.prepared;
      const counts: TargetDeliveryCount[] = [];
      for (const node of flow.nodes.values()) {
        if (node.category !== 'target' || !node.behaviour.countDelivered) continue;
        const label = `'${node.id}' (${node.decl.summary?.(node.config) ?? node.decl.title})`;
        try {
          const inTarget = await node.behaviour.countDelivered(
            { scope: node.scope, runId },
            { connections, files: ctx.files, fetch: ctx.fetch, signal: AbortSignal.timeout(COUNT_TIMEOUT_MS) },
          );
          counts.push({ nodeId: node.id, label, inTarget });
        } catch (err) {
          counts.push({ nodeId: node.id, label, inTarget: null, error: (err as Error).message });
        }
      }
      return counts;
    } finally {
      lease.release();
    }
  };
}
