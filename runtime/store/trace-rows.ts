/**
 * How traces and dead letters become rows: the column lists shared by every
 * write path, and their COPY text encoding (one line per row, JSON serialised once).
 */
import type { DeadLetterEntry, RecordTrace, StepSnapshot } from '../engine/run-types.ts';
import { NULL_FIELD, jsonField, jsonText, numberField, snapshotJsonText, textArrayField, textField, timeField } from './copy-text.ts';

/** Run-level columns every row of one sink shares. */
export interface RunColumns {
  runId: string;
  flowId: string;
  version: number | null;
  environment: string | null;
}

export const TRACE_COLUMNS = [
  'run_id', 'flow_id', 'version', 'environment', 'lineage_key', 'source_key', 'business_key', 'path',
  'outcome', 'end_node', 'target_node', 'idempotency_key', 'target_ref', 'target_status', 'error_class',
  'error', 'failures', 'retries', 'input', 'output', 'steps', 'amount', 'currency', 'event_time', 'finished_at', 'item_key',
  'output_is_input',
] as const;

export const DEAD_LETTER_COLUMNS = [
  'run_id', 'flow_id', 'version', 'environment', 'lineage_key', 'source_key', 'business_key', 'node_id',
  'disposition', 'error_class', 'error', 'source_record', 'item_key', 'entry_node',
] as const;

/** The run-level fields as a COPY prefix (they repeat on every row). */
export function runPrefix(run: RunColumns): string {
  return [textField(run.flowId), numberField(run.version), textField(run.environment)].join('\t');
}

/**
 * One trace as a COPY line (with trailing newline). The trace's own `runId`
 * wins over the sink's, so a row always names the run that produced it.
 */
export function traceLine(t: RecordTrace, run: RunColumns, prefix: string): string {
  // A record the flow passed on unchanged is the same object as input and as
  // output: its JSON is made once and stored once, in `input`, with
  // `output_is_input` set (toTrace gives it back as the output too).
  const input = jsonField(snapshotJsonText(t.input));
  const same = t.output === t.input && t.input !== undefined;
  const output = same ? NULL_FIELD : jsonField(snapshotJsonText(t.output));
  return textField(t.runId ?? run.runId) + '\t' + prefix + '\t'
    + textField(t.lineageKey) + '\t'
    + textField(t.sourceKey) + '\t'
    + textField(t.businessKey) + '\t'
    + textArrayField(t.path) + '\t'
    + textField(t.outcome) + '\t'
    + textField(t.endNode) + '\t'
    + textField(t.targetNode) + '\t'
    + textField(t.idempotencyKey) + '\t'
    + textField(t.targetRef) + '\t'
    + numberField(t.targetStatus) + '\t'
    + textField(t.errorClass) + '\t'
    + jsonField(jsonText(t.error)) + '\t'
    + jsonField(jsonText(t.failures)) + '\t'
    + jsonField(jsonText(t.retries)) + '\t'
    + input + '\t'
    + output + '\t'
    + jsonField(jsonText(compactSteps(t.steps, t.output))) + '\t'
    + textField(t.amount) + '\t'
    + textField(t.currency) + '\t'
    + timeField(t.eventTime) + '\t'
    + timeField(t.finishedAt ?? Date.now()) + '\t'
    + textField(t.itemKey) + '\t'
    + (same ? 't' : NULL_FIELD) + '\n';
}

/**
 * The last transform's output usually is the record's output: stored once.
 * The step keeps its node id and says `sameAsOutput`; `expandSteps` restores it.
 */
export function compactSteps(steps: StepSnapshot[] | undefined, output: unknown): unknown {
  if (!steps?.length) return steps;
  const last = steps[steps.length - 1];
  if (last.data !== output || output === undefined) return steps;
  return [...steps.slice(0, -1), { node: last.node, sameAsOutput: true }];
}

export function expandSteps(stored: unknown, output: unknown): StepSnapshot[] {
  if (!Array.isArray(stored)) return [];
  return stored.map((s: { node: string; data?: unknown; sameAsOutput?: boolean }) => (s.sameAsOutput ? { node: s.node, data: output } : { node: s.node, data: s.data }));
}

/** One dead letter as a COPY line (with trailing newline). */
export function deadLetterLine(d: DeadLetterEntry, run: RunColumns, prefix: string): string {
  return textField(d.runId ?? run.runId) + '\t' + prefix + '\t'
    + textField(d.lineageKey) + '\t'
    + textField(d.sourceKey) + '\t'
    + textField(d.businessKey) + '\t'
    + textField(d.nodeId) + '\t'
    + textField(d.disposition) + '\t'
    + textField(d.errorClass) + '\t'
    + jsonField(jsonText(d.error) ?? '{}') + '\t'
    + jsonField(jsonText(d.sourceRecord)) + '\t'
    + textField(d.itemKey ?? '') + '\t'
    + textField(d.entryNode) + '\n';
}
