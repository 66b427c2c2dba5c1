/**
 * Jobs that will not succeed: a job that used up its retries lands in its
 * failed-jobs queue (pg-boss's dead-letter queue), whose handler fails the run
 * with the last error; a chunk whose flow cannot be prepared fails its run at
 * once, the same way.
 */
import { settleChunk } from '../store/queue-repo.ts';
import type { QueueJob } from './boss.ts';
import type { ChunkJobData, SplitJobData } from './queue-options.ts';
import { endRun } from './run-lifecycle.ts';
import type { WorkerContext } from './worker-context.ts';

/** What a failed attempt records on its job (pg-boss keeps it as the job's output). */
export interface FailureOutput { message: string; attempts: number }

export function failureOutput(err: unknown, attempts: number): FailureOutput {
  return { message: (err as Error)?.message ?? String(err), attempts };
}

/** Fails the run of a split job that landed in the failed-jobs queue. */
export async function failSplitRun(ctx: WorkerContext, job: QueueJob<SplitJobData>): Promise<void> {
  const ended = await endRun(ctx.db, job.data.runId, 'failed', {
    errorClass: 'permanent', code: 'RUN_READ_FAILED',
    message: `The input of run ${job.data.runId} could not be read after ${attemptsText(attemptsOf(job))}: ${lastError(job.output)}`,
  });
  if (ended) ctx.onRunFinished(ended);
}

/** Fails the run of a chunk job that landed in the failed-jobs queue. */
export async function failChunkRunOfJob(ctx: WorkerContext, job: QueueJob<ChunkJobData>): Promise<void> {
  await failChunkRun(ctx, job.data, attemptsOf(job), lastError(job.output));
}

/** Marks the chunk failed and fails its run, saying how often it was tried and why it failed. */
export async function failChunkRun(ctx: WorkerContext, chunk: ChunkJobData, attempts: number, why: string): Promise<void> {
  const { runId, chunkNo } = chunk;
  const error = {
    errorClass: 'permanent' as const, code: 'CHUNK_FAILED',
    message: `Records of chunk ${chunkNo} of run ${runId} could not be processed after ${attemptsText(attempts)}: ${why}`,
  };
  await ctx.db.transaction((tx) => settleChunk(tx, runId, chunkNo, { status: 'failed', error }));
  const ended = await endRun(ctx.db, runId, 'failed', error);
  if (ended) ctx.onRunFinished(ended);
}

/**
 * How many times the job in a failed-jobs queue was tried: as its last attempt
 * recorded, else (its lease lapsed) all its retries, whose limit pg-boss copies.
 */
function attemptsOf(job: QueueJob<unknown>): number {
  const recorded = (job.output as Partial<FailureOutput> | null)?.attempts;
  return typeof recorded === 'number' ? recorded : job.retryLimit + 1;
}

function attemptsText(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}

function lastError(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  if (typeof o?.message === 'string') return o.message;
  // pg-boss's own record of a job whose lease lapsed.
  if (typeof o?.value?.message === 'string') return `the worker holding it stopped answering (${o.value.message})`;
  return output ? JSON.stringify(output) : 'no error was recorded';
}
