/**
 * The engine core: one chunk of source records through the graph, node by
 * node in topological order. Every record ends in exactly one outcome and
 * leaves one trace; records that need a person become dead-letter entries.
 */
import { TARGET_OUT_PORT, type Emission, type TargetOutRecord } from '../../nodes/define-node.ts';
import { FlowError, toFlowError, type RuleFailure } from '../../nodes/errors.ts';
import type { PreparedFlow, PreparedProcess, PreparedTarget } from './prepare-flow.ts';
import { NOT_EVALUATED_IN_PREVIEW, NOT_EVALUATED_PORT } from './run-types.ts';
import type { DeadLetterEntry, NodeStats, RecordOutcome, RecordTrace, StepSnapshot } from './run-types.ts';
import { ReconciliationBuilder } from './reconcile.ts';
import { dispatchEmissions, selected } from './dispatch-emissions.ts';
import { passesAnswersOn, writeToTarget } from './target-writer.ts';
import { bindingsFor, keyedItems, targetCallbacks, type PassOnFn } from './target-callbacks.ts';
import { sharedTransactionConnections, writeSharedTransaction } from './shared-transaction.ts';
import { processInBatch } from './process-batch.ts';
import { foldIntoGroups, type ChunkGroups } from './grouping.ts';
import type { ChunkIO, ChunkResult, RootRecord, WorkItem } from './chunk-types.ts';

export type { ChunkIO, ChunkResult, EndFn, RootRecord, WorkItem } from './chunk-types.ts';

/** The figures a root's records count in: a group record's apart from the source records'. */
export function countsFor(b: ReconciliationBuilder, root: Pick<RootRecord, 'aggregatedFrom'>): ReconciliationBuilder {
  return root.aggregatedFrom ? b.groups() : b;
}


export async function processChunk(flow: PreparedFlow, roots: RootRecord[], io: ChunkIO): Promise<ChunkResult> {
  const now = io.now ?? Date.now;
  const queues = new Map<string, WorkItem[]>();
  const stats = new Map<string, NodeStats>();
  const traces: RecordTrace[] = [];
  const deadLetters: DeadLetterEntry[] = [];
  const rootOutcomes = new Map<RootRecord, RecordOutcome>();
  // Per source record (per invoice of a match group): did any of its records reach a target, did any fail (partial delivery)?
  // A record's units: one (the usual) as itself, several as a set.
  const unitsReached = new Map<RootRecord, string | Set<string>>();
  const unitsFailed = new Map<RootRecord, string | Set<string>>();
  const note = (units: Map<RootRecord, string | Set<string>>, item: WorkItem) => {
    const unit = item.resolvedItem ?? '';
    const had = units.get(item.root);
    if (had === undefined) units.set(item.root, unit);
    else if (typeof had !== 'string') had.add(unit);
    else if (had !== unit) units.set(item.root, new Set([had, unit]));
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
      steps: redactedSteps(item.steps, flow.redact),
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
  // One path array per source: the records of the chunk that take the same way share theirs (see extendPath).
  const sourcePaths = new Map<string, string[]>();
  for (const root of roots) {
    // A group record (replayed on its own, or queued by its aggregate node) enters at that node.
    const source = root.entryNode && root.entryNode !== chunkSource.id ? entryOf(flow, root.entryNode) : chunkSource;
    const resolving = root.aggregatedFrom && root.entryNode ? resolvingNode(flow, root.entryNode) : undefined;
    const sourceTargets = source.edgesByPort.get(source.outPort) ?? [];
    const sourceInPorts = source.inPortsByPort.get(source.outPort) ?? [];
    let sourcePath = sourcePaths.get(source.id);
    if (!sourcePath) sourcePaths.set(source.id, (sourcePath = [source.id]));
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
    const several = sourceTargets.length > 1;
    for (let i = 0; i < sourceTargets.length; i++) {
      const itemKey = several ? String(i) : '';
      if (!selected(root, itemKey)) continue;
      items.addRead(root.amount, root.currency);
      enqueue(sourceTargets[i], {
        root, lineageKey: several ? `${root.seq}.${i}` : String(root.seq), sourceKey: several ? `${root.sourceKey}.${i}` : root.sourceKey, itemKey,
        amount: root.amount, currency: root.currency, data: root.data, inPort: sourceInPorts[i], path: sourcePath, steps: [],
      });
    }
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
    const failedUnits = unitsFailed.get(root);
    if (reached === undefined || failedUnits === undefined) continue;
    for (const unit of typeof failedUnits === 'string' ? [failedUnits] : failedUnits) {
      if (typeof reached === 'string' ? reached === unit : reached.has(unit)) counts.partiallyDelivered++;
    }
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

/** The steps of a trace: masked where a snapshot holds sensitive fields, the item's own list when none does. */
function redactedSteps(steps: StepSnapshot[], redact: (value: unknown) => unknown): StepSnapshot[] {
  let out: StepSnapshot[] | undefined;
  for (let i = 0; i < steps.length; i++) {
    const data = redact(steps[i].data);
    if (data !== steps[i].data) (out ??= steps.map((s) => ({ node: s.node, data: s.data })))[i].data = data;
  }
  return out ?? steps;
}

const SEVERITY: Record<RecordOutcome, number> = { dead_lettered: 5, quarantined: 4, delivered: 3, duplicate: 2, aggregated: 1, filtered: 0 };

/** A source record's outcome is the worst of its children's: a half-posted document is an exception. */
function worse(a: RecordOutcome | undefined, b: RecordOutcome): RecordOutcome {
  return a === undefined || SEVERITY[b] > SEVERITY[a] ? b : a;
}
