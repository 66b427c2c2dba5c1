/**
 * The `split` job of a run: reads the run's input once, computes each source
 * record's keys and amount, and stores the records in chunks, each chunk with
 * its job in the same transaction. Workers start on the first chunks while the
 * rest is still being read. A malformed document fails the run before any
 * chunk is queued: the whole document is parsed once first.
 */
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { InputDocument } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';
import { declaredExpressions, precheck, readRoots, type RunInput } from '../engine/run-flow.ts';
import { sourceOf, type RootRecord } from '../engine/process-chunk.ts';
import type { PreparedFlow } from '../engine/prepare-flow.ts';
import {
  chunksAfterSettled, getRunInput, insertChunks, markRunRunning, runHead, setProgress, startProgress, storedFirstSeqs, type NewChunk, type StoredRunInput,
} from '../store/queue-repo.ts';
import type { Db } from '../store/db.ts';
import { bossDbOf } from './boss.ts';
import { describeJobError, isPermanentJobError } from './permanent-errors.ts';
import { wakeQueue } from './job-loop.ts';
import { QUEUE_NAMES, jobOptions, type ChunkJobData } from './queue-options.ts';
import { endRun, LOCAL_ENVIRONMENT } from './run-lifecycle.ts';
import { finishRunIfComplete } from './finish-run.ts';
import { readSide } from './run-totals.ts';
import { ChunkCutter, orderingKeyOf, type CutChunk } from './chunk-order.ts';
import type { WorkerContext } from './worker-context.ts';
import { referenceVersionsOf } from '../flow-files.ts';

const SLICE = 64 * 1024;

/** The digest of source records' keys and hashes (the engine is handed it, having no crypto of its own). */
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Stored input bytes as a source document, handed over in 64 KiB slices like a
 * file. Each slice waits for the event loop's next turn: parsing bytes already
 * in memory is otherwise one long run of microtasks, during which no timer
 * fires, and a job whose heartbeat timer cannot fire is taken for dead.
 */
export function bytesDocument(name: string, bytes: Uint8Array): InputDocument {
  return {
    name,
    chunks: async function* () {
      for (let i = 0; i < bytes.length; i += SLICE) {
        await setImmediate();
        yield bytes.subarray(i, Math.min(bytes.length, i + SLICE));
      }
    },
  };
}

function runInputOf(input: StoredRunInput): RunInput {
  if (input.kind === 'document') return { kind: 'document', document: bytesDocument(input.name ?? 'input', input.bytes ?? new Uint8Array()) };
  if (input.kind === 'records') return { kind: 'records', records: input.records ?? [] };
  return { kind: 'source' };
}

class RunEnded extends Error {
  constructor(runId: string) {
    super(`run ${runId} ended while its input was being read`);
  }
}

export async function runSplitJob(ctx: WorkerContext, runId: string, jobSignal: AbortSignal): Promise<void> {
  const { db } = ctx;
  await markRunRunning(db, runId);
  const head = await runHead(db, runId);
  // Cancelled before it started, or already finished by an earlier attempt.
  if (head?.status !== 'running') return;
  const progress = await startProgress(db, runId, ctx.tuning.chunkSize);
  if (progress.splitDone) {
    await finishRunIfComplete(ctx, runId);
    return;
  }
  const cancel = ctx.cancels.watch(runId);
  const signal = AbortSignal.any([jobSignal, cancel.signal]);
  // The other processes on the queue wait for this split's chunks: it goes first here (split-priority.ts).
  const priority = ctx.splits.begin();
  let lease;
  let flow: PreparedFlow | undefined;
  try {
    const stored = await getRunInput(db, runId);
    if (!stored) throw new FlowError('permanent', `run ${runId} has no stored input`);
    // The run reads one version of each reference data set throughout, recorded on the run (visible on its page).
    const version = head.version === null ? null : await ctx.store.getVersion(head.flowId, head.version);
    const referenceVersions = await ctx.store.pinReferenceVersions(runId, version ? await referenceVersionsOf(version.document, ctx.store, stored.referenceAsOf) : {});
    lease = await ctx.flows.acquire({ ...head, referenceAsOf: stored.referenceAsOf, referenceVersions });
    const { connections } = lease.prepared;
    flow = lease.prepared.flow;
    const sourceNodeId = sourceOf(flow, stored.sourceNodeId ?? undefined).id;
    const input = runInputOf(stored);
    if (input.kind === 'document') await precheck(flow, sourceNodeId, input.document, connections, signal);
    const watermark = (await ctx.store.getWatermark(head.flowId, sourceNodeId, head.environment ?? LOCAL_ENVIRONMENT)) ?? undefined;
    // readRoots records the watermarks the source proposes in this array as it reads.
    const watermarks: { nodeId: string; value: string }[] = [];
    const roots = readRoots(flow, { ...input, sourceNodeId }, { connections, digest: sha256, watermark, fetch: ctx.fetch }, signal, watermarks);
    await splitRoots(ctx, runId, progress.chunkSize, flow, roots, watermarks, signal, priority.stored);
  } catch (err) {
    if (jobSignal.aborted) throw err;
    if (cancel.signal.aborted || err instanceof RunEnded) return;
    // Errors another attempt may not hit are retried; anything else (bad input) fails the run now.
    if (!isPermanentJobError(err)) throw err;
    const error = err instanceof FlowError ? err.toJSON() : { errorClass: 'permanent' as const, code: 'RUN_READ_FAILED', message: describeJobError(err) };
    const ended = await endRun(db, runId, 'failed', error);
    if (ended) ctx.onRunFinished(ended);
    return;
  } finally {
    priority.end();
    lease?.release();
    cancel.release();
  }
  await finishRunIfComplete(ctx, runId, flow);
}

