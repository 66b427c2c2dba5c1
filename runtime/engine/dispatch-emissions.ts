/**
 * What a node's emissions for one record become: the record's children (one per emission and
 * connected node), each with its identity (lineage key, item key, amount), queued for the next
 * node or, on an output nothing is connected to, ended there.
 */
import type { Emission } from '../../nodes/define-node.ts';
import { FlowError, type RuleFailure } from '../../nodes/errors.ts';
import type { PreparedProcess, PreparedTarget } from './prepare-flow.ts';
import type { NodeStats } from './run-types.ts';
import { toDecimalString, type ReconciliationBuilder } from './reconcile.ts';
import type { EndFn, RootRecord, WorkItem } from './chunk-types.ts';

const extended = new WeakMap<readonly string[], Map<string, string[]>>();

/**
 * `[...path, nodeId]`, made once: the records of a chunk that take the same way share their path
 * arrays (paths are never changed in place; an item going on gets a new one).
 */
export function extendPath(path: readonly string[], nodeId: string): string[] {
  let next = extended.get(path);
  if (!next) extended.set(path, (next = new Map()));
  let out = next.get(nodeId);
  if (!out) next.set(nodeId, (out = [...path, nodeId]));
  return out;
}

/** Whether an item takes part in the run: all do, except in a replay of some items of a record. */
export function selected(root: RootRecord, itemKey: string): boolean {
  if (!root.onlyItems) return true;
  // An ancestor of a selected item runs (it makes the item); so does a descendant of one.
  return root.onlyItems.some((k) => k === '' || itemKey === '' || k === itemKey || k.startsWith(`${itemKey}/`) || itemKey.startsWith(`${k}/`));
}

interface ChildItem { itemKey: string; amount: string | null; currency: string | null }

/**
 * What identifies each child of a record a node emitted: a split (several
 * children, or a node declaring items) makes each child an item of its own,
 * keyed by the declared key or its position, with its declared amount.
 */
function childItems(node: PreparedProcess | PreparedTarget, emissions: Emission[], item: WorkItem, childCount: number, totals: ReconciliationBuilder): ChildItem[] | null {
  const declares = emissions.some((em) => em.item);
  if (childCount <= 1 && !declares) return null;
  const children: ChildItem[] = [];
  const summed: { amount: string | null; currency: string | null }[] = [];
  let index = 0;
  for (const em of emissions) {
    const n = Math.max(1, node.edgesByPort.get(em.port)?.length ?? 0);
    const key = em.item?.declares.key ? keyText(em.item.key) : null;
    if (em.item?.declares.key) totals.noteExpression(`itemKey of ${node.id}`, key !== null);
    let amount: string | null = null;
    let currency: string | null = null;
    if (em.item?.declares.amount) {
      amount = toDecimalString(em.item.amount);
      totals.noteExpression(`itemAmount of ${node.id}`, amount !== null);
      currency = em.item.declares.currency ? keyText(em.item.currency) : item.currency;
      if (em.item.declares.currency) totals.noteExpression(`itemCurrency of ${node.id}`, currency !== null);
      summed.push({ amount, currency });
    } else if (childCount <= 1) {
      ({ amount, currency } = item);
    }
    for (let k = 0; k < n; k++) {
      const segment = (key ?? String(index)) + (key !== null && n > 1 ? `#${k}` : '');
      children.push({ itemKey: item.itemKey ? `${item.itemKey}/${segment}` : segment, amount, currency });
      index++;
    }
  }
  // Item-level reconciliation: the items a source record fans out into sum to its amount (a whole record, not a replay of some items).
  if (summed.length && item.itemKey === '' && !item.root.onlyItems) totals.checkItemSum(item, node.id, summed);
  return children;
}

function keyText(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (Array.isArray(v)) return v.length ? keyText(v[0]) : null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function dispatchEmissions(
  node: PreparedProcess | PreparedTarget, emissions: Emission[], item: WorkItem, s: NodeStats,
  enqueue: (id: string, w: WorkItem) => void, end: EndFn,
  capture: (nodeId: string, port: string, data: unknown, failures?: RuleFailure[]) => void,
  totals: ReconciliationBuilder,
) {
  const path = extendPath(item.path, node.id);
  let childCount = 0;
  for (const em of emissions) childCount += Math.max(1, node.edgesByPort.get(em.port)?.length ?? 0);
  const split = childItems(node, emissions, item, childCount, totals);
  const resolves = node.category !== 'target' && !!node.behaviour.grouping?.resolve;
  let kept: ChildItem[] | undefined;
  if (split) {
    kept = split.filter((c) => selected(item.root, c.itemKey));
    // A replay whose item keys no longer name any child (the keys changed) runs them all: nothing is left out unseen.
    if (kept.length === 0) kept = split;
    totals.items().splitRead(item, kept);
  }
  let index = 0;
  for (const em of emissions) {
    const quarantine = node.category !== 'target' && node.quarantinePorts.has(em.port);
    if (quarantine) s.invalid++;
    else s.out++;
    capture(node.id, em.port, em.data, em.failures);
    const targets = node.edgesByPort.get(em.port);
    const n = Math.max(1, targets?.length ?? 0);
    for (let k = 0; k < n; k++) {
      const identity = split?.[index];
      const i = index++;
      if (identity && !kept!.includes(identity)) continue;
      const own = identity ?? item;
      const child: WorkItem = childCount > 1
        ? { root: item.root, lineageKey: `${item.lineageKey}.${i}`, sourceKey: `${item.sourceKey}.${i}`, itemKey: own.itemKey, amount: own.amount, currency: own.currency, data: em.data, path, steps: item.steps }
        : { root: item.root, lineageKey: item.lineageKey, sourceKey: item.sourceKey, itemKey: own.itemKey, amount: own.amount, currency: own.currency, data: em.data, path, steps: item.steps };
      if (node.category === 'transform') child.steps = [...item.steps, { node: node.id, data: em.data }];
      if (item.warnings) child.warnings = item.warnings;
      if (item.delivery) child.delivery = item.delivery;
      if (item.resolvedItem !== undefined) child.resolvedItem = item.resolvedItem;
      else if (resolves && item.root.aggregatedFrom) child.resolvedItem = (em.item?.declares.key ? keyText(em.item.key) : null) ?? own.itemKey;
      const inPort = node.inPortsByPort.get(em.port)?.[k];
      if (inPort) child.inPort = inPort;
      if (em.failures?.length && !quarantine) child.warnings = [...(item.warnings ?? []), ...em.failures];
      if (!targets?.length) {
        if (quarantine) {
          const failures = em.failures ?? [];
          const message = failures.filter((f) => f.severity === 'error').map((f) => f.message).join('; ') || 'record is invalid';
          const error = new FlowError('validation', message, { nodeId: node.id, failures });
          end(child, 'quarantined', node.id, { errorClass: 'validation', error: error.toJSON(), failures }, true);
        } else {
          end(child, 'filtered', node.id, { error: { errorClass: 'mapping', message: `no connection from output '${em.port}' of node '${node.id}'`, nodeId: node.id } });
        }
        continue;
      }
      enqueue(targets[k], child);
    }
  }
}
