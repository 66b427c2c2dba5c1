/**
 * Working the dead letters: replay a selection through the version that
 * failed them (or the one deployed now), or discard them with a reason. Each
 * writes its audit entry in the same transaction as the change, whoever asks
 * (API or CLI).
 */
import { briefDeadLetter as brief, referenceAsOf, replayAuditEntry, replayRecords, selectDeadLetters, type ReplayAgainst, type ReplayReference } from '../replay.ts';
import type { DeadLetterRow, RunRow } from '../store/store.ts';
import { deadLettersRepo } from '../store/dead-letters-repo.ts';
import type { Db } from '../store/db.ts';
import { AppError } from './app-error.ts';
import type { UseCaseDeps } from './app-deps.ts';

/** The dead letters with these ids, read in one statement; not-found naming the first missing one. */
async function existingDeadLetters(deps: Pick<UseCaseDeps, 'database'>, ids: number[]): Promise<DeadLetterRow[]> {
  const rows = await deps.database.store.getDeadLetters(ids);
  if (rows.length < ids.length) {
    const found = new Set(rows.map((r) => r.id));
    throw new AppError('not-found', `Dead letter ${ids.find((id) => !found.has(id))} does not exist.`);
  }
  return rows;
}

export interface DiscardRequest {
  ids: number[];
  reason: string;
  /** Who discards (a user name, `cli`). */
  actor: string;
}

/** Discards open dead letters; each gets an audit entry, committed with the change. */
export async function discardDeadLetters(deps: Pick<UseCaseDeps, 'database'>, req: DiscardRequest): Promise<{ discarded: DeadLetterRow[] }> {
  const { database } = deps;
  const ids = [...new Set(req.ids)];
  const rows = await existingDeadLetters(deps, ids);
  const closed = rows.find((row) => row.status !== 'open');
  if (closed) throw new AppError('conflict', `Dead letter ${closed.id} is already ${closed.status}; nothing was discarded.`);
  await database.db.transaction(async (tx) => {
    await deadLettersRepo(tx as Db).setDeadLetterStatus(ids, 'discarded', req.reason);
    await database.service.audit.append(rows.map((r) => ({
      actor: req.actor, action: 'dead-letter.discarded', entity: 'dead-letter' as const, entityId: String(r.id),
      before: brief(r), after: { ...brief(r), status: 'discarded', statusReason: req.reason },
    })), tx);
  });
  return { discarded: rows };
}

export interface ReplayRequest {
  /** Exactly these dead letters (they may have been replayed before; not discarded) … */
  ids?: number[];
  /** … or the open dead letters of this run. */
  runId?: string;
  /** Of those, only records with these lineage, source or business keys. */
  recordKeys?: string[];
  /** The version that failed them, the one deployed in their environment, or one given (a fixed flow the CLI saved). */
  against: ReplayAgainst | { version: number };
  /** `current` (default): the reference data loaded now; `as-it-was`: as loaded when the records last failed. */
  reference?: ReplayReference;
  /** The environment of dead letters that have none (null: none, as the CLI's runs). */
  defaultEnvironment: string | null;
  actor: string;
}

export interface QueuedReplay {
  run: RunRow;
  letters: DeadLetterRow[];
  version: number;
  referenceAsOf: string;
}

/** Open ones by run (or ids); ids may also name replayed ones: replaying again is safe, targets count them duplicate. */
async function selectForReplay(deps: UseCaseDeps, req: ReplayRequest): Promise<DeadLetterRow[]> {
  if (!req.ids?.length) return selectDeadLetters(deps.database.store, { runId: req.runId, recordKeys: req.recordKeys });
  const rows = await existingDeadLetters(deps, req.ids);
  const discarded = rows.find((row) => row.status === 'discarded');
  if (discarded) throw new AppError('conflict', `Dead letter ${discarded.id} was discarded (${discarded.statusReason ?? 'no reason given'}); it cannot be replayed.`);
  return rows;
}

/**
 * Queues a replay run of the selected dead letters with its audit entry, in
 * one transaction. When the run finishes, the dead letters it did not fail
 * again are marked replayed (runtime/queue/run-lifecycle.ts).
 */
export async function replayDeadLetters(deps: UseCaseDeps, req: ReplayRequest): Promise<QueuedReplay> {
  const { database } = deps;
  if (!req.ids?.length && !req.runId) throw new AppError('invalid', 'Give the dead letter ids or a run id to replay.', [{ path: '/ids', message: 'ids or runId is required' }]);
  if (req.runId && !(await database.store.getRun(req.runId))) throw new AppError('not-found', `Run ${req.runId} does not exist.`);
  const letters = await selectForReplay(deps, req);
  if (!letters.length) throw new AppError('conflict', 'None of the selected dead letters is open; nothing to replay.');
  const flows = new Set(letters.map((l) => l.flowId));
  if (flows.size > 1) throw new AppError('unprocessable', `The selection spans flows ${[...flows].join(', ')}; replay one flow at a time.`, [{ path: '/ids', message: 'several flows' }]);
  const flowId = letters[0].flowId;
  const environment = letters[0].environment ?? req.defaultEnvironment;
  let version: number;
  if (req.against === 'deployed') {
    if (environment === null) throw new AppError('conflict', `The dead letters of flow '${flowId}' come from a run of no environment; replay them against the failed version instead.`);
    const deployed = await database.service.deployments.getDeployment(flowId, environment);
    if (!deployed) throw new AppError('conflict', `Flow '${flowId}' is not deployed to ${environment}; replay against the failed version instead.`);
    version = deployed.version;
  } else if (req.against === 'failed-version') {
    const versions = new Set(letters.map((l) => l.version));
    if (versions.size > 1 || letters[0].version === null) throw new AppError('unprocessable', 'The selected dead letters failed in different (or unknown) versions; replay against the deployed version, or select one version\'s.', [{ path: '/against', message: 'several versions' }]);
    version = letters[0].version;
  } else version = req.against.version;
  const replayOf = req.runId ?? letters[0].runId;
  const deadLetterIds = letters.map((l) => l.id);
  const reference = req.reference ?? 'current';
  const asOf = referenceAsOf(reference, letters);
  const against = typeof req.against === 'string' ? req.against : `version ${version}`;
  const run = await deps.launcher.enqueue({
    flowId, version, environment, trigger: 'replay', triggerRef: `${letters.length} dead letter(s) of ${replayOf}`, replayOf,
    input: { kind: 'records', records: replayRecords(letters) }, replayDeadLetterIds: deadLetterIds, referenceAsOf: asOf, requestedBy: req.actor,
    // One entry naming the replay run (its id is short, however many dead letters it replays), in the run's transaction.
    alongside: (tx, queued) => database.service.audit.append(replayAuditEntry({ actor: req.actor, runId: queued.id, letters, version, against, reference, referenceAsOf: asOf }), tx),
  });
  return { run, letters, version, referenceAsOf: asOf };
}
