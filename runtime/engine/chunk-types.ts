/**
 * What a chunk works on and answers: its source records, the records on their way through the
 * graph, what it needs from the run (ledger, target context, …) and what it gives back.
 */
import type { KeyedStateStore, LookupSource, TargetContext } from '../../nodes/define-node.ts';
import type { RuleFailure, SerializedError } from '../../nodes/errors.ts';
import type {
  CrashPoint, DeadLetterEntry, IdempotencyLedger, NodeStats, Reconciliation, RecordOutcome, RecordTrace, RetryAttempt, StepSnapshot,
} from './run-types.ts';
import type { TargetWork } from './target-writer.ts';
import type { ChunkGroups } from './grouping.ts';

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

export type EndFn = (item: WorkItem, outcome: RecordOutcome, nodeId: string, extra?: Partial<RecordTrace>, dead?: boolean) => void;
