/**
 * A target's side of a chunk: each record's idempotency key, and what the target's write tells
 * the engine about each record (delivered, duplicate, failed; or passed on by the `out` port).
 */
import { FlowError, toFlowError, type RuleFailure } from '../../nodes/errors.ts';
import type { PreparedTarget } from './prepare-flow.ts';
import type { Bindings } from '../../nodes/expression/evaluator.ts';
import type { EndFn, WorkItem } from './process-chunk.ts';
import type { NodeStats, RecordTrace } from './run-types.ts';
import type { TargetCallbacks } from './target-writer.ts';
import { extendPath } from './dispatch-emissions.ts';

/** The bindings every expression of a record sees. */
export const bindingsFor = (item: WorkItem): Bindings => ({ sourceKey: item.sourceKey, lineageKey: item.lineageKey });

export type FailedFn = (item: WorkItem, nodeId: string, error: FlowError, failures?: RuleFailure[]) => void;

/** Evaluates each record's idempotency key; a record without one fails here. */
export async function keyedItems(node: PreparedTarget, items: WorkItem[], s: NodeStats, failed: FailedFn): Promise<WorkItem[]> {
  const keyed: WorkItem[] = [];
  for (const item of items) {
    try {
      const r = node.idempotencyKey.evaluate(item.data, bindingsFor(item));
      const key = r instanceof Promise ? await r : r;
      if (key === undefined || key === null || key === '') throw new FlowError('mapping', `idempotency key expression gave no value`, { nodeId: node.id, field: 'idempotencyKey' });
      item.idempotencyKey = String(key);
      keyed.push(item);
    } catch (err) {
      s.errors++;
      item.path = [...item.path, node.id];
      failed(item, node.id, toFlowError(err, 'mapping', { nodeId: node.id, field: 'idempotencyKey' }));
    }
  }
  return keyed;
}

export type PassOnFn = (item: WorkItem, answer: unknown, delivery: NonNullable<WorkItem['delivery']>) => void;

/**
 * What a target's write tells the engine about each record. With `passOn` (its `out` port is
 * connected), a record written or found written with an answer goes on instead of ending here;
 * one found written without an answer kept (an earlier delivery in progress elsewhere, or made
 * before the port was connected) ends here, never sent again to get one.
 */
export function targetCallbacks(node: PreparedTarget, s: NodeStats, end: EndFn, failed: FailedFn, passOn?: PassOnFn): TargetCallbacks<WorkItem> {
  const path = (item: WorkItem) => extendPath(item.path, node.id);
  const settle = (item: WorkItem, outcome: 'delivered' | 'duplicate', trace: Partial<RecordTrace>, answer: unknown) => {
    if (passOn && answer !== undefined) return passOn(item, answer, { outcome, trace });
    item.path = path(item);
    end(item, outcome, node.id, trace);
  };
  return {
    delivered: (item, ref, status, answer) => {
      s.out++;
      settle(item, 'delivered', { targetNode: node.id, idempotencyKey: item.idempotencyKey, targetRef: ref, targetStatus: status }, answer);
    },
    duplicate: (item, answer) => settle(item, 'duplicate', { targetNode: node.id, idempotencyKey: item.idempotencyKey }, answer),
    failed: (item, error) => {
      s.errors++;
      item.path = path(item);
      failed(item, node.id, error);
    },
  };
}
