/**
 * A whole run in one process: read the source as a stream, cut it into chunks,
 * push each chunk through the graph, hand traces to the sink, add up counts,
 * timings and control totals. Memory stays bounded by the chunk size.
 */
import { UnreadableInput, type ConnectionResolver, type FileSink, type InputDocument, type KeyedStateStore, type LookupSource } from '../../nodes/define-node.ts';
import { FlowError, toFlowError, type SerializedError } from '../../nodes/errors.ts';
import { recordProblem } from '../../nodes/formats/record-limits.ts';
import type { PreparedFlow } from './prepare-flow.ts';
import { processChunk, sourceOf, type ChunkResult, type RootRecord } from './process-chunk.ts';
import { needsALook, ReconciliationBuilder, toDecimalString } from './reconcile.ts';
import {
  emittedGroups, groupingNodeIds, groupingOf, groupRoot, groupsInKeyOrder, mergedInKeyOrder, spillBeyondLimits, storedPartials, type ChunkGroups, type GroupSpill,
} from './grouping.ts';
import { newGroupTable, type Group } from '../../nodes/transform/aggregate-groups.ts';
import type { IdempotencyLedger, NodeStats, OutcomeCounts, Reconciliation, RunStatus, TraceSink } from './run-types.ts';

/** What a run reads: a document for the source, records given directly (replay), or the source itself (a query). */
export type RunInput =
  | { kind: 'document'; document: InputDocument; sourceNodeId?: string; precheck?: boolean }
  | { kind: 'records'; records: AsyncIterable<GivenRecord> | Iterable<GivenRecord>; sourceNodeId?: string }
  | { kind: 'source'; sourceNodeId?: string };

/** A record handed in directly; replays keep the source key the record had. */
export interface GivenRecord {
  data: unknown;
  sourceKey?: string;
  /** Replay of some items of the record only (their item keys). */
  onlyItems?: string[];
  /**
   * The record could not be read (an unparseable broker message): it is dead-lettered at the
   * source with this error, `data` holding what was received; the other records go on.
   */
  error?: SerializedError;
  /**
   * A group record an aggregate node emitted (a replay of one that failed): it enters the graph
   * at that node's `out` port with the lineage keys of the lines it summed, not at the source.
   */
  group?: { entryNode: string; sourceLineageKeys: string[]; businessKey: string | null };
}

export interface RunFlowOptions {
  runId: string;
  flow: PreparedFlow;
  input: RunInput;
  ledger: IdempotencyLedger;
  /** Keyed state the flow's state nodes read and change (the store's; in memory for dry runs). */
  state?: KeyedStateStore;
  traces: TraceSink;
  connections: ConnectionResolver;
  /** Where lookups get rows; absent: from `connections` (a designer test run passes the dev environment's, see runtime/preview). */
  lookups?: LookupSource;
  files: FileSink;
  fetch?: typeof fetch;
  /** SHA-256 (or similar) of a string, hex: the default source key is the digest of the record. */
  digest: (text: string) => string;
  /** Last committed watermark of the source. */
  watermark?: string;
  chunkSize?: number;
  dryRun?: boolean;
  captureOutputs?: number;
  signal?: AbortSignal;
  now?: () => number;
  /** Where aggregate nodes put groups beyond their `maxGroupsInMemory` (the store); absent: all are held in memory. */
  groupSpill?: GroupSpill;
  onChunk?: (progress: { counts: OutcomeCounts; nodeStats: NodeStats[] }) => void | Promise<void>;
}

export interface RunResult {
  status: RunStatus;
  counts: OutcomeCounts;
  reconciliation: Reconciliation;
  nodeStats: NodeStats[];
  error?: SerializedError;
  /** Watermarks sources proposed; commit them only when the run did not fail. */
  watermarks: { nodeId: string; value: string }[];
  outputs?: ChunkResult['outputs'];
}

export const DEFAULT_CHUNK_SIZE = 500;

