/**
 * A queued run's status changes, each in one transaction holding the run row
 * locked, so that exactly one worker finishes a run however many finish its
 * last chunks at the same moment, and a cancel never crosses a finish.
 */
import type { SerializedError } from '../../nodes/errors.ts';
import type { Db } from '../store/db.ts';
import type { RunRow } from '../store/store.ts';
import { runsRepo } from '../store/runs-repo.ts';
import { referenceDataRepo } from '../store/reference-data.ts';
import { deadLettersRepo } from '../store/dead-letters-repo.ts';
import {
  chunkSummaries, getProgress, isDryRun, pendingChunkCount, releaseChunkRecords, replayedDeadLetterIds, runHead, setRunTotals, skipPendingChunks,
} from '../store/queue-repo.ts';
import { deletePartials, groupedNodes } from '../store/aggregate-partials-repo.ts';
import { isTerminal } from '../engine/run-types.ts';
import { finishedStatus, runTotals, withTargetSide, type TargetDeliveryCount } from './run-totals.ts';

/** The environment watermarks are kept under when a run names none (as the CLI does). */
export const LOCAL_ENVIRONMENT = 'local';

/**
 * Finishes the run when its input is fully read and no chunk is pending:
 * adds up the chunks, sets the final status, commits the source's watermarks
 * and marks replayed dead letters. Returns the run when this call finished it.
 * `countInTargets` gives what the run's targets hold by their own delivery
 * records; a difference from the ledger keeps the totals from closing.
 * `groupingNodes`: the flow's aggregate nodes; the run is not finished before
 * each has had its groups queued.
 */
export async function finalizeIfComplete(
  db: Db, runId: string, countInTargets?: () => Promise<TargetDeliveryCount[]>, groupingNodes: readonly string[] = [],
): Promise<RunRow | null> {
  // Cheap check first, without locks: most chunk completions are not the last.
  const progress = await getProgress(db, runId);
  if (!progress?.splitDone || (await pendingChunkCount(db, runId)) > 0) return null;
  // Counted outside the transaction: the targets are other databases (or other connections).
  // A dry run wrote to no target: there is nothing there to count, and no watermark to move.
  const dryRun = await isDryRun(db, runId);
  const inTargets = countInTargets && !dryRun ? await countInTargets() : [];
  return db.transaction(async (tx) => {
    const head = await runHead(tx, runId, 'update');
    if (head?.status !== 'running') return null;
    if ((await pendingChunkCount(tx, runId)) > 0) return null;
    // An aggregate node's groups are queued (group-emission.ts) under this same lock: until every one is,
    // no chunk pending does not mean the run is done, whoever checked first.
    if (groupingNodes.length) {
      const grouped = await groupedNodes(tx, runId);
      if (groupingNodes.some((n) => !grouped.includes(n))) return null;
    }
    const chunks = await chunkSummaries(tx, runId);
    const failedChunk = chunks.find((c) => c.status === 'failed');
    const reconciliation = withTargetSide(runTotals(chunks), chunks, inTargets);
    const status = finishedStatus({ failed: !!failedChunk, reconciliation });
    await runsRepo(tx).finishRun(runId, { status, counts: reconciliation.counts, reconciliation, error: failedChunk?.error ?? null });
    if (status !== 'failed') {
      const done = dryRun ? { watermarks: [] } : (await getProgress(tx, runId))!;
      for (const w of done.watermarks) {
        await referenceDataRepo(tx).setWatermark(head.flowId, w.nodeId, head.environment ?? LOCAL_ENVIRONMENT, w.value);
      }
      const replayed = await replayedDeadLetterIds(tx, runId);
      if (replayed.length) await deadLettersRepo(tx).markReplayed(replayed, runId);
    }
    await releaseChunkRecords(tx, runId);
    await deletePartials(tx, runId);
    return runsRepo(tx).getRun(runId);
  });
}

/**
 * Ends a queued or running run as `failed` or `cancelled`: chunks not yet
 * processed are skipped, the figures are those of the chunks that finished.
 * Returns the run when this call ended it, null when it had already ended.
 */
export async function endRun(db: Db, runId: string, status: 'failed' | 'cancelled', error: SerializedError): Promise<RunRow | null> {
  return db.transaction(async (tx) => {
    const head = await runHead(tx, runId, 'update');
    if (!head || isTerminal(head.status)) return null;
    await skipPendingChunks(tx, runId);
    const reconciliation = runTotals(await chunkSummaries(tx, runId));
    await runsRepo(tx).finishRun(runId, { status, counts: reconciliation.counts, reconciliation, error });
    await releaseChunkRecords(tx, runId);
    await deletePartials(tx, runId);
    return runsRepo(tx).getRun(runId);
  });
}

/** After a chunk finished on a run that had already ended (cancelled meanwhile), its figures are added. */
export async function refreshEndedRunTotals(tx: Db, runId: string): Promise<void> {
  await setRunTotals(tx, runId, runTotals(await chunkSummaries(tx, runId)));
}
