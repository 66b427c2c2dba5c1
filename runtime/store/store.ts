/**
 * The storage seam: one Postgres schema, reached through `pg` on a real server
 * or through PGlite in a local data folder. Everything above this interface is
 * unaware which one it is.
 */
import type { KeyedStateStore, SqlClient } from '../../nodes/define-node.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type {
  IdempotencyLedger, TraceSink, RunStatus, NodeStats, Reconciliation, OutcomeCounts,
  RecordOutcome, RecordTrace, DeadLetterEntry,
} from '../engine/run-types.ts';
import type { ErrorClass, SerializedError } from '../../nodes/errors.ts';
import type { SourceRecordOutcomes } from './traces-repo.ts';
import type { NewReferenceSet, ReferenceSetVersion, ReferenceVersions, StoredReferenceSet } from './reference-sets.ts';

export interface FlowRow {
  id: string;
  name: string;
  description: string | null;
  draft: FlowDocument;
  /** Bumped by every save of the draft; a save based on an older revision is refused (`DraftConflictError`). */
  revision: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

export interface VersionRow {
  flowId: string;
  version: number;
  document: FlowDocument;
  /** sha-256 of the canonical document. */
  hash: string;
  author: string;
  message: string;
  createdAt: string;
}

/** One save of a flow's draft: by whom, and the latest version at that moment (the change goes into the next one). */
export interface DraftChange {
  author: string;
  afterVersion: number;
}

export interface RunRow {
  id: string;
  flowId: string;
  version: number | null;
  environment: string | null;
  trigger: string;
  /** Reference to what triggered it (file name, webhook event id, schedule). */
  triggerRef: string | null;
  status: RunStatus;
  counts: OutcomeCounts;
  reconciliation: Reconciliation | null;
  error: SerializedError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Replay of another run's records. */
  replayOf: string | null;
  /** The versions of the stored reference data sets the run read (null: none recorded). */
  referenceVersions: ReferenceVersions | null;
}

export interface NewRun {
  id?: string;
  flowId: string;
  version?: number | null;
  environment?: string | null;
  trigger: string;
  triggerRef?: string | null;
  replayOf?: string | null;
  referenceVersions?: ReferenceVersions | null;
}

export interface RunFilter {
  flowId?: string;
  environment?: string;
  status?: RunStatus;
  trigger?: string;
  since?: string;
  until?: string;
  hasExceptions?: boolean;
}

export interface Page {
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

/** A record trace as read back, with its row id. */
export interface StoredTrace extends RecordTrace {
  id: number;
  flowId: string;
  version: number | null;
}

export interface TraceFilter {
  outcome?: RecordOutcome;
  /** Matches business key, source key or lineage key (prefix). */
  search?: string;
}

export const DEAD_LETTER_STATUSES = ['open', 'replayed', 'discarded'] as const;

export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export const PROMOTION_STATUSES = ['pending', 'approved', 'rejected'] as const;

export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

/** What a named connection is bound to; the list belongs to the flow document (a flow declares its connections' kinds). */
export { CONNECTION_KINDS, type ConnectionKind } from '../../nodes/flow-document.ts';

/** A dead letter as stored: the engine's entry (runtime/engine/run-types.ts), with its flow, status and history. */
export interface DeadLetterRow extends Omit<DeadLetterEntry, 'itemKey' | 'entryNode'> {
  id: number;
  flowId: string;
  version: number | null;
  environment: string | null;
  /** The failed item within the source record ('' for the whole record). */
  itemKey: string;
  /** A group record's aggregate node: a replay runs the stored group from there on. */
  entryNode: string | null;
  status: DeadLetterStatus;
  statusReason: string | null;
  /** Run that replayed it. */
  replayRunId: string | null;
  /** Runs (first run, re-runs, replays) in which this record or item failed; `runId` is the latest. */
  attempts: number;
  firstRunId: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeadLetterFilter {
  flowId?: string;
  runId?: string;
  errorClass?: ErrorClass;
  status?: DeadLetterStatus;
  olderThan?: string;
}

export interface TraceSinkOptions {
  runId: string;
  flowId: string;
  version: number | null;
  environment: string | null;
  /** Rows per INSERT; default 500. */
  batchSize?: number;
  /** Batches in flight before `write` waits; default 4. */
  maxPendingBatches?: number;
}

export interface Store {
  /** `pglite` or `postgres`. */
  readonly kind: 'pglite' | 'postgres';
  /** Raw SQL on the store's database, for the embedded connection and tests. */
  readonly sql: SqlClient;
  migrate(): Promise<void>;
  close(): Promise<void>;