export async function runFlow(options: RunFlowOptions): Promise<RunResult> {
  const { flow, input } = options;
  const signal = options.signal ?? new AbortController().signal;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const read = new ReconciliationBuilder();
  const outcomes = new ReconciliationBuilder();
  const nodeStats = new Map<string, NodeStats>();
  const watermarks: { nodeId: string; value: string }[] = [];
  const outputs: NonNullable<ChunkResult['outputs']> = {};
  let error: SerializedError | undefined;
  let cancelled = false;
  const sourceNodeId = input.sourceNodeId ?? sourceOf(flow, undefined).id;

  // Two chunks in flight: while one chunk's targets and traces are written, the next one
  // computes. Its targets wait for the previous chunk (writes stay in source order), and
  // its results are merged after the previous chunk's (traces and progress stay in order).
  let previous: Promise<void> = Promise.resolve();
  // The run's groups, per aggregate node, each table with its own lineage pool (held for the run).
  const groups: ChunkGroups = new Map(groupingNodeIds(flow).map((id) => [id, newGroupTable(true)]));
  const spilled = new Set<string>();
  let spills = 0;
  const nextPart = () => ++spills;
  const startChunk = (roots: RootRecord[], entryNodeId?: string): Promise<void> => {
    const before = previous;
    const done = (async () => {
      const result = await processChunk(flow, roots, {
        runId: options.runId,
        ledger: options.ledger,
        state: options.state,
        lookups: options.lookups,
        claimToken: `${options.runId}:${roots[0].seq}`,
        dryRun: options.dryRun,
        captureOutputs: options.captureOutputs,
        sourceNodeId,
        entryNodeId,
        now: options.now,
        target: { connections: options.connections, files: options.files, fetch: options.fetch ?? globalThis.fetch, signal },
        targetsMayStart: before,
        groups,
      });
      await before;
      await options.traces.write(result.traces, result.deadLetters);
      outcomes.merge(result.reconciliation);
      if (options.groupSpill) await spillBeyondLimits(flow, groups, options.groupSpill, spilled, nextPart);
      addNodeStats(nodeStats, result.nodeStats);
      if (result.outputs) mergeOutputs(outputs, result.outputs, options.captureOutputs ?? 0);
      await options.onChunk?.({ counts: { ...outcomes.counts, read: read.counts.read }, nodeStats: [...nodeStats.values()] });
    })();
    done.catch(() => {}); // awaited by the reader below, or by the next chunk
    previous = done;
    return done;
  };

  let inFlight: Promise<void> | undefined;
  try {
    if (input.kind === 'document' && input.precheck !== false) await precheck(flow, sourceNodeId, input.document, options.connections, signal);
    let lastSeq = 0;
    const declared = declaredExpressions(flow);
    for await (const roots of readRootChunks(flow, input, options, signal, watermarks, chunkSize)) {
      for (const root of roots) addRootRead(read, root, declared);
      lastSeq = roots[roots.length - 1].seq;
      const started = startChunk(roots);
      if (inFlight) await inFlight; // at most two chunks in flight
      inFlight = started;
    }
    await previous;
    // Every record is read: each aggregate node's groups go on, upstream nodes first.
    let seq = lastSeq;
    for (const nodeId of groupingNodeIds(flow)) {
      const table = groups.get(nodeId);
      groups.delete(nodeId);
      let inKeyOrder: Iterable<Group> | AsyncIterable<Group>;
      if (options.groupSpill && spilled.has(nodeId)) {
        // Spilled before: what is left joins the spill, and the groups are merged from it key by key.
        if (table?.size) await options.groupSpill.put(nextPart(), storedPartials(new Map([[nodeId, table]])));
        inKeyOrder = mergedInKeyOrder(options.groupSpill.read(nodeId), groupingOf(flow, nodeId));
      } else if (table) inKeyOrder = groupsInKeyOrder(table);
      else continue;
      let batch: RootRecord[] = [];
      for await (const group of emittedGroups(inKeyOrder, groupingOf(flow, nodeId))) {
        const root = groupRoot(flow, nodeId, group, ++seq);
        addRootRead(read, root, []);
        batch.push(root);
        if (batch.length >= chunkSize) {
          startChunk(batch, nodeId);
          batch = [];
          await previous;
        }
      }
      if (batch.length) startChunk(batch, nodeId);
      await previous;
    }
  } catch (err) {
    if (signal.aborted) cancelled = true;
    else error = toFlowError(err, 'permanent').toJSON();
  } finally {
    // Nothing keeps writing once the run answers.
    await previous.catch(() => {});
    try {
      await options.traces.flush();
    } catch (err) {
      error ??= toFlowError(err, 'transient', { code: 'TRACE_WRITE' }).toJSON();
    }
  }

  const reconciliation = combine(read, outcomes);
  const counts = reconciliation.counts;
  const status: RunStatus = cancelled ? 'cancelled'
    : error ? 'failed'
    : needsALook(reconciliation) ? 'completed_with_exceptions'
    : 'succeeded';
  return {
    status, counts, reconciliation, nodeStats: [...nodeStats.values()], error, watermarks,
    ...(options.captureOutputs ? { outputs } : {}),
  };
}

