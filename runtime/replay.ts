/**
 * What a replay of quarantined and dead-lettered records is made of: which
 * dead letters, which source records run again, with which reference data,
 * and its audit entry. The use case (runtime/app/dead-letters.ts) queues it;
 * targets' idempotency ledger makes it safe: what was delivered before is
 * skipped and counted duplicate.
 */
import { FlowError } from '../nodes/errors.ts';
import type { GivenRecord } from './engine/run-flow.ts';
import type { DeadLetterRow, Store } from './store/store.ts';
import type { AuditEntry } from './store/service-audit.ts';

/** A dead letter as its audit entries show it. */
export const briefDeadLetter = (d: DeadLetterRow) => ({ id: d.id, runId: d.runId, flowId: d.flowId, lineageKey: d.lineageKey, status: d.status, statusReason: d.statusReason });

/** The one audit entry of a replay, naming its run (short however many dead letters it replays); the same whoever replays. */
export function replayAuditEntry(e: { actor: string; runId: string; letters: DeadLetterRow[]; version: number | null; against: string; reference: ReplayReference; referenceAsOf: string }): AuditEntry {
  return {
    actor: e.actor, action: 'dead-letter.replay-queued', entity: 'run', entityId: e.runId,
    before: e.letters.map(briefDeadLetter),
    after: { runId: e.runId, version: e.version, against: e.against, reference: e.reference, referenceAsOf: e.referenceAsOf, deadLetterIds: e.letters.map((l) => l.id) },
  };
}

/** The reference data a replay evaluates with: as it was when the records failed, or the current one. */
export const REPLAY_REFERENCES = ['as-it-was', 'current'] as const;
export type ReplayReference = (typeof REPLAY_REFERENCES)[number];

/** Which version a replay runs: the one that failed the records, or the one deployed now. */
export const REPLAY_AGAINST = ['failed-version', 'deployed'] as const;
export type ReplayAgainst = (typeof REPLAY_AGAINST)[number];

/**
 * When the reference data a replay evaluates with was loaded: as it was when
 * the selected records last failed (the latest failure of the selection), or
 * now, for the current reference data, read afresh (not a worker's cached copy).
 */
export function referenceAsOf(mode: ReplayReference, letters: Pick<DeadLetterRow, 'updatedAt'>[], now = new Date()): string {
  if (mode === 'current') return now.toISOString();
  // ISO times of one format sort as text.
  return letters.map((l) => l.updatedAt).sort().at(-1)!;
}

/** Open dead letters matching the request, oldest first. */
export async function selectDeadLetters(store: Store, req: { runId?: string; ids?: number[]; recordKeys?: string[] }): Promise<DeadLetterRow[]> {
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

/**
 * The source records a replay runs: each once, however many of its items
 * failed, with the items to run again. Items not named (delivered, or left
 * open for later) are not run again, so they are neither re-sent nor
 * quarantined twice. A dead letter of the whole record ('' item) runs it all.
 * A group record is one per run: the same key's group of another run holds
 * other records (a match group of Monday's invoices and one of Tuesday's).
 */
export function replayRecords(letters: Pick<DeadLetterRow, 'runId' | 'sourceKey' | 'itemKey' | 'sourceRecord' | 'entryNode' | 'businessKey'>[]): GivenRecord[] {
  const bySourceKey = new Map<string, GivenRecord & { items: Set<string> }>();
  for (const l of letters) {
    const key = l.entryNode ? `${l.runId}\n${l.sourceKey}` : l.sourceKey;
    let record = bySourceKey.get(key);
    if (!record) bySourceKey.set(key, (record = { ...givenOf(l), items: new Set() }));
    record.items.add(l.itemKey ?? '');
  }
  return [...bySourceKey.values()].map(({ items, ...record }) => (items.has('') ? record : { ...record, onlyItems: [...items] }));
}

/** What a dead letter replays: its source record, or a group record from its aggregate node on. */
function givenOf(l: Pick<DeadLetterRow, 'sourceKey' | 'sourceRecord' | 'entryNode' | 'businessKey'>): GivenRecord {
  if (!l.entryNode) return { sourceKey: l.sourceKey, data: l.sourceRecord };
  const stored = l.sourceRecord as { group?: unknown; sourceLineageKeys?: string[] } | null;
  return {
    sourceKey: l.sourceKey, data: stored?.group ?? null,
    group: { entryNode: l.entryNode, sourceLineageKeys: stored?.sourceLineageKeys ?? [], businessKey: l.businessKey },
  };
}
