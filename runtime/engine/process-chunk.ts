/**
 * The engine core: one chunk of source records through the graph, node by
 * node in topological order. Every record ends in exactly one outcome and
 * leaves one trace; records that need a person become dead-letter entries.
 */
import { TARGET_OUT_PORT, type Emission, type KeyedStateStore, type LookupSource, type TargetContext, type TargetOutRecord } from '../../nodes/define-node.ts';
import { FlowError, toFlowError, type RuleFailure, type SerializedError } from '../../nodes/errors.ts';
import type { PreparedFlow, PreparedProcess, PreparedTarget } from './prepare-flow.ts';
import { NOT_EVALUATED_IN_PREVIEW, NOT_EVALUATED_PORT } from './run-types.ts';
import type {
  CrashPoint, DeadLetterEntry, IdempotencyLedger, NodeStats, Reconciliation, RecordOutcome, RecordTrace, RetryAttempt, StepSnapshot,
} from './run-types.ts';
import { ReconciliationBuilder, toDecimalString } from './reconcile.ts';
import { passesAnswersOn, writeToTarget, type TargetWork } from './target-writer.ts';
import { bindingsFor, keyedItems, targetCallbacks, type PassOnFn } from './target-callbacks.ts';
import { sharedTransactionConnections, writeSharedTransaction } from './shared-transaction.ts';
import { processInBatch } from './process-batch.ts';
import { foldIntoGroups, type ChunkGroups } from './grouping.ts';

/** A source record with what the run computed for it when it was read. */
export interface RootRecord {
  /** Position in the run (1-based); the lineage key of the record. */
  seq: number;
  sourceKey: string;
  businessKey: string | null;
  amount: string | null;
  currency: string | null;
  eventTime?: number;
  data: unknown;
  /** Declared expressions (`businessKey`, `amount.value` …) that gave nothing for this record. */
  unmatched?: string[];
  /** Replay of some items only: their item keys. Items not named are left as they were (not run, not counted). */
  onlyItems?: string[];
  /** Unreadable as received (a poison message): dead-lettered at the source with this error, not run. */
  sourceError?: SerializedError;
  /** A group record an aggregate node emitted: the lineage keys of the records it summed. */
  aggregatedFrom?: string[];
  /** A group record: the aggregate node it leaves by (its `out` port), instead of a source. */
  entryNode?: string;
}

/** The figures a root's records count in: a group record's apart from the source records'. */
export function countsFor(b: ReconciliationBuilder, root: Pick<RootRecord, 'aggregatedFrom'>): ReconciliationBuilder {
  return root.aggregatedFrom ? b.groups() : b;
}

/** A record on its way through the graph (a source record or one of its fan-out children). */
export interface WorkItem extends TargetWork {
  root: RootRecord;
  lineageKey: string;
  sourceKey: string;
  /**
   * The item's identity within its source record, stable across runs: '' for a
   * record that did not fan out; otherwise segments joined by '/', each the
   * item key the fan-out node declared or the item's position.
   */
  itemKey: string;
  /** The item's own amount (the source record's until a fan-out declares one per item). */
  amount: string | null;
  currency: string | null;
  data: unknown;
  /** The input port it arrives at its next node by (`in` unless the edge names another). */
  inPort?: string;
  path: string[];
  steps: StepSnapshot[];
  retries?: RetryAttempt[];
  /** Warning-severity rule failures picked up on the way; they travel with the record. */
  warnings?: RuleFailure[];
  /**
   * Passed on by a target's `out` port: that target's delivery, which stands as the record's
   * outcome when it is filtered out later, and makes a later failure a partial delivery.
   */
  delivery?: { outcome: 'delivered' | 'duplicate'; trace: Partial<RecordTrace> };
  /**
   * Of a group record a match resolved: the invoice (item key) it carries. Each invoice of the
   * group has its own outcome, so a group posting one and quarantining another is not a partial
   * delivery; an invoice written to one target and failed at another still is.
   */
  resolvedItem?: string;
}

