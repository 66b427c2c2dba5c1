/**
 * What the engine produces and what it needs from the edges (store, ledger).
 * Plain data and interfaces: no SQL, no HTTP.
 */
import type { SerializedError, ErrorClass, RuleFailure } from '../../nodes/errors.ts';

/** Where a record ended; the one list (the API contract and the designer take it from here). */
export const RECORD_OUTCOMES = ['delivered', 'quarantined', 'dead_lettered', 'duplicate', 'filtered', 'aggregated'] as const;

export type RecordOutcome = (typeof RECORD_OUTCOMES)[number];

/**
 * The error code of a node that asked a dry run (a designer test run) for a connection it does not
 * open: its records stop there, shown on the node's `not evaluated` port with the reason, neither
 * passed on with made-up data nor counted as failures.
 */
export const NOT_EVALUATED_IN_PREVIEW = 'NOT_EVALUATED_IN_PREVIEW';

/** The port a test run shows such records on. */
export const NOT_EVALUATED_PORT = 'not evaluated';

/** A run's statuses, in their order of life; the one list (the API contract and the designer take it from here). */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'completed_with_exceptions', 'failed', 'cancelled'] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];

/** Runs still going: not finished, so they may be cancelled and are followed live. */
export const ACTIVE_RUN_STATUSES = ['queued', 'running'] as const satisfies readonly RunStatus[];

/** Runs that ended: their status and figures no longer change. */
export const TERMINAL_RUN_STATUSES = RUN_STATUSES.filter((s) => !(ACTIVE_RUN_STATUSES as readonly RunStatus[]).includes(s));

/** Whether a run has ended (its status is final). */
export const isTerminal = (status: RunStatus): boolean => TERMINAL_RUN_STATUSES.includes(status);

/** A snapshot of a record after a node that changed it. */
export interface StepSnapshot {
  node: string;
  data: unknown;
}

/** One attempt at a target write that failed and was retried. */
export interface RetryAttempt {
  attempt: number;
  at: string;
  error: SerializedError;
}

/**
 * The trace of one record that reached an end (a target, quarantine, the
 * dead-letter store, or a filter). Snapshots are redacted before they get here.
 */
export interface RecordTrace {
  runId: string;
  /** Unique within the run: `<seq>` for source records, `<seq>.<i>` for fan-out children. */
  lineageKey: string;
  /** Stable identity of the source record (content hash or declared key). */
  sourceKey: string;
  /** For an item of a record that fanned out: its key within the record (declared, or its position). */
  itemKey?: string;
  businessKey: string | null;
  /** Node ids the record passed, in order. */
  path: string[];
  outcome: RecordOutcome;
  /** Node where the record ended (target, validate, failing node). */
  endNode: string;
  /** Target that wrote it (for delivered/duplicate). */
  targetNode?: string;
  idempotencyKey?: string;
  /** The row key written or the id the target returned. */
  targetRef?: string;
  targetStatus?: number;
  errorClass?: ErrorClass;
  error?: SerializedError;
  failures?: RuleFailure[];
  retries?: RetryAttempt[];
  /** Source record (redacted). */
  input: unknown;
  /** The record as it left its last node (redacted). */
  output: unknown;
  /** Outputs of the nodes that changed the record, in order (redacted). */
  steps: StepSnapshot[];
  /** Control-total amount of the item (of the source record when it did not fan out), exact decimal string. */
  amount?: string;
  currency?: string;
  /** Epoch ms the source event happened, when the flow declares it; for latency. */
  eventTime?: number;
  finishedAt: number;
}

/**
 * A record that needs a person: quarantined (validation) or dead-lettered.
 * Keeps the unredacted source record so it can be replayed after a fix.
 */
export interface DeadLetterEntry {
  runId: string;
  lineageKey: string;
  /** Source key of the source record (not of a fan-out child): what a replay runs under. */
  sourceKey: string;
  /** The failed item within the source record ('' for the whole record): a replay runs only the items that failed. */
  itemKey?: string;
  businessKey: string | null;
  nodeId: string;
  disposition: 'quarantined' | 'dead_lettered';
  errorClass: ErrorClass;
  error: SerializedError;
  /** The source record; for a group record `{ group, sourceLineageKeys }`. */
  sourceRecord: unknown;
  /** A group record's aggregate node: its replay enters there, with the group, instead of reading the source again. */
  entryNode?: string;
}

/** Where the engine hands traces; the store buffers and writes them in batches. */
export interface TraceSink {
  /** Accepts traces; may await to apply back-pressure when the writer is behind. */
  write(traces: RecordTrace[], deadLetters: DeadLetterEntry[]): void | Promise<void>;
  /** Waits until everything handed in is stored. */
  flush(): Promise<void>;
}

/**
 * Named moments of a target write where tests make a worker "die"
 * (fault injection): before a batch is written, after the target committed it
 * and before the ledger heard of it, and after the ledger confirmed it (between
 * batches; only for targets confirmed batch by batch).
 */
export type CrashPoint = 'before-batch' | 'after-batch' | 'after-confirm';

/** Keeps targets from writing a key twice, across runs, replays and workers. */
/** A delivery the ledger records: the key, the target's ref, and its answer when it is passed on downstream. */
export interface LedgerDelivery {
  key: string;
  ref?: string;
  answer?: unknown;
}