type RootOptions = Pick<RunFlowOptions, 'connections' | 'digest' | 'watermark' | 'fetch'>;

/**
 * Reads source records and computes what the run needs of each: source key,
 * business key, amount and currency, event time. Exported for the queue,
 * which reads a source once and hands chunks of these to workers.
 */
export async function* readRoots(
  flow: PreparedFlow, input: RunInput, options: RootOptions,
  signal: AbortSignal, watermarks: { nodeId: string; value: string }[] = [], firstSeq = 1,
): AsyncGenerator<RootRecord> {
  let seq = firstSeq - 1;
  const { records, givenOf } = sourceRecords(flow, input, options, signal, watermarks);
  for await (const next of records) {
    if (signal.aborted) throw signal.reason ?? new Error('run cancelled');
    yield await rootOf(flow, input, options, givenOf(next), ++seq, firstSeq);
  }
}

/** readRoots by chunks of `size` (the last one shorter): a generator step per chunk rather than per record. */
export async function* readRootChunks(
  flow: PreparedFlow, input: RunInput, options: RootOptions,
  signal: AbortSignal, watermarks: { nodeId: string; value: string }[], size: number,
): AsyncGenerator<RootRecord[]> {
  let seq = 0;
  let chunk: RootRecord[] = [];
  const { records, givenOf } = sourceRecords(flow, input, options, signal, watermarks);
  for await (const next of records) {
    if (signal.aborted) throw signal.reason ?? new Error('run cancelled');
    chunk.push(await rootOf(flow, input, options, givenOf(next), ++seq, 1));
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

function sourceRecords(flow: PreparedFlow, input: RunInput, options: RootOptions, signal: AbortSignal, watermarks: { nodeId: string; value: string }[]) {
  const source = sourceOf(flow, input.sourceNodeId);
  // A source's records are taken as they come, without a generator of their own around them (one per record is measurable).
  const records: AsyncIterable<unknown> | Iterable<unknown> = input.kind === 'records' ? input.records : source.behaviour.read({
    input: input.kind === 'document' ? input.document : undefined,
    connections: options.connections,
    // Only the fetch the composition root hands in (bound by the outbound policy), never an unguarded default.
    fetch: options.fetch,
    watermark: options.watermark,
    proposeWatermark: (value) => {
      const existing = watermarks.find((w) => w.nodeId === source.id);
      if (existing) existing.value = value;
      else watermarks.push({ nodeId: source.id, value });
    },
    signal,
  });
  const givenOf = input.kind === 'records' ? (next: unknown) => next as GivenRecord : givenOfSource;
  return { records, givenOf };
}

/** What the run needs of one source record. */
async function rootOf(flow: PreparedFlow, input: RunInput, options: RootOptions, given: GivenRecord, seq: number, firstSeq: number): Promise<RootRecord> {
  const data = given.data;
  if (given.group) {
    // Its key, business key and lines were computed when it was emitted; it carries no amount of its own.
    const { entryNode, sourceLineageKeys, businessKey } = given.group;
    const root: RootRecord = { seq, sourceKey: given.sourceKey ?? options.digest(JSON.stringify(data)), businessKey, amount: null, currency: null, data, aggregatedFrom: sourceLineageKeys, entryNode };
    // A match group replays only the invoices that failed (the others keep their outcome).
    if (given.onlyItems?.length) root.onlyItems = given.onlyItems;
    return root;
  }
  // Records handed in directly did not pass a parser's limits (files did).
  if (input.kind === 'records') {
    const problem = recordProblem(data);
    if (problem) throw new FlowError('validation', `record ${seq - firstSeq + 1}: ${problem}`, { code: 'RECORD_LIMIT' });
  }
  const unmatched: string[] = [];
  let sourceKey = given.sourceKey ?? null;
  if (sourceKey === null && flow.recordKey) {
    sourceKey = stringOrNull(await evaluateQuietly(flow.recordKey, data));
    if (sourceKey === null) unmatched.push('recordKey');
  }
  sourceKey ??= options.digest(JSON.stringify(data) ?? 'undefined');
  const businessKey = flow.businessKey ? stringOrNull(await evaluateQuietly(flow.businessKey, data)) : null;
  if (flow.businessKey && businessKey === null) unmatched.push('businessKey');
  let amount: string | null = null;
  let currency: string | null = null;
  if (flow.amount) {
    amount = toDecimalString(await evaluateQuietly(flow.amount.value, data));
    currency = stringOrNull(await evaluateQuietly(flow.amount.currency, data));
    if (amount === null) unmatched.push('amount.value');
    if (currency === null) unmatched.push('amount.currency');
  }
  const root: RootRecord = { seq, sourceKey, businessKey, amount, currency, data };
  if (flow.eventTime) {
    const t = await evaluateQuietly(flow.eventTime, data);
    const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : NaN;
    if (Number.isFinite(ms)) root.eventTime = ms;
    else unmatched.push('eventTime');
  }
  if (unmatched.length) root.unmatched = unmatched;
  if (given.onlyItems?.length) root.onlyItems = given.onlyItems;
  if (given.error) root.sourceError = given.error;
  return root;
}

/** The source-record expressions a flow declares, by the names warnings use. */
export function declaredExpressions(flow: PreparedFlow): string[] {
  return [
    ...(flow.recordKey ? ['recordKey'] : []), ...(flow.businessKey ? ['businessKey'] : []),
    ...(flow.amount ? ['amount.value', 'amount.currency'] : []), ...(flow.eventTime ? ['eventTime'] : []),
  ];
}

/** Counts a source record read, with its amount and which declared expressions matched it. */
export function addRootRead(read: ReconciliationBuilder, root: Pick<RootRecord, 'amount' | 'currency' | 'unmatched' | 'onlyItems' | 'aggregatedFrom'>, declared: string[]): void {
  // A group record an aggregate node emitted counts as an emitted group, apart from the source records.
  if (root.aggregatedFrom) {
    read.groups().addRead(root.amount, root.currency);
    return;
  }
  read.addRead(root.amount, root.currency);
  for (const name of declared) {
    // A replayed record keeps the source key it had: its record key was not evaluated.
    if (name === 'recordKey' && root.onlyItems) continue;
    read.noteExpression(name, !root.unmatched?.includes(name));
  }
}

/**
 * Parses the whole document once before anything is written or queued: a
 * malformed file fails the run with nothing half-posted (here and in the
 * queue's split job).
 */
export async function precheck(flow: PreparedFlow, sourceNodeId: string, document: InputDocument, connections: ConnectionResolver, signal: AbortSignal): Promise<void> {
  const source = sourceOf(flow, sourceNodeId);
  for await (const _ of source.behaviour.read({ input: document, connections, proposeWatermark: () => {}, signal, check: true })) {
    if (signal.aborted) throw signal.reason ?? new Error('run cancelled');
  }
}

async function evaluateQuietly(expr: { evaluate(i: unknown, b?: Record<string, unknown>): unknown }, data: unknown): Promise<unknown> {
  try {
    const r = expr.evaluate(data);
    return r instanceof Promise ? await r : r;
  } catch {
    return undefined;
  }
}

function stringOrNull(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.length ? String(v[0]) : null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A record a source read; one read past but not readable (a malformed page) is dead-lettered at the source, as a poison message is. */
function givenOfSource(data: unknown): GivenRecord {
  return data instanceof UnreadableInput
    ? { data: data.data, error: data.error.toJSON(), ...(data.sourceKey ? { sourceKey: data.sourceKey } : {}) }
    : { data };
}

function combine(read: ReconciliationBuilder, outcomes: ReconciliationBuilder): Reconciliation {
  const total = new ReconciliationBuilder();
  total.merge(read.toReconciliation());
  total.merge(outcomes.toReconciliation());
  return total.toReconciliation();
}

export function addNodeStats(into: Map<string, NodeStats>, stats: NodeStats[]): void {
  for (const s of stats) {
    const e = into.get(s.nodeId);
    if (!e) into.set(s.nodeId, { ...s });
    else {
      e.in += s.in;
      e.out += s.out;
      e.invalid += s.invalid;
      e.errors += s.errors;
      e.ms += s.ms;
    }
  }
}

function mergeOutputs(into: NonNullable<ChunkResult['outputs']>, from: NonNullable<ChunkResult['outputs']>, max: number) {
  for (const [node, list] of Object.entries(from)) {
    const target = (into[node] ??= []);
    for (const o of list) if (target.length < max) target.push(o);
  }
}

