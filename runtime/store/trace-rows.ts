/**
 * How traces and dead letters become rows: the column lists shared by every
 * write path, and their COPY text encoding (one line per row, JSON serialised once).
 */
import type { DeadLetterEntry, RecordTrace, StepSnapshot } from '../engine/run-types.ts';
import {
  NULL_FIELD, jsonField, jsonText, numberField, repeatedTextArrayField, repeatedTimeField, snapshotJsonText, textField, timeField,
} from './copy-text.ts';

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

// Columns whose text mostly repeats from one trace to the next: made once per run of equal values.
const pathField = repeatedTextArrayField();
const finishedAtField = repeatedTimeField();

/** Where a trace's COPY row goes: its fields before the input snapshot, the snapshot, and the rest. */
export type TraceRowSink = (head: string, input: string, tail: string) => void;

/**
 * One trace as a COPY row (with trailing newline), in three pieces: the record's snapshot, most
 * of the row, is not copied into a string of the whole row. The trace's own `runId` wins over the
 * sink's, so a row always names the run that produced it.
 */
export function writeTraceRow(t: RecordTrace, run: RunColumns, prefix: string, sink: TraceRowSink): void {
  // A record the flow passed on unchanged is the same object as input and as
  // output: its JSON is made once and stored once, in `input`, with
  // `output_is_input` set (toTrace gives it back as the output too).
  const input = jsonField(snapshotJsonText(t.input));
  const same = t.output === t.input && t.input !== undefined;
  const output = same ? NULL_FIELD : jsonField(snapshotJsonText(t.output));
  // Joined, not added up: `+` would make a string of a piece per field, flattened again to be encoded.
  const head = [
    textField(t.runId ?? run.runId), prefix, textField(t.lineageKey), textField(t.sourceKey), textField(t.businessKey),
    pathField(t.path), textField(t.outcome), textField(t.endNode), textField(t.targetNode), textField(t.idempotencyKey),
    textField(t.targetRef), numberField(t.targetStatus), textField(t.errorClass), jsonField(jsonText(t.error)),
    jsonField(jsonText(t.failures)), jsonField(jsonText(t.retries)), '',
  ].join('\t');
  const tail = [
    '', output, stepsField(t.steps, t.output), textField(t.amount), textField(t.currency), timeField(t.eventTime),
    finishedAtField(t.finishedAt ?? Date.now()), textField(t.itemKey), same ? 't\n' : '\\N\n',
  ].join('\t');
  sink(head, input, tail);
}

/** One trace as a COPY line (with trailing newline); see writeTraceRow. */
export function traceLine(t: RecordTrace, run: RunColumns, prefix: string): string {
  let line = '';
  writeTraceRow(t, run, prefix, (head, input, tail) => {
    line = head + input + tail;
  });
  return line;
}

let lastStepNode: string | undefined;
let lastStepsField = NULL_FIELD;

/** The steps column: for the usual one step that made the output, its text is made once per node. */
function stepsField(steps: StepSnapshot[] | undefined, output: unknown): string {
  const one = steps?.length === 1 && steps[0].data === output && output !== undefined;
  if (one && steps![0].node === lastStepNode) return lastStepsField;
  const field = jsonField(jsonText(compactSteps(steps, output)));
  if (one) {
    lastStepNode = steps![0].node;
    lastStepsField = field;
  }
  return field;
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