export interface ChunkIO {
  runId: string;
  ledger: IdempotencyLedger;
  target: TargetContext;
  /** Keyed state for nodes that read or change it; absent: they fail naming the missing store. */
  state?: KeyedStateStore;
  /** Where lookups get rows; absent: from `target.connections` (see LookupSource). */
  lookups?: LookupSource;
  /** Claim token for the ledger: a retried chunk re-owns its own pending claims. */
  claimToken: string;
  /** Dry run: targets are not written and the ledger is not touched. */
  dryRun?: boolean;
  now?: () => number;
  /** Keep up to this many output records per node (designer test runs). */
  captureOutputs?: number;
  /** The source the records came from, when the flow has several. */
  sourceNodeId?: string;
  /**
   * The run's groups (a run in one process): records are folded straight into them rather than
   * into the chunk's own groups returned in `groups`, so no partial group per key and chunk is
   * made only to be merged and dropped.
   */
  groups?: ChunkGroups;
  /** Group records of this aggregate node: they enter the graph at its `out` port instead of at a source. */
  entryNodeId?: string;
  /**
   * Targets start writing only once this settles (the previous chunk's writes),
   * so a pipelined run computes ahead but writes in order. A rejection stops
   * this chunk's writes with that error.
   */
  targetsMayStart?: Promise<unknown>;
  /** Fault injection for tests: called at each crash point of each target write; throwing there stops the chunk. */
  crashPoint?: (point: CrashPoint, at: { nodeId: string; batch: number }) => void | Promise<void>;
}

export interface ChunkResult {
  traces: RecordTrace[];
  deadLetters: DeadLetterEntry[];
  nodeStats: NodeStats[];
  /** Outcome side only; the read side is counted where records are read. */
  reconciliation: Reconciliation;
  /** Output records per node (only with `captureOutputs`). */
  outputs?: Record<string, { port: string; data: unknown; failures?: RuleFailure[] }[]>;
  /** Partial groups of the aggregate nodes records reached, by node id (merged across chunks by the run). */
  groups?: ChunkGroups;
}

