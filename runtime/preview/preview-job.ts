/**
 * What a designer preview computes — a test run or the mapping tests of a
 * document — as plain data in and plain data out, so it can run in the
 * preview worker (preview-pool.ts) as well as in the calling thread.
 */
import type { InputDocument, LookupSource, ReferenceData } from '../../nodes/define-node.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { createReferenceData, referenceDefinitions, type ReferenceDataSet } from '../../nodes/reference-data.ts';
import { catalog as defaultCatalog } from '../../nodes/catalog.ts';
import { dryRunFlow } from '../dry-run.ts';
import type { EvaluatorRegistry } from '../evaluators.ts';
import { runMappingTests } from '../mapping-tests.ts';
import { targetFieldWarnings, targetValueFindings, type TargetTables } from '../sample-check.ts';

/** Reference data as structured-clone can carry it: set name → key → row. */
export type ReferenceSets = Record<string, ReferenceDataSet>;

/** `compiled` or `jsonata` (the reference), as the evaluator's `name` says. */
export type EvaluatorChoice = string;

export type PreviewJob =
  | {
      kind: 'test-run';
      doc: FlowDocument;
      evaluator: EvaluatorChoice;
      reference: ReferenceSets;
      input:
        | { kind: 'records'; records: unknown[]; sourceNodeId?: string; sourceKeys?: string[] }
        | { kind: 'document'; name: string; bytes: Uint8Array; sourceNodeId?: string };
      captureOutputs: number;
      maxTraces: number;
      timeoutMs: number;
    }
  | { kind: 'mapping-tests'; doc: FlowDocument; evaluator: EvaluatorChoice; reference: ReferenceSets }
  | {
      /** A stored sample dry-run, the records reaching each table target checked against its live tables' column types. */
      kind: 'sample-fit';
      doc: FlowDocument;
      evaluator: EvaluatorChoice;
      reference: ReferenceSets;
      input: { name: string; bytes: Uint8Array };
      targets: TargetTables;
      /** Records kept per node and checked. */
      captureOutputs: number;
      timeoutMs: number;
    };

/** What a `sample-fit` job answers: whether the sample ran, and the columns that cannot hold its values. */
export interface SampleFitResult {
  status: string;
  error?: string;
  findings: Awaited<ReturnType<typeof targetValueFindings>>;
}

/** A sample's bytes as the input document a source node reads, in 64 KB chunks. */
export function bytesInput(name: string, bytes: Uint8Array): InputDocument {
  return {
    name,
    async *chunks() {
      for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
    },
  };
}

/** Reference data in transferable form. */
export const referenceSets = (reference: ReferenceData): ReferenceSets => referenceDefinitions(reference);

// Source keys travel beside the records when the caller knows them (impact previews compare by lineage).
function recordsOf(records: unknown[], sourceKeys?: string[]) {
  return records.map((data, i) => (sourceKeys?.[i] !== undefined ? { data, sourceKey: sourceKeys[i] } : { data }));
}

/**
 * Runs one preview job; the result is what the API answers with. A test run's lookups get their
 * rows from `deps.lookups` (the dev connections, see preview-lookups.ts); without it they are "not evaluated".
 */
export async function runPreviewJob(job: PreviewJob, deps: { evaluators: EvaluatorRegistry; catalog?: NodeCatalog; lookups?: LookupSource }): Promise<unknown> {
  const catalog = deps.catalog ?? defaultCatalog;
  const lookups = deps.lookups;
  const evaluator = deps.evaluators.byName(job.evaluator === 'compiled' ? 'compiled' : 'reference');
  const reference = createReferenceData(job.reference);
  if (job.kind === 'mapping-tests') return { results: await runMappingTests(job.doc, { catalog, evaluator, reference }) };
  if (job.kind === 'sample-fit') {
    const run = await dryRunFlow({
      doc: job.doc, catalog, evaluator, reference, input: { kind: 'document', document: bytesInput(job.input.name, job.input.bytes) },
      captureOutputs: job.captureOutputs, maxTraces: 0, signal: AbortSignal.timeout(job.timeoutMs),
    });
    if (run.status === 'failed') return { status: run.status, error: run.error?.message ?? 'unknown error', findings: [] } satisfies SampleFitResult;
    return { status: run.status, findings: await targetValueFindings(job.doc, run.outputs ?? {}, job.targets, { evaluator, reference }) } satisfies SampleFitResult;
  }
  const input = job.input.kind === 'records'
    ? { kind: 'records' as const, records: recordsOf(job.input.records, job.input.sourceKeys), sourceNodeId: job.input.sourceNodeId }
    : { kind: 'document' as const, document: bytesInput(job.input.name, job.input.bytes), sourceNodeId: job.input.sourceNodeId };
  const result = await dryRunFlow({
    doc: job.doc, catalog, evaluator, reference, input,
    captureOutputs: job.captureOutputs, maxTraces: job.maxTraces, signal: AbortSignal.timeout(job.timeoutMs), lookups,
  });
  // Target field paths that match nothing in the records that reached each target (the designer's problems panel lists them).
  const sampleWarnings = job.kind === 'test-run' ? targetFieldWarnings(job.doc, result.outputs ?? {}, job.input.kind === 'document' ? job.input.name : 'records') : [];
  return {
    status: result.status, counts: result.counts, reconciliation: result.reconciliation, nodes: result.nodeStats,
    outputs: result.outputs ?? {}, records: result.traces.slice(0, job.maxTraces), ...(result.error ? { error: result.error } : {}),
    ...(sampleWarnings.length ? { sampleWarnings } : {}),
  };
}