export interface IdempotencyLedger {
  /**
   * Claims keys before writing. Returns the keys this claim may write: keys
   * already delivered, or held by another live claim, are left out (duplicates).
   * A retried chunk uses the same `claimToken` and so re-owns its own claims.
   */
  claim(scope: string, keys: string[], claimToken: string): Promise<Set<string>>;
  /**
   * Of these keys, those already delivered under this same claim token, with
   * their refs: a chunk retried after a crash between the write and its
   * commit finds its own earlier deliveries here and counts them delivered,
   * not duplicate, without writing them again.
   */
  deliveredUnder(scope: string, keys: string[], claimToken: string): Promise<Map<string, string | null>>;
  /** Marks keys delivered, with what the target returned (`answer`: kept for a target whose `out` port is connected). */
  confirm(scope: string, entries: LedgerDelivery[], claimToken: string): Promise<void>;
  /** Of these keys, those delivered (under any claim) with an answer stored, and that answer. */
  answers(scope: string, keys: string[]): Promise<Map<string, unknown>>;
  /** Gives keys back after a failed write, so a replay may write them. */
  release(scope: string, keys: string[], claimToken: string): Promise<void>;
}

export interface OutcomeCounts {
  read: number;
  delivered: number;
  quarantined: number;
  deadLettered: number;
  duplicate: number;
  filtered: number;
  /**
   * Folded into a group by an aggregate node (the group goes on as a record of its own, counted in
   * `groups`). Absent on figures stored before lines were counted so (they counted `filtered`).
   */
  aggregated?: number;
}

/** Exact decimal totals per currency, as strings. */
export type CurrencyTotals = Record<string, string>;

export interface Reconciliation {
  /** Counts by the outcome of each source record (fan-out children roll up to their source). */
  counts: OutcomeCounts;
  totals: {
    read: CurrencyTotals;
    delivered: CurrencyTotals;
    quarantined: CurrencyTotals;
    deadLettered: CurrencyTotals;
    duplicate: CurrencyTotals;
    filtered: CurrencyTotals;
    aggregated?: CurrencyTotals;
  };
  /** read = delivered + quarantined + deadLettered + duplicate + filtered + aggregated, in count and in every currency. */
  closes: boolean;
  /** Why it does not close, when it does not. */
  differences: string[];
  /** Source records whose amount could not be read; they are in the counts but not the totals. */
  withoutAmount: number;
  /**
   * Source records delivered at some targets (or some of their fan-out items) and failed at
   * others: counted under their worst outcome, and keeping the run from closing. In a match
   * group each invoice counts apart (one posted and another quarantined is no partial delivery;
   * one invoice written to one target and failed at another is). A replay
   * writes only what is missing. Absent in runs recorded before it was counted.
   */
  partiallyDelivered?: number;
  /**
   * The same figures counted per item: a record that fans out (one bank
   * notification → six entries) counts one item per entry, each with its own
   * outcome and declared amount; a record that does not fan out is one item.
   * Absent on figures stored before items were counted.
   */
  items?: Reconciliation;
  /**
   * The group records aggregate nodes emitted, counted apart from the source records (whose lines
   * count `aggregated`): `read` is the groups emitted, the other counts their outcomes, closing on
   * their own. Absent when the run emitted no group.
   */
  groups?: GroupFigures;
  /** Declared expressions that gave nothing: how many times each was evaluated (`declared`) and gave nothing (`unmatched`). */
  expressions?: { declared: Record<string, number>; unmatched: Record<string, number> };
  /**
   * Item-level reconciliation of fan-outs declaring `itemAmount`: for each source record with an amount whose items
   * all have one (in its currency), whether the items sum to the record's amount, exactly. Absent when nothing was checked.
   */
  itemSums?: ItemSums;
  /** Named reasons a run that did not fail still needs a look (nothing delivered, an expression that matched nothing). */
  warnings?: RunWarning[];
}

/** The figures of group records (their item-level differences, if they fanned out, are in `differences`). */
export type GroupFigures = Omit<Reconciliation, 'groups' | 'items'>;

/** Source records whose fan-out items were summed against the record's amount. */
export interface ItemSums {
  checked: number;
  /** Records whose items do not sum to their amount. */
  differing: number;
  /** The first few of those (at most 5). */
  examples: ItemSumDifference[];
}

export interface ItemSumDifference {
  sourceKey: string;
  /** The fan-out node that declared the items. */
  node: string;
  currency: string;
  /** The record's amount and its items' sum, at the currency's minor units. */
  recordAmount: string;
  itemsTotal: string;
  items: number;
}

/**
 * A named warning about a whole run. Any warning makes the run `completed_with_exceptions`, except a `notice`
 * (shown, but not by itself an exception: e.g. an item key missing for a few items).
 */
export interface RunWarning {
  code: 'ALL_FILTERED' | 'EXPRESSION_MATCHED_NOTHING' | 'EXPRESSION_MATCHED_PARTLY' | 'ITEM_AMOUNTS_DIFFER';
  message: string;
  /** The declaration concerned, e.g. `amount.value`, `businessKey`, `node to-entries itemKey`. */
  expression?: string;
  /** The evaluations that gave nothing, of how many (EXPRESSION_MATCHED_PARTLY / _NOTHING). */
  unmatched?: number;
  of?: number;
  /** Shown, but does not make the run `completed_with_exceptions` by itself. */
  notice?: true;
}

export interface NodeStats {
  nodeId: string;
  in: number;
  out: number;
  invalid: number;
  errors: number;
  /** Time spent in the node, ms (sum over records). */
  ms: number;
}