export async function processChunk(flow: PreparedFlow, roots: RootRecord[], io: ChunkIO): Promise<ChunkResult> {
  const now = io.now ?? Date.now;
  const queues = new Map<string, WorkItem[]>();
  const stats = new Map<string, NodeStats>();
  const traces: RecordTrace[] = [];
  const deadLetters: DeadLetterEntry[] = [];
  const rootOutcomes = new Map<RootRecord, RecordOutcome>();
  // Per source record (per invoice of a match group): did any of its records reach a target, did any fail (partial delivery)?
  const unitsReached = new Map<RootRecord, Set<string>>();
  const unitsFailed = new Map<RootRecord, Set<string>>();
  const note = (units: Map<RootRecord, Set<string>>, item: WorkItem) => {
    const set = units.get(item.root);
    if (set) set.add(item.resolvedItem ?? '');
    else units.set(item.root, new Set([item.resolvedItem ?? '']));
  };
  // Item level: items are counted read as they are made, and by outcome as they end.
  const reconciliation = new ReconciliationBuilder();
  const itemsOf = (root: RootRecord) => countsFor(reconciliation, root).items();
  const outputs: ChunkResult['outputs'] = io.captureOutputs ? {} : undefined;
  const statsOf = (id: string) => {
    let s = stats.get(id);
    if (!s) stats.set(id, (s = { nodeId: id, in: 0, out: 0, invalid: 0, errors: 0, ms: 0 }));
    return s;
  };
  const enqueue = (nodeId: string, item: WorkItem) => {
    const q = queues.get(nodeId);
    if (q) q.push(item);
    else queues.set(nodeId, [item]);
  };
  const capture = (nodeId: string, port: string, data: unknown, failures?: RuleFailure[]) => {
    if (!outputs) return;
    const list = (outputs[nodeId] ??= []);
    if (list.length < io.captureOutputs!) list.push(failures ? { port, data, failures } : { port, data });
  };

  const end = (item: WorkItem, ended: RecordOutcome, nodeId: string, ownExtra: Partial<RecordTrace> = {}, sourceRecordForReplay = false) => {
    const { root } = item;
    // Written at a target and then filtered out downstream: the delivery is what happened to it.
    const outcome = (ended === 'filtered' || ended === 'aggregated') && item.delivery ? item.delivery.outcome : ended;
    const extra = outcome === ended ? ownExtra : { ...item.delivery!.trace, ...ownExtra };
    traces.push({
      runId: io.runId,
      lineageKey: item.lineageKey,
      sourceKey: item.sourceKey,
      ...(item.itemKey ? { itemKey: item.itemKey } : {}),
      businessKey: root.businessKey,
      path: item.path,
      outcome,
      endNode: nodeId,
      input: root.aggregatedFrom ? { group: flow.redact(root.data), sourceLineageKeys: root.aggregatedFrom } : flow.redact(root.data),
      output: flow.redact(item.data),
      steps: item.steps.length ? item.steps.map((s) => ({ node: s.node, data: flow.redact(s.data) })) : item.steps,
      amount: item.amount ?? undefined,
      currency: item.currency ?? undefined,
      eventTime: root.eventTime,
      finishedAt: now(),
      ...(item.retries?.length ? { retries: item.retries } : {}),
      ...(item.warnings?.length ? { failures: item.warnings } : {}),
      ...extra,
    });
    if (sourceRecordForReplay && extra.error) {
      deadLetters.push({
        runId: io.runId,
        lineageKey: item.lineageKey,
        // Replays re-run the source record, under the key it had, for the items that failed.
        sourceKey: root.sourceKey,
        itemKey: item.itemKey,
        businessKey: root.businessKey,
        nodeId,
        disposition: outcome === 'quarantined' ? 'quarantined' : 'dead_lettered',
        errorClass: extra.error.errorClass,
        error: extra.error,
        // A group record replays itself, from its aggregate node on (not the source lines again).
        ...(root.aggregatedFrom
          ? { sourceRecord: { group: root.data, sourceLineageKeys: root.aggregatedFrom }, entryNode: root.entryNode ?? io.entryNodeId }
          : { sourceRecord: root.data }),
      });
    }
    rootOutcomes.set(root, worse(rootOutcomes.get(root), outcome));
    if (outcome === 'delivered' || outcome === 'duplicate' || item.delivery) note(unitsReached, item);
    if (outcome === 'quarantined' || outcome === 'dead_lettered') note(unitsFailed, item);
    itemsOf(root).addOutcome(outcome, item.amount, item.currency);
  };

  const failed = (item: WorkItem, nodeId: string, error: FlowError, failures?: RuleFailure[]) => {
    const outcome: RecordOutcome = error.errorClass === 'validation' ? 'quarantined' : 'dead_lettered';
    const serialized = error.toJSON();
    end(item, outcome, nodeId, { errorClass: error.errorClass, error: serialized, ...(failures ? { failures } : {}) }, true);
  };

  const chunkSource = io.entryNodeId ? entryOf(flow, io.entryNodeId) : sourceOf(flow, io.sourceNodeId);
  const groups: ChunkGroups = io.groups ?? new Map();
  // Group records of a node that resolves them (match) go through it first, not straight out of its port.
  const toResolve = new Map<PreparedProcess, { item: WorkItem; replay?: { items?: string[] } }[]>();
  for (const root of roots) {
    // A group record (replayed on its own, or queued by its aggregate node) enters at that node.
    const source = root.entryNode && root.entryNode !== chunkSource.id ? entryOf(flow, root.entryNode) : chunkSource;
    const resolving = root.aggregatedFrom && root.entryNode ? resolvingNode(flow, root.entryNode) : undefined;
    const sourceTargets = source.edgesByPort.get(source.outPort) ?? [];
    const sourceInPorts = source.inPortsByPort.get(source.outPort) ?? [];
    const sourcePath = [source.id];
    const items = itemsOf(root);
    if (!resolving) statsOf(source.id).out++;
    if (root.sourceError) {
      // Unreadable as received: a dead letter of its own, the rest of the chunk goes on.
      const { errorClass, message, ...details } = root.sourceError;
      const s = statsOf(source.id);
      s.out--;
      s.errors++;
      items.addRead(root.amount, root.currency);
      failed({
        root, lineageKey: String(root.seq), sourceKey: root.sourceKey, itemKey: '',
        amount: root.amount, currency: root.currency, data: root.data, path: sourcePath, steps: [],
      }, source.id, new FlowError(errorClass, message, { ...details, nodeId: source.id }));
      continue;
    }
    if (resolving) {
      items.addRead(root.amount, root.currency);
      const item: WorkItem = { root, lineageKey: String(root.seq), sourceKey: root.sourceKey, itemKey: '', amount: root.amount, currency: root.currency, data: root.data, path: [], steps: [] };
      // Not this chunk's own node's group: a replay of the group's dead letters (of some items, or all).
      const replay = root.entryNode !== io.entryNodeId ? (root.onlyItems ? { items: root.onlyItems } : {}) : undefined;
      const list = toResolve.get(resolving);
      if (list) list.push({ item, replay });
      else toResolve.set(resolving, [{ item, replay }]);
      continue;
    }
    // Group records are what their aggregate node put out (test runs show them on it).
    if (source !== chunkSource || io.entryNodeId) capture(source.id, 'out', root.data);
    // A source connected to several nodes sends each a copy with its own lineage suffix.
    sourceTargets.forEach((t, i) => {
      const suffix = sourceTargets.length > 1 ? `.${i}` : '';
      const itemKey = sourceTargets.length > 1 ? String(i) : '';
      if (!selected(root, itemKey)) return;
      items.addRead(root.amount, root.currency);
      enqueue(t, {
        root, lineageKey: `${root.seq}${suffix}`, sourceKey: `${root.sourceKey}${suffix}`, itemKey,
        amount: root.amount, currency: root.currency, data: root.data, inPort: sourceInPorts[i], path: sourcePath, steps: [],
      });
    });
  }

  // Targets are terminal: each starts writing as soon as its records are known and the
  // rest of the chunk computes meanwhile; different targets write side by side.
  const writes: Promise<void>[] = [];
  // A record a target wrote goes on by its `out` port, with the target's answer, when that port is connected.
  const passOn = (node: PreparedTarget): PassOnFn => (item, answer, delivery) => {
    const data: TargetOutRecord = { record: item.data, response: answer };
    const passed: WorkItem = { ...item, data, steps: [...item.steps, { node: node.id, data }], delivery };
    // The target's own figures count its deliveries (already counted), not what it passes on.
    const uncounted: NodeStats = { nodeId: node.id, in: 0, out: 0, invalid: 0, errors: 0, ms: 0 };
    dispatchEmissions(node, [{ port: TARGET_OUT_PORT.id, data }], passed, uncounted, enqueue, end, capture, countsFor(reconciliation, item.root));
  };
  const startTarget = async (node: PreparedTarget, items: WorkItem[], s: NodeStats) => {
    await io.targetsMayStart;
    const t0 = performance.now();
    const forward = passesAnswersOn(node) ? passOn(node) : undefined;
    await writeToTarget(node, await keyedItems(node, items, s, failed), io, targetCallbacks(node, s, end, failed, forward));
    s.ms += performance.now() - t0;
    if (!forward) for (const it of items) capture(node.id, 'out', it.data);
  };
  // Targets sharing a transaction (flow option) write together once all their records are known.
  const shared = sharedTransactionConnections(flow);
  const sharedItems = new Map<string, { node: PreparedTarget; items: WorkItem[]; s: NodeStats }[]>();

  // A node's answers for a batch of its records (processBatch, or a match resolving its groups).
  const answerBatch = (node: PreparedProcess, items: WorkItem[], answers: (Emission[] | FlowError)[], s: NodeStats) => {
    items.forEach((item, i) => {
      const answer = answers[i];
      // A group record ending at its node (a match group of orders and receipts only, or failed) shows the node as its path.
      const ending = item.path.length ? item : { ...item, path: [node.id] };
      if (answer instanceof FlowError && io.dryRun && answer.details.code === NOT_EVALUATED_IN_PREVIEW) {
        // A test run without the node's connection: the record stops here, saying so, instead of failing or going on unenriched.
        capture(node.id, NOT_EVALUATED_PORT, item.data, [{ rule: 'connection', message: answer.message, severity: 'warning' }]);
        end({ ...item, path: [...item.path, node.id] }, 'filtered', node.id, { error: answer.toJSON() });
      } else if (answer instanceof FlowError) {
        s.errors++;
        failed(ending, node.id, answer);
      } else if (answer.length === 0) end(ending, 'filtered', node.id, { error: undefined });
      else dispatchEmissions(node, answer, item, s, enqueue, end, capture, countsFor(reconciliation, item.root));
    });
  };
  for (const [resolving, list] of toResolve) {
    const s = statsOf(resolving.id);
    const t0 = performance.now();
    const grouping = resolving.behaviour.grouping!;
    const records = list.map(({ item, replay }) => ({ data: item.data, bindings: bindingsFor(item), ...(replay ? { replay } : {}) }));
    const answers = await processInBatch(resolving, records, io, (r, ctx) => grouping.resolve!(r, ctx));
    s.ms += performance.now() - t0;
    answerBatch(resolving, list.map((x) => x.item), answers, s);
  }

  for (const nodeId of flow.order) {
    const items = queues.get(nodeId);
    if (!items?.length) continue;
    queues.delete(nodeId);
    const node = flow.nodes.get(nodeId)!;
    const s = statsOf(nodeId);
    s.in += items.length;
    if (node.category === 'target' && shared.has(node.id)) {
      const connection = shared.get(node.id)!;
      sharedItems.set(connection, [...(sharedItems.get(connection) ?? []), { node, items, s }]);
      continue;
    }
    if (node.category === 'target') {
      const write = startTarget(node, items, s);
      write.catch(() => {}); // answered below, with the others
      writes.push(write);
      // The nodes after its `out` port need its answers: they wait for its write; a failed write stops the chunk.
      if (passesAnswersOn(node) && (await write.then(() => false, () => true))) break;
      continue;
    }
    if (node.category === 'source') continue;
    if (node.behaviour.grouping) {
      await foldIntoGroups(node, node.behaviour.grouping, items, groups, s, end, failed);
      continue;
    }
    if (node.behaviour.processBatch) {
      const t0 = performance.now();
      const answers = await processInBatch(node, items.map((item) => ({ data: item.data, bindings: bindingsFor(item) })), io);
      s.ms += performance.now() - t0;
      answerBatch(node, items, answers, s);
      continue;
    }
    for (const item of items) {
      const t0 = performance.now();
      let emissions: Emission[];
      try {
        const r = node.behaviour.process(item.data, bindingsFor(item));
        emissions = r instanceof Promise ? await r : r;
      } catch (err) {
        s.errors++;
        s.ms += performance.now() - t0;
        failed(item, nodeId, toFlowError(err, 'mapping', { nodeId }));
        continue;
      }
      s.ms += performance.now() - t0;
      if (emissions.length === 0) {
        end(item, 'filtered', nodeId, { error: undefined });
        continue;
      }
      dispatchEmissions(node, emissions, item, s, enqueue, end, capture, countsFor(reconciliation, item.root));
    }
  }

  for (const [connection, group] of sharedItems) {
    const write = (async () => {
      await io.targetsMayStart;
      const t0 = performance.now();
      const parts = [];
      for (const { node, items, s } of group) parts.push({ node, items: await keyedItems(node, items, s, failed), on: targetCallbacks(node, s, end, failed) });
      await writeSharedTransaction(connection, parts, io);
      const ms = (performance.now() - t0) / group.length;
      for (const { node, items, s } of group) {
        s.ms += ms;
        for (const it of items) capture(node.id, 'out', it.data);
      }
    })();
    write.catch(() => {});
    writes.push(write);
  }

  // Every write settles before the chunk answers, so none is left running behind an error.
  const settled = await Promise.allSettled(writes);
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;

  for (const root of roots) {
    const outcome = rootOutcomes.get(root);
    const counts = countsFor(reconciliation, root);
    if (outcome) counts.addOutcome(outcome, root.amount, root.currency);
    const reached = unitsReached.get(root);
    for (const unit of unitsFailed.get(root) ?? []) if (reached?.has(unit)) counts.partiallyDelivered++;
  }
  return { traces, deadLetters, nodeStats: [...stats.values()], reconciliation: reconciliation.toReconciliation(), outputs, ...(!io.groups && groups.size ? { groups } : {}) };
}

