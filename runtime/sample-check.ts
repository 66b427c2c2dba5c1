/**
 * What a sample document says about a flow before it runs for real: the flow
 * is dry-run on the sample (nothing written) and every path that matches
 * nothing in it is named: a source record path that reads no records, declared
 * keys and amounts (source record and item) that give nothing, a mapping or
 * filter that drops every record. Used by `ledgerflow validate --sample`.
 */
import type { InputDocument, ReferenceData } from '../nodes/define-node.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import type { NodeCatalog } from '../nodes/node-catalog.ts';
import { dryRunFlow } from './dry-run.ts';
import { evaluatorFor } from './evaluators.ts';
import type { RunWarning } from './engine/run-types.ts';

export interface SampleWarning {
  code: RunWarning['code'] | 'SOURCE_READ_NOTHING' | 'SAMPLE_RUN_FAILED';
  message: string;
  expression?: string;
}

export async function checkSample(doc: FlowDocument, sample: InputDocument, deps: { catalog: NodeCatalog; reference: ReferenceData }): Promise<SampleWarning[]> {
  const result = await dryRunFlow({ doc, catalog: deps.catalog, evaluator: evaluatorFor(doc), reference: deps.reference, input: { kind: 'document', document: sample }, captureOutputs: 0 });
  if (result.status === 'failed') return [{ code: 'SAMPLE_RUN_FAILED', message: `The flow could not run on the sample ${sample.name}: ${result.error?.message ?? 'unknown error'}` }];
  if (result.counts.read === 0) {
    const source = doc.nodes.find((n) => n.type.startsWith('source.'));
    return [{ code: 'SOURCE_READ_NOTHING', message: `The source${source ? ` '${source.id}'` : ''} read no records from the sample ${sample.name}: check its record path` }];
  }
  return (result.reconciliation.warnings ?? []).map((w) => ({ ...w, message: `${w.message} in the sample ${sample.name}` }));
}
