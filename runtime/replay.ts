/**
 * Replay of quarantined and dead-lettered records after a fix: the source
 * records run again through a chosen version. Targets' idempotency ledger
 * makes it safe: what was delivered before is skipped and counted duplicate.
 */
import type { ReferenceData } from '../nodes/define-node.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import { FlowError } from '../nodes/errors.ts';
import type { GivenRecord } from './engine/run-flow.ts';
import { executeRun, type RunServiceDeps } from './run-service.ts';
import type { DeadLetterRow, Store } from './store/store.ts';

export interface ReplayRequest {
  /** Replay the open dead letters of this run … */
  runId?: string;
  /** … or exactly these dead letters. */
  ids?: number[];
  /** Only records with these lineage, source or business keys. */
  recordKeys?: string[];
  against: { doc: FlowDocument; version: number | null };
  environment?: string | null;
  reference: ReferenceData;
}

/** Open dead letters matching the request, oldest first. */
export async function selectDeadLetters(store: Store, req: Pick<ReplayRequest, 'runId' | 'ids' | 'recordKeys'>): Promise<DeadLetterRow[]> {
  let rows: DeadLetterRow[] = [];
  if (req.ids?.length) {
    // One statement however many ids (a replay of 10,000 dead letters).
    rows = await store.getDeadLetters(req.ids);
    if (rows.length < req.ids.length) {
      const found = new Set(rows.map((r) => r.id));
      throw new FlowError('validation', `dead letter ${req.ids.find((id) => !found.has(id))} does not exist`);
    }
  } else if (req.runId) {
    let cursor: string | undefined;
    do {
      const page = await store.listDeadLetters({ runId: req.runId, status: 'open' }, { limit: 1000, cursor });
      rows.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  if (req.recordKeys?.length) {
    const keys = new Set(req.recordKeys);
    rows = rows.filter((r) => keys.has(r.lineageKey) || keys.has(r.sourceKey) || (r.businessKey !== null && keys.has(r.businessKey)));
  }
  return rows.filter((r) => r.status === 'open');
}

export async function replayDeadLetters(deps: RunServiceDeps, req: ReplayRequest) {
  const letters = await selectDeadLetters(deps.store, req);
  if (letters.length === 0) {
    throw new FlowError('validation', req.runId ? `run ${req.runId} has no open dead letters${req.recordKeys?.length ? ` for ${req.recordKeys.join(', ')}` : ''}` : 'no open dead letters selected');
  }
  // Several children of one source record may have failed: the source record runs once.
  const bySourceKey = new Map<string, GivenRecord>();
  for (const l of letters) if (!bySourceKey.has(l.sourceKey)) bySourceKey.set(l.sourceKey, { sourceKey: l.sourceKey, data: l.sourceRecord });
  const replayOf = req.runId ?? letters[0].runId;
  const outcome = await executeRun(deps, {
    doc: req.against.doc, version: req.against.version, environment: req.environment ?? letters[0].environment,
    trigger: 'replay', triggerRef: `${letters.length} dead letter(s) of ${replayOf}`, replayOf,
    input: { kind: 'records', records: [...bySourceKey.values()] }, reference: req.reference,
  });
  if (outcome.result.status !== 'failed') {
    await deps.store.setDeadLetterStatus(letters.map((l) => l.id), 'replayed', `replayed in ${outcome.run.id}`, outcome.run.id);
  }
  return { ...outcome, replayed: letters.length };
}