/**
 * Cuts the roots into chunks of the run's `chunkSize` (per key sequence with
 * the flow's `ordering`, see chunk-order.ts) and stores them with their jobs:
 * the first chunk in a transaction of its own, so that workers start on it at
 * once, then twice as many per transaction each time up to `chunksPerInsert`.
 */
async function splitRoots(
  ctx: WorkerContext, runId: string, chunkSize: number, flow: PreparedFlow, roots: AsyncGenerator<RootRecord>,
  watermarks: { nodeId: string; value: string }[], signal: AbortSignal, onStored: () => void,
): Promise<void> {
  const { chunksPerInsert } = ctx.tuning;
  let perInsert = 1;
  const declared = declaredExpressions(flow);
  const cutter = new ChunkCutter(chunkSize, flow.ordering?.partitions ?? 0);
  let pending: NewChunk[] = [];
  let recordsRead = 0;

  const keep = (chunk: CutChunk) => {
    pending.push({ ...chunk, firstSeq: chunk.roots[0].seq, read: readSide(chunk.roots, declared) });
  };
  const store = async (last: boolean) => {
    const batch = pending;
    pending = [];
    await ctx.db.transaction(async (tx) => {
      // A cancel (or failure) while reading: no more chunks for a run that has ended.
      const head = await runHead(tx, runId, 'share');
      if (head?.status !== 'running') throw new RunEnded(runId);
      const inserted = new Set(await insertChunks(tx, runId, batch));
      await checkSameCut(tx, runId, batch.filter((c) => !inserted.has(c.chunkNo)));
      // A chunk following another in its key sequence waits for it, unless that one is done already.
      const waiting = batch.filter((c) => inserted.has(c.chunkNo) && c.afterChunk !== undefined);
      const settled = new Set(await chunksAfterSettled(tx, runId, waiting.map((c) => c.afterChunk!)));
      const ready = batch.filter((c) => inserted.has(c.chunkNo) && (c.afterChunk === undefined || settled.has(c.afterChunk)));
      if (ready.length) {
        const options = jobOptions(ctx.tuning, 'chunk');
        const jobs = ready.map((c) => ({ name: QUEUE_NAMES.chunk, data: { runId, chunkNo: c.chunkNo } satisfies ChunkJobData, ...options }));
        await ctx.boss.insert(jobs, { db: bossDbOf(tx) });
      }
      await setProgress(tx, runId, { chunksTotal: cutter.chunksCut, recordsRead, splitDone: last, watermarks: last ? watermarks : undefined });
    });
    wakeQueue(ctx.boss, QUEUE_NAMES.chunk);
    onStored();
    await ctx.hooks.afterChunksStored?.({ runId, chunksSoFar: cutter.chunksCut, last });
  };

  for await (const root of roots) {
    recordsRead++;
    const chunk = cutter.add(root, flow.ordering ? await orderingKeyOf(flow, root.data) : '');
    if (chunk) {
      keep(chunk);
      if (pending.length >= perInsert) {
        if (signal.aborted) throw signal.reason;
        await store(false);
        perInsert = Math.min(perInsert * 2, chunksPerInsert);
      }
    }
  }
  for (const chunk of cutter.rest()) keep(chunk);
  if (signal.aborted) throw signal.reason;
  await store(true);
}

/**
 * A retried split finds the chunks an earlier attempt stored and skips them:
 * they must hold the very records this attempt cut, or records would be lost
 * (or run twice) without a trace. The cut is deterministic for one chunk size,
 * which the run keeps (startProgress); anything else fails the run, loudly.
 */
async function checkSameCut(tx: Db, runId: string, found: NewChunk[]): Promise<void> {
  const stored = await storedFirstSeqs(tx, runId, found.map((c) => c.chunkNo));
  for (const c of found) {
    const first = stored.get(c.chunkNo);
    if (first === undefined || first === c.firstSeq) continue;
    throw new FlowError('permanent', `chunk ${c.chunkNo} of run ${runId} was stored by an earlier attempt of the split starting at record ${first}, `
      + `but this attempt cut it starting at record ${c.firstSeq}: the records would not be read the same way twice, so the run stops here`, { code: 'SPLIT_CUT_CHANGED' });
  }
}
