/**
 * Aggregate nodes in a run: records reaching one are folded into its groups
 * (a run in one process: straight into the run's; a queued run: each chunk's
 * partial groups, merged through the store across workers), and once every record is read
 * each group enters the graph again as one record at the node's `out` port.
 */
import type { GroupingBehaviour } from '../../nodes/define-node.ts';
import { mergeGroups } from '../../nodes/transform/aggregate-groups.ts';
import { toFlowError } from '../../nodes/errors.ts';
import { DEFAULT_IN_PORT } from '../../nodes/flow-document.ts';
import { lineageKeysOf, newGroupTable, storeGroup, type Group, type GroupTable, type StoredGroup } from '../../nodes/transform/aggregate-groups.ts';
import type { PreparedFlow, PreparedProcess } from './prepare-flow.ts';
import type { EndFn, RootRecord, WorkItem } from './process-chunk.ts';
import type { FailedFn } from './target-callbacks.ts';
import type { NodeStats } from './run-types.ts';

/** Partial groups per aggregate node id. */
export type ChunkGroups = Map<string, GroupTable>;

/** Folds a chunk's records into the node's groups; each record's trace ends here, naming its group. */
export async function foldIntoGroups(
  node: PreparedProcess, grouping: GroupingBehaviour, items: WorkItem[], groups: ChunkGroups, s: NodeStats, end: EndFn, failed: FailedFn,
): Promise<void> {
  let table = groups.get(node.id);
  if (!table) groups.set(node.id, (table = newGroupTable()));
  for (const item of items) {
    const t0 = performance.now();
    item.path = [...item.path, node.id];
    try {
      const key = await grouping.add(table, item.data, { sourceKey: item.sourceKey, lineageKey: item.lineageKey }, item.lineageKey, item.inPort ?? DEFAULT_IN_PORT);
      end(item, 'aggregated', node.id, { targetRef: `group ${key}` });
    } catch (err) {
      const error = toFlowError(err, 'mapping', { nodeId: node.id });
      if (error.errorClass === 'validation') s.invalid++;
      else s.errors++;
      failed(item, node.id, error);
    }
    s.ms += performance.now() - t0;
  }
}

/** A node's partial group as stored between chunks (or spilled), by the JSON text of its key. */
export interface StoredPartial {
  nodeId: string;
  groupKey: string;
  state: StoredGroup;
}

/** Where a run in one process puts groups beyond a node's `maxGroupsInMemory` (the store's aggregate_partials). */
export interface GroupSpill {
  /** Stores partial groups under `part` (each spill its own). */
  put(part: number, partials: readonly StoredPartial[]): Promise<void>;
  /** A node's partials in key order (all partials of one key together). */
  read(nodeId: string): AsyncIterable<{ groupKey: string; state: StoredGroup }>;
}

/** Whole groups from partials read in key order: the partials of each key merged. */
export async function* mergedInKeyOrder(partials: AsyncIterable<{ groupKey: string; state: StoredGroup }>, grouping: GroupingBehaviour): AsyncGenerator<Group> {
  let current: { key: string; group: Group } | null = null;
  for await (const row of partials) {
    const group = grouping.load(row.state);
    if (current && current.key === row.groupKey) mergeGroups(current.group, group);
    else {
      if (current) yield current.group;
      current = { key: row.groupKey, group };
    }
  }
  if (current) yield current.group;
}

/** The groups emitted for whole groups in key order: each one, or its windows when the node cuts size windows. */
export async function* emittedGroups(groups: Iterable<Group> | AsyncIterable<Group>, grouping: GroupingBehaviour): AsyncGenerator<Group> {
  for await (const group of groups) {
    if (grouping.windows) yield* grouping.windows(group);
    else yield group;
  }
}

/** A chunk's partial groups as the store keeps them. */
export function storedPartials(groups: ChunkGroups): StoredPartial[] {
  const out: StoredPartial[] = [];
  for (const [nodeId, table] of groups) for (const [groupKey, group] of table) out.push({ nodeId, groupKey, state: storeGroup(group) });
  return out;
}

/**
 * A run in one process: moves the groups of each node holding more than its
 * `maxGroupsInMemory` to the spill (the store), so memory stays bounded.
 */
export async function spillBeyondLimits(flow: PreparedFlow, groups: ChunkGroups, spill: GroupSpill, spilled: Set<string>, nextPart: () => number): Promise<void> {
  for (const [nodeId, table] of groups) {
    if (table.size <= groupingOf(flow, nodeId).maxGroupsInMemory) continue;
    // Written out and emptied in one step: a chunk still folding records into this very table
    // (its `add` touches the table only after its last await) starts the key afresh.
    const partials = storedPartials(new Map([[nodeId, table]]));
    table.clear();
    table.lineage?.clear();
    spilled.add(nodeId);
    await spill.put(nextPart(), partials);
  }
}

/** The aggregate nodes of a flow, upstream ones first (their groups may feed the next). */
export function groupingNodeIds(flow: PreparedFlow): string[] {
  return flow.order.filter((id) => {
    const node = flow.nodes.get(id)!;
    return node.category !== 'source' && node.category !== 'target' && !!node.behaviour.grouping;
  });
}

export function groupingOf(flow: PreparedFlow, nodeId: string): GroupingBehaviour {
  const node = flow.nodes.get(nodeId);
  const grouping = node && node.category !== 'source' && node.category !== 'target' ? node.behaviour.grouping : undefined;
  if (!grouping) throw new Error(`node '${nodeId}' of flow '${flow.doc.id}' is not an aggregate node`);
  return grouping;
}

/** A table's groups in key order (the order they are emitted in, whichever way the run was split). */
export function groupsInKeyOrder(table: GroupTable): Group[] {
  return [...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** The record a group enters the graph as, numbered after the run's source records. */
export function groupRoot(flow: PreparedFlow, nodeId: string, group: Group, seq: number): RootRecord {
  const keyText = JSON.stringify(group.key);
  return {
    seq,
    sourceKey: `${nodeId}:${keyText}`,
    businessKey: group.key.map((k) => (typeof k === 'string' ? k : JSON.stringify(k))).join(' / '),
    amount: null,
    currency: null,
    data: groupingOf(flow, nodeId).record(group),
    aggregatedFrom: lineageKeysOf(group),
    entryNode: nodeId,
  };
}