  // flows and versions
  /** With `basedOnRevision`, saves only over that revision of the draft, else throws `DraftConflictError`. */
  saveDraft(doc: FlowDocument, user: string | null, basedOnRevision?: number): Promise<FlowRow>;
  getFlow(id: string): Promise<FlowRow | null>;
  listFlows(): Promise<FlowRow[]>;
  saveVersion(flowId: string, doc: FlowDocument, author: string, message: string): Promise<VersionRow>;
  getVersion(flowId: string, version: number): Promise<VersionRow | null>;
  listVersions(flowId: string): Promise<VersionRow[]>;
  /** Every save of the draft, oldest first (four-eyes: who changed what went into a version). */
  listDraftChanges(flowId: string): Promise<DraftChange[]>;

  // runs
  createRun(run: NewRun): Promise<RunRow>;
  /** Records the reference data versions a run reads, once: later calls get the versions recorded first. */
  pinReferenceVersions(runId: string, versions: ReferenceVersions): Promise<ReferenceVersions>;
  setRunStatus(id: string, status: RunStatus, patch?: { error?: SerializedError | null }): Promise<void>;
  finishRun(id: string, result: { status: RunStatus; counts: OutcomeCounts; reconciliation: Reconciliation | null; error?: SerializedError | null }): Promise<void>;
  getRun(id: string): Promise<RunRow | null>;
  listRuns(filter: RunFilter, page: Page): Promise<Paged<RunRow>>;
  /** Adds to the node's counters (chunks of one run add up). */
  addNodeStats(runId: string, stats: NodeStats[]): Promise<void>;
  getNodeStats(runId: string): Promise<NodeStats[]>;

  // traces
  openTraceSink(options: TraceSinkOptions): TraceSink;
  listTraces(runId: string, filter: TraceFilter, page: Page): Promise<Paged<StoredTrace>>;
  getTrace(runId: string, lineageKey: string): Promise<StoredTrace | null>;
  /** Where every record of the source record `lineageKey` belongs to ended in the run (partial delivery). */
  sourceRecordOutcomes(runId: string, lineageKey: string): Promise<SourceRecordOutcomes>;
  /** Every trace whose business key or item key starts with `prefix` (any case), across runs and flows, newest first. */
  findByBusinessKey(prefix: string, page: Page): Promise<Paged<StoredTrace>>;

  // dead letters (quarantined and dead-lettered records)
  listDeadLetters(filter: DeadLetterFilter, page: Page): Promise<Paged<DeadLetterRow>>;
  getDeadLetter(id: number): Promise<DeadLetterRow | null>;
  getDeadLetters(ids: number[]): Promise<DeadLetterRow[]>;
  setDeadLetterStatus(ids: number[], status: DeadLetterStatus, reason: string | null, replayRunId?: string | null): Promise<void>;
  /** After a replay run: marks replayed the selected dead letters it did not fail again (those stay open, updated by the run). */
  markReplayed(ids: number[], replayRunId: string): Promise<{ replayed: number; failedAgain: number }>;

  // idempotency
  readonly ledger: IdempotencyLedger;
  /** Keyed state (open-item balances …) that flows read and change, each change applied once. */
  readonly keyedState: KeyedStateStore;

  // reference data
  /** Stores a new version of a set (refused when rows cannot be keyed or repeat a key); the same content again makes none. */
  putReferenceSet(input: NewReferenceSet, tx?: SqlClient): Promise<{ version: ReferenceSetVersion; unchanged: boolean; previous: ReferenceSetVersion | null }>;
  /** The current version of a set with its rows; null when never loaded. */
  getReferenceData(set: string): Promise<StoredReferenceSet | null>;
  /** The set as last loaded at or before `asOf` (kept for replays "as it was"); null when not loaded by then. */
  getReferenceDataAsOf(set: string, asOf: string): Promise<StoredReferenceSet | null>;
  getReferenceDataVersion(set: string, version: number): Promise<StoredReferenceSet | null>;
  listReferenceSets(): Promise<ReferenceSetVersion[]>;
  /** Newest first. */
  listReferenceSetVersions(set: string): Promise<ReferenceSetVersion[]>;

  // retention
  /** Drops old trace snapshots and, later, old lineage; in small batches. */
  pruneTraces(request: { snapshotsBefore: Date; lineageBefore: Date; batchSize?: number }): Promise<{ snapshotsPruned: number; tracesDeleted: number }>;

  // watermarks
  getWatermark(flowId: string, nodeId: string, environment: string): Promise<string | null>;
  setWatermark(flowId: string, nodeId: string, environment: string, value: string): Promise<void>;
}
