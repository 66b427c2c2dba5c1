/**
 * What a sample document says about a flow before it runs for real: the flow
 * is dry-run on the sample (nothing written) and every path that matches
 * nothing in it is named: a source record path that reads no records, declared
 * keys and amounts (source record and item) that give nothing, a mapping or
 * filter that drops every record, and target field paths (a target.postgres
 * column's path, a target.http URL placeholder) that give nothing for the
 * records reaching the target. Used by `ledgerflow validate --sample`.
 */
import type { InputDocument, ReferenceData } from '../nodes/define-node.ts';
import type { FlowDocument, FlowNode } from '../nodes/flow-document.ts';
import { compileFieldPath, fieldPathProblem } from '../nodes/field-path.ts';
import { EXPRESSION_PREFIX } from '../nodes/target/column-values.ts';
import { PLACEHOLDER } from '../nodes/target/http.ts';
import type { NodeCatalog } from '../nodes/node-catalog.ts';
import type { DatabaseTable } from '../nodes/target/column-fit.ts';
import { recordFitFindings, type RecordFitFinding, type RecordTargetShape } from '../nodes/target/record-fit.ts';
import type { ExpressionEvaluator } from '../nodes/expression/evaluator.ts';
import { standardFunctions } from '../nodes/expression/functions.ts';
import { dryRunFlow } from './dry-run.ts';
import type { EvaluatorRegistry } from './evaluators.ts';
import type { RunWarning } from './engine/run-types.ts';

export interface SampleWarning {
  code: RunWarning['code'] | 'SOURCE_READ_NOTHING' | 'SAMPLE_RUN_FAILED' | 'TARGET_FIELD_MATCHED_NOTHING' | 'TARGET_FIELD_MATCHED_PARTLY';
  message: string;
  expression?: string;
  /** For target field paths: the target node and where the path is in its config (`/columns/amount`, `/path`). */
  nodeId?: string;
  configPath?: string;
}

// Records kept per node in the sample's dry run, to check target field paths against.
const SAMPLE_RECORDS = 10_000;

/** The field paths a target reads from each record it gets, with where each is in its config. */
function targetFieldPaths(node: FlowNode): { configPath: string; what: string; path: string }[] {
  const config = (node.config ?? {}) as Record<string, unknown>;
  const out: { configPath: string; what: string; path: string }[] = [];
  if (node.type === 'target.postgres') {
    for (const [column, value] of Object.entries((config.columns ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'string' && !value.startsWith(EXPRESSION_PREFIX) && !value.startsWith('^')) out.push({ configPath: `/columns/${column}`, what: `column ${column}`, path: value });
    }
    const lines = config.lines as { path?: unknown } | undefined;
    if (typeof lines?.path === 'string') out.push({ configPath: '/lines/path', what: 'the lines', path: lines.path });
  }
  if (node.type === 'target.http' && typeof config.path === 'string') {
    for (const m of config.path.matchAll(PLACEHOLDER)) out.push({ configPath: '/path', what: `{{${m[1]}}} of the URL path`, path: m[1] });
  }
  return out.filter((p) => p.path !== '' && fieldPathProblem(p.path) === null);
}

/**
 * Target field paths that give nothing (undefined or null) for all or some of the records reaching their target,
 * among `outputs` (what each target got in a dry run). Also in the designer's test run (`sampleWarnings`).
 */
export function targetFieldWarnings(doc: FlowDocument, outputs: Record<string, { port: string; data: unknown }[]>, sampleName: string): SampleWarning[] {
  const warnings: SampleWarning[] = [];
  for (const node of doc.nodes) {
    const records = (outputs[node.id] ?? []).map((o) => o.data);
    if (!records.length) continue;
    for (const { configPath, what, path } of targetFieldPaths(node)) {
      const get = compileFieldPath(path);
      const missed = records.filter((r) => get(r) === undefined || get(r) === null).length;
      if (missed === 0) continue;
      const all = missed === records.length;
      warnings.push({
        code: all ? 'TARGET_FIELD_MATCHED_NOTHING' : 'TARGET_FIELD_MATCHED_PARTLY', nodeId: node.id, configPath, expression: path,
        message: `The field path ${path} (${what} of target '${node.id}') gave nothing for ${all ? `any of the ${records.length}` : `${missed} of ${records.length}`} record(s) reaching it in the sample ${sampleName}`,
      });
    }
  }
  return warnings;
}

/** The tables of a table target's database it writes to, by node id (read from the live database, see runtime/app/sample-value-checks.ts). */
export type TargetTables = Record<string, { tables: DatabaseTable[]; searchPath: string[] }>;

/**
 * Columns of table targets whose types cannot hold what the records reaching them in a dry run (`outputs`) give
 * them, read through each node's column map as the target would; values of sensitive fields masked.
 */
export async function targetValueFindings(doc: FlowDocument, outputs: Record<string, { port: string; data: unknown }[]>, targets: TargetTables, deps: { evaluator: ExpressionEvaluator; reference: ReferenceData }): Promise<(RecordFitFinding & { nodeId: string })[]> {
  const functions = standardFunctions(deps.reference);
  const compile = (expression: string) => deps.evaluator.compile(expression, { functions });
  const found: (RecordFitFinding & { nodeId: string })[] = [];
  for (const node of doc.nodes) {
    const target = targets[node.id];
    const records = (outputs[node.id] ?? []).map((o) => o.data);
    if (!target || !records.length) continue;
    const findings = await recordFitFindings(node.config as unknown as RecordTargetShape, target.tables, target.searchPath, records, { compile, sensitive: doc.sensitive ?? [] });
    found.push(...findings.map((f) => ({ ...f, nodeId: node.id })));
  }
  return found;
}

export async function checkSample(doc: FlowDocument, sample: InputDocument, deps: { catalog: NodeCatalog; evaluators: EvaluatorRegistry; reference: ReferenceData }): Promise<SampleWarning[]> {
  const result = await dryRunFlow({ doc, catalog: deps.catalog, evaluator: deps.evaluators.for(doc), reference: deps.reference, input: { kind: 'document', document: sample }, captureOutputs: SAMPLE_RECORDS });
  if (result.status === 'failed') return [{ code: 'SAMPLE_RUN_FAILED', message: `The flow could not run on the sample ${sample.name}: ${result.error?.message ?? 'unknown error'}` }];
  if (result.counts.read === 0) {
    const source = doc.nodes.find((n) => n.type.startsWith('source.'));
    return [{ code: 'SOURCE_READ_NOTHING', message: `The source${source ? ` '${source.id}'` : ''} read no records from the sample ${sample.name}: check its record path` }];
  }
  return [
    ...(result.reconciliation.warnings ?? []).map((w) => ({ ...w, message: `${w.message} in the sample ${sample.name}` })),
    ...targetFieldWarnings(doc, result.outputs ?? {}, sample.name),
  ];
}
