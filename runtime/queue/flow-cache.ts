/**
 * Prepared flows a worker keeps between chunks: one per flow version and
 * environment, with that environment's connections. Entries are reused for a
 * short while only, so reloaded reference data and changed connection
 * settings reach the next runs; an entry in use is never closed under a chunk.
 */
import type { ConnectionResolver } from '../../nodes/define-node.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { FlowError } from '../../nodes/errors.ts';
import { standardFunctions } from '../../nodes/expression/functions.ts';
import { prepareFlow, type PreparedFlow } from '../engine/prepare-flow.ts';
import type { EvaluatorRegistry } from '../evaluators.ts';
import { loadReferenceSets, type ReferenceChoice } from '../flow-files.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import type { ReferenceVersions } from '../store/reference-sets.ts';
import type { Store } from '../store/store.ts';

/** Connections of one environment for one flow, owned by whoever asked for them. */
export type ClosableConnections = ConnectionResolver & { close(): Promise<void> };

/** Binds a flow's connection names in an environment (`null`: a run without one, e.g. from the CLI). */
export type ConnectionsFor = (environment: string | null, doc: FlowDocument) => ClosableConnections | Promise<ClosableConnections>;

export interface PreparedRunFlow {
  doc: FlowDocument;
  flow: PreparedFlow;
  connections: ClosableConnections;
}

interface Entry {
  key: string;
  value: Promise<PreparedRunFlow>;
  createdAt: number;
  users: number;
  retired: boolean;
}

export interface FlowCacheOptions {
  store: Store;
  catalog: NodeCatalog;
  evaluators: EvaluatorRegistry;
  connectionsFor: ConnectionsFor;
  /** How long an entry is reused, ms (default 60 s). */
  ttlMs?: number;
  now?: () => number;
}

export interface FlowLease {
  prepared: PreparedRunFlow;
  release(): void;
}

export class FlowCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: FlowCacheOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The prepared flow of a run's version in its environment; release it when the chunk is done. */
  async acquire(run: { flowId: string; version: number | null; environment: string | null; referenceAsOf?: string | null; referenceVersions?: ReferenceVersions | null }): Promise<FlowLease> {
    if (run.version === null) throw new FlowError('permanent', `run of flow '${run.flowId}' names no flow version, so a worker cannot load it`);
    // A replay "as it was" prepares the flow with the reference data of that time: an entry of its own.
    // A run reads the reference data versions it recorded (runs with the same versions share an entry).
    const reference: ReferenceChoice = run.referenceVersions ? { pinned: run.referenceVersions } : { asOf: run.referenceAsOf ?? null };
    const key = `${run.flowId}@${run.version}/${run.environment ?? ''}${reference.pinned ? `#${canonicalJson(reference.pinned)}` : reference.asOf ? `#${reference.asOf}` : ''}`;
    let entry = this.entries.get(key);
    if (entry && this.now() - entry.createdAt > this.ttlMs) {
      this.retire(entry);
      entry = undefined;
    }
    if (!entry) {
      entry = { key, value: this.prepare(run.flowId, run.version, run.environment, reference), createdAt: this.now(), users: 0, retired: false };
      this.entries.set(key, entry);
      const created = entry;
      // A failed preparation is not cached: the next chunk tries again.
      created.value.catch(() => { if (this.entries.get(key) === created) this.entries.delete(key); });
    }
    entry.users++;
    let prepared: PreparedRunFlow;
    try {
      prepared = await entry.value;
    } catch (err) {
      entry.users--;
      throw err;
    }
    const held = entry;
    let released = false;
    return {
      prepared,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.retired && held.users === 0) void close(held);
      },
    };
  }

  /** Closes every entry's connections (entries in use close when released). */
  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) e.retired = true;
    await Promise.all(all.filter((e) => e.users === 0).map(close));
  }

  private retire(entry: Entry): void {
    this.entries.delete(entry.key);
    entry.retired = true;
    if (entry.users === 0) void close(entry);
  }

  private async prepare(flowId: string, version: number, environment: string | null, choice: ReferenceChoice): Promise<PreparedRunFlow> {
    const { store, catalog, evaluators, connectionsFor } = this.options;
    const row = await store.getVersion(flowId, version);
    if (!row) throw new FlowError('permanent', `flow '${flowId}' has no version ${version}`);
    const doc = row.document;
    const reference = (await loadReferenceSets(doc, null, store, choice)).reference;
    const flow = prepareFlow(doc, { catalog, evaluator: evaluators.for(doc), reference, functions: standardFunctions(reference), environment });
    const connections = await connectionsFor(environment, doc);
    return { doc, flow, connections };
  }
}

async function close(entry: Entry): Promise<void> {
  try {
    const prepared = await entry.value;
    await prepared.connections.close();
  } catch {
    // Nothing to close: it never prepared.
  }
}
