/**
 * Aggregate nodes in a queued run. Each chunk stores its partial groups with
 * its own commit (aggregate-partials-repo); once the input is read and no
 * chunk is pending, one worker — holding the run row locked — merges the
 * partials of the first aggregate node not yet grouped, key by key, and
 * queues its groups as chunks that enter the graph at that node. The run
 * finishes only when every aggregate node is grouped and those chunks are done,
 * so several workers give the groups one worker would.
 */
import type { PreparedFlow } from '../engine/prepare-flow.ts';
import type { RootRecord } from '../engine/process-chunk.ts';
import { emittedGroups, groupingNodeIds, groupingOf, groupRoot, mergedInKeyOrder } from '../engine/grouping.ts';
import type { Db } from '../store/db.ts';
import { groupedNodes, lastChunkAndSeq, markGrouped, partialsInKeyOrder } from '../store/aggregate-partials-repo.ts';
import { getProgress, insertChunks, pendingChunkCount, runHead, setProgress, type NewChunk } from '../store/queue-repo.ts';
import { bossDbOf } from './boss.ts';
import { wakeQueue } from './job-loop.ts';
import { QUEUE_NAMES, jobOptions, type ChunkJobData } from './queue-options.ts';
import { readSide } from './run-totals.ts';
import type { WorkerContext } from './worker-context.ts';

/**
 * Queues the groups of the next aggregate node when the run is ready for them.
 * Returns true when it queued chunks (the run goes on), false when there is
 * nothing (more) to group and the run may finish.
 */
export async function queueGroupsIfReady(ctx: WorkerContext, runId: string, flow: PreparedFlow): Promise<boolean> {
  const nodes = groupingNodeIds(flow);
  if (!nodes.length) return false;
  const progress = await getProgress(ctx.db, runId);
  if (!progress?.splitDone || (await pendingChunkCount(ctx.db, runId)) > 0) return false;
  const queued = await ctx.db.transaction(async (tx) => {
    const head = await runHead(tx, runId, 'update');
    if (head?.status !== 'running' || (await pendingChunkCount(tx, runId)) > 0) return 0;
    const done = await groupedNodes(tx, runId);
    for (const nodeId of nodes) {
      if (done.includes(nodeId)) continue;
      await markGrouped(tx, runId, nodeId);
      const chunks = await queueNodeGroups(ctx, tx, runId, flow, nodeId);
      // Aggregate nodes further down wait for these chunks (their records may reach them).
      if (chunks > 0) return chunks;
    }
    return 0;
  });
  if (queued > 0) wakeQueue(ctx.boss, QUEUE_NAMES.chunk);
  return queued > 0;
}

/** Merges the node's partials key by key and stores its groups as chunks with their jobs; returns how many. */
async function queueNodeGroups(ctx: WorkerContext, tx: Db, runId: string, flow: PreparedFlow, nodeId: string): Promise<number> {
  const grouping = groupingOf(flow, nodeId);
  const { chunkSize } = ctx.tuning;
  let { chunkNo, seq } = await lastChunkAndSeq(tx, runId);
  const firstChunk = chunkNo + 1;
  let roots: RootRecord[] = [];
  const flush = async () => {
    if (!roots.length) return;
    const chunk: NewChunk = { chunkNo: ++chunkNo, firstSeq: roots[0].seq, roots, read: readSide(roots), entryNode: nodeId };
    roots = [];
    await insertChunks(tx, runId, [chunk]);
  };
  for await (const group of emittedGroups(mergedInKeyOrder(partialsInKeyOrder(tx, runId, nodeId), grouping), grouping)) {
    roots.push(groupRoot(flow, nodeId, group, ++seq));
    if (roots.length >= chunkSize) await flush();
  }
  await flush();
  const count = chunkNo - firstChunk + 1;
  if (count > 0) {
    const options = jobOptions(ctx.tuning, 'chunk');
    const jobs = Array.from({ length: count }, (_, i) => ({ name: QUEUE_NAMES.chunk, data: { runId, chunkNo: firstChunk + i } satisfies ChunkJobData, ...options }));
    await ctx.boss.insert(jobs, { db: bossDbOf(tx) });
    const progress = (await getProgress(tx, runId))!;
    await setProgress(tx, runId, { chunksTotal: chunkNo, recordsRead: progress.recordsRead, splitDone: true });
  }
  return count;
}
