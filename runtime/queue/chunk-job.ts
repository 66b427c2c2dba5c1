/**
 * A `chunk` job: one chunk of a run's records through the graph, then one
 * transaction that stores the chunk's traces, dead letters, node figures and
 * outcome and marks the chunk done, all or nothing. A retried chunk (its worker
 * died) runs under the same ledger claim token, so it re-owns the keys the dead
 * attempt claimed; a chunk already done is skipped, so its job may run twice.
 * Every attempt ends by finishing the run if nothing is left: the attempt that
 * committed the last chunk may have lost the database (or died) before it
 * could, and then its retry is the one left to do it.
 */
import { processChunk, sourceOf } from '../engine/process-chunk.ts';
import { runsRepo } from '../store/runs-repo.ts';
import { insertTraceRows, loadChunk, markChunkAttempt, nextInSequence, runHead, settleChunk } from '../store/queue-repo.ts';
import type { Db } from '../store/db.ts';
import { bossDbOf } from './boss.ts';
import { wakeQueue } from './job-loop.ts';
import { QUEUE_NAMES, jobOptions, type ChunkJobData } from './queue-options.ts';
import { refreshEndedRunTotals } from './run-lifecycle.ts';
import { finishRunIfComplete } from './finish-run.ts';
import { storedPartials } from '../engine/grouping.ts';
import { insertPartials } from '../store/aggregate-partials-repo.ts';
import type { PreparedFlow } from '../engine/prepare-flow.ts';
import { isTerminal } from '../engine/run-types.ts';
import type { WorkerContext } from './worker-context.ts';

export type ChunkJobResult = 'done' | 'skipped' | 'cancelled' | 'missing';

/** The ledger claim token of a chunk: the same on every attempt. */
export const chunkClaimToken = (runId: string, chunkNo: number) => `${runId}:${chunkNo}`;

/**
 * Queues the chunk that follows `chunkNo` in its key sequence, if the split
 * stored it already (otherwise the split queues it, see chunksAfterSettled),
 * in the transaction that settles `chunkNo`.
 */
async function queueNextInSequence(ctx: WorkerContext, tx: Db, runId: string, chunkNo: number): Promise<boolean> {
  const next = await nextInSequence(tx, runId, chunkNo);
  if (next === null) return false;
  const job = { name: QUEUE_NAMES.chunk, data: { runId, chunkNo: next } satisfies ChunkJobData, ...jobOptions(ctx.tuning, 'chunk') };
  await ctx.boss.insert([job], { db: bossDbOf(tx) });
  return true;
}

export async function runChunkJob(ctx: WorkerContext, runId: string, chunkNo: number, jobSignal: AbortSignal): Promise<ChunkJobResult> {
  const { db } = ctx;
  const chunk = await loadChunk(db, runId, chunkNo);
  if (!chunk) return 'missing';
  if (chunk.status !== 'pending') {
    // Done by an earlier attempt, which may not have lived to finish the run.
    if (chunk.run.status === 'running') await finishRunIfComplete(ctx, runId);
    return 'skipped';
  }
  if (chunk.run.status !== 'running') {
    // Queued after its run ended (a cancel while the input was being read): settle it.
    if (isTerminal(chunk.run.status)) await settleChunk(db, runId, chunkNo, { status: 'skipped' });
    return 'skipped';
  }
  await markChunkAttempt(db, runId, chunkNo, ctx.workerId);

  const cancel = ctx.cancels.watch(runId);
  const signal = AbortSignal.any([jobSignal, cancel.signal]);
  const lease = await ctx.flows.acquire(chunk.run).catch((err) => {
    cancel.release();
    throw err;
  });
  const started = performance.now();
  let committed = false;
  let flow: PreparedFlow | undefined;
  try {
    const { connections } = lease.prepared;
    const prepared = lease.prepared.flow;
    flow = prepared;
    const sourceNodeId = sourceOf(prepared, chunk.run.sourceNodeId ?? undefined).id;
    let result;
    try {
      const span = { runId, flowId: chunk.run.flowId, chunkNo, records: chunk.roots.length };
      result = await ctx.telemetry.chunk(span, () => processChunk(prepared, chunk.roots, {
        runId,
        ledger: ctx.store.ledger,
        state: ctx.store.keyedState,
        claimToken: chunkClaimToken(runId, chunkNo),
        sourceNodeId,
        ...(chunk.entryNode ? { entryNodeId: chunk.entryNode } : {}),
        dryRun: chunk.run.dryRun,
        target: { connections, files: ctx.files, fetch: ctx.fetch, signal },
        ...(ctx.hooks.crashPoint ? { crashPoint: (point, at) => ctx.hooks.crashPoint!(point, { runId, chunkNo, attempt: chunk.attempts + 1, ...at }) } : {}),
      }));
    } catch (err) {
      // Cancelled: the chunk was skipped by the cancel; what it wrote before stopping stays claimed under its token.
      if (cancel.signal.aborted && !jobSignal.aborted) return 'cancelled';
      throw err;
    }
    await ctx.hooks.beforeChunkCommit?.({ runId, chunkNo, attempt: chunk.attempts + 1 });
    let queuedNext = false;

    committed = await db.transaction(async (tx) => {
      // Shared lock: chunk commits run side by side, but never across a finish or cancel of the run.
      const head = await runHead(tx, runId, 'share');
      if (!head) return false;
      // A chunk that finished after its run was cancelled still reports what it did.
      const settled = await settleChunk(tx, runId, chunkNo, {
        status: 'done',
        from: isTerminal(head.status) ? ['pending', 'skipped'] : ['pending'],
        workerId: ctx.workerId,
        outcome: {
          reconciliation: result.reconciliation, traces: result.traces.length, deadLetters: result.deadLetters.length,
          targets: Object.fromEntries(result.nodeStats.filter((s) => prepared.nodes.get(s.nodeId)?.category === 'target').map((s) => [s.nodeId, s.out])),
        },
      });
      if (!settled) return false;
      await insertTraceRows(tx, { runId, flowId: head.flowId, version: head.version, environment: head.environment }, result.traces, result.deadLetters);
      await runsRepo(tx).addNodeStats(runId, result.nodeStats);
      // Aggregate nodes: this chunk's partial groups count exactly when the chunk does.
      if (result.groups) await insertPartials(tx, runId, chunkNo, storedPartials(result.groups));
      if (isTerminal(head.status)) await refreshEndedRunTotals(tx, runId);
      // Per-key order (the flow's `ordering`): the next chunk of this key sequence is queued with this commit.
      else if (prepared.ordering) queuedNext = await queueNextInSequence(ctx, tx, runId, chunkNo);
      return true;
    });
    if (queuedNext) wakeQueue(ctx.boss, QUEUE_NAMES.chunk);
    if (committed) {
      ctx.counters.chunksDone++;
      ctx.counters.recordsDone += chunk.roots.length;
      ctx.telemetry.chunkDone({ runId, flowId: chunk.run.flowId, chunkNo, seconds: (performance.now() - started) / 1000, counts: result.reconciliation.counts, deadLetters: result.deadLetters });
    }
  } finally {
    lease.release();
    cancel.release();
  }
  if (committed) await ctx.hooks.afterChunkCommit?.({ runId, chunkNo, attempt: chunk.attempts + 1 });
  // Also when another attempt of this chunk settled it meanwhile: that one may not live to finish the run.
  await finishRunIfComplete(ctx, runId, flow);
  return committed ? 'done' : 'skipped';
}
