/** Shapes of the operator console's API answers (see the API contract, "Operations"). */
import type { RecordOutcome, RunStatus } from '../../runtime/engine/run-types.ts';
import type { DeadLetterRow, RunRow, StoredTrace } from '../../runtime/store/store.ts';
import type { SourceRecordOutcomes } from '../../runtime/store/traces-repo.ts';
import type { NodeStats, VersionRow } from '../api-types.ts';

export type { DeadLetterRow, RecordOutcome, RunRow, RunStatus, StoredTrace };

/** One record's trace with where every record of its source record ended (GET /api/runs/{id}/records/{lineageKey}). */
export type TraceWithSourceRecord = StoredTrace & { sourceRecord?: SourceRecordOutcomes };

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

export interface RunPage extends Paged<RunRow> {
  statusCounts: Record<string, number>;
}

export interface RunDetail {
  run: RunRow;
  nodes: NodeStats[];
  version: VersionRow | null;
  timeline: { at: string; event: string; detail: string }[];
}

/** A dead letter as listed (the unmasked source record stays on the server). */
export type ListedDeadLetter = Omit<DeadLetterRow, 'sourceRecord'>;

export interface DeadLetterPage extends Paged<ListedDeadLetter> {
  countsByClass: Record<string, number>;
}

export interface RunFilters {
  flow?: string;
  environment?: string;
  status?: string;
  trigger?: string;
  since?: string;
  until?: string;
  hasExceptions?: string;
}

export interface HealthFigures {
  window: string;
  windowHours: number;
  throughput: { runs: number; itemsRead: number; recordsRead: number; recordsDelivered: number; recordsPerSecond: number; hourly: { hour: string; runs: number; read: number; delivered: number; exceptions: number; duplicate: number }[] };
  failureRate: { runsFailed: number; runsWithExceptions: number; failedShare: number; level: 'items'; byClass: { errorClass: string; records: number; share: number }[] };
  latency: { runSecondsP50: number | null; runSecondsP95: number | null; syncSecondsP50: number | null; syncSecondsP95: number | null; syncRecords: number };
  aging: { openDeadLetters: number; oldestOpenDeadLetterAgeSeconds: number | null; buckets: { label: string; maxSeconds: number | null; count: number }[] };
  runsInFlight: Record<string, number>;
  queue: { depth: number; active: number } | null;
  workers: { id: string; lastSeenAt: string; chunksDone: number }[];
}

export interface DailyReconciliation {
  day: string;
  flowId: string;
  environment: string | null;
  runs: number;
  replayRuns: number;
  runsNotClosing: number;
  counts: Record<string, number>;
  totals: Record<string, Record<string, string>>;
  closes: boolean;
  differences: string[];
}

export const RUN_STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'completed_with_exceptions', 'failed', 'cancelled'];
export const OUTCOMES: RecordOutcome[] = ['delivered', 'quarantined', 'dead_lettered', 'duplicate', 'filtered'];