/** An aggregate node as the entry of its group records. */
function entryOf(flow: PreparedFlow, nodeId: string) {
  const node = flow.nodes.get(nodeId);
  if (!node || node.category === 'source' || node.category === 'target' || !node.behaviour.grouping) {
    throw new FlowError('permanent', `flow '${flow.doc.id}' has no aggregate node '${nodeId}'`);
  }
  return { id: node.id, edgesByPort: node.edgesByPort, inPortsByPort: node.inPortsByPort, outPort: 'out' };
}

/** The grouping node whose group records it resolves itself (match) before they go on; undefined for an aggregate. */
function resolvingNode(flow: PreparedFlow, nodeId: string): PreparedProcess | undefined {
  const node = flow.nodes.get(nodeId);
  return node && node.category !== 'source' && node.category !== 'target' && node.behaviour.grouping?.resolve ? node : undefined;
}

/** The source node records enter by: the one named, or the flow's only/first source. */
export function sourceOf(flow: PreparedFlow, sourceNodeId: string | undefined) {
  const source = sourceNodeId ? flow.sources.find((s) => s.id === sourceNodeId) : flow.sources[0];
  if (!source) throw new FlowError('permanent', `flow '${flow.doc.id}' has no source node '${sourceNodeId}'`);
  return source;
}


export type EndFn = (item: WorkItem, outcome: RecordOutcome, nodeId: string, extra?: Partial<RecordTrace>, dead?: boolean) => void;

/** Whether an item takes part in the run: all do, except in a replay of some items of a record. */
function selected(root: RootRecord, itemKey: string): boolean {
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

function dispatchEmissions(
  node: PreparedProcess | PreparedTarget, emissions: Emission[], item: WorkItem, s: NodeStats,
  enqueue: (id: string, w: WorkItem) => void, end: EndFn,
  capture: (nodeId: string, port: string, data: unknown, failures?: RuleFailure[]) => void,
  totals: ReconciliationBuilder,
) {
  const path = [...item.path, node.id];
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

const SEVERITY: Record<RecordOutcome, number> = { dead_lettered: 5, quarantined: 4, delivered: 3, duplicate: 2, aggregated: 1, filtered: 0 };

/** A source record's outcome is the worst of its children's: a half-posted document is an exception. */
function worse(a: RecordOutcome | undefined, b: RecordOutcome): RecordOutcome {
  return a === undefined || SEVERITY[b] > SEVERITY[a] ? b : a;
}
