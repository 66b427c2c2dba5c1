/**
 * The values a flow's stored samples give its table targets, against the
 * column types of the live database an environment binds: each stored sample
 * is dry-run (in the preview worker; nothing written, lookups not queried)
 * and the records reaching each table target are read through its column
 * map; a column whose type cannot hold them (text longer than char(n), more
 * decimals than numeric's scale, a non-integer into an integer, an unparsable
 * date, null into NOT NULL …) is a problem naming the node, the column, its
 * type, the first value that does not fit (masked when sensitive) and how
 * many of the sample's records fail. Part of environment-checks.ts.
 */
import type { FlowDocument, FlowNode } from '../../nodes/flow-document.ts';
import { findTable, type TableTargetShape } from '../../nodes/target/column-fit.ts';
import type { TargetSchema } from '../connectors/target-schema.ts';
import { referenceSets, type SampleFitResult } from '../preview/preview-job.ts';
import { runPreview } from '../preview/run-preview.ts';
import type { TargetTables } from '../sample-check.ts';
import type { AppContext } from './app-context.ts';
import { referenceFor } from './flow-checks.ts';
import type { ProblemItem } from './problem.ts';

/** The problem code of a column that cannot hold a sample's value. */
export const SAMPLE_VALUE_DOES_NOT_FIT = 'SAMPLE_VALUE_DOES_NOT_FIT';

// Stored samples dry-run per check (by name), records checked per target and sample, time per sample.
const MAX_SAMPLES = 5;
const RECORDS_CHECKED = 10_000;
const SAMPLE_TIMEOUT_MS = 30_000;

/** A checked table target: its node and the tables (own and lines) it writes to, as the live database has them. */
export interface CheckedTarget {
  index: number;
  node: FlowNode;
  schema: TargetSchema;
}

/** Only the tables each target writes to travel to the preview worker. */
function targetTables(targets: CheckedTarget[]): TargetTables {
  const out: TargetTables = {};
  for (const { node, schema } of targets) {
    const config = node.config as unknown as TableTargetShape;
    const tables = [config.table, config.lines?.table].filter((t): t is string => !!t).map((t) => findTable(schema.tables, schema.searchPath, t)).filter((t) => t !== undefined);
    if (tables.length) out[node.id] = { tables, searchPath: schema.searchPath };
  }
  return out;
}

/** The problems of `targets` on the stored samples of flow `flowId` run through `document`, and the samples that ran. */
export async function sampleValueProblems(ctx: AppContext, flowId: string, document: FlowDocument, targets: CheckedTarget[], nodeName: (n: FlowNode) => string): Promise<{ problems: ProblemItem[]; samples: string[] }> {
  const tables = targetTables(targets);
  if (Object.keys(tables).length === 0) return { problems: [], samples: [] };
  const stored = (await ctx.repos.samples.listSamples(flowId)).slice(0, MAX_SAMPLES);
  if (stored.length === 0) return { problems: [], samples: [] };
  const reference = referenceSets(await referenceFor(ctx, document));
  const indexOf = new Map(targets.map((t) => [t.node.id, t] as const));
  const problems: ProblemItem[] = [];
  const samples: string[] = [];
  for (const sample of stored) {
    const bytes = await ctx.repos.samples.getSample(flowId, sample.name);
    if (!bytes) continue;
    let result: SampleFitResult;
    try {
      result = await runPreview(ctx, {
        kind: 'sample-fit', doc: document, evaluator: ctx.evaluators.for(document).name, reference, input: { name: sample.name, bytes },
        targets: tables, captureOutputs: RECORDS_CHECKED, timeoutMs: SAMPLE_TIMEOUT_MS,
      }) as SampleFitResult;
    } catch {
      continue; // A sample the flow cannot run on is the test run's and the problems panel's to name.
    }
    if (result.status === 'failed') continue;
    samples.push(sample.name);
    for (const f of result.findings) {
      const target = indexOf.get(f.nodeId)!;
      const many = f.records >= RECORDS_CHECKED ? `of the first ${f.records}` : `of ${f.records}`;
      problems.push({
        path: `/nodes/${target.index}/config${f.path}`, nodeId: f.nodeId, code: SAMPLE_VALUE_DOES_NOT_FIT,
        message: `${nodeName(target.node)}: column ${f.column} of ${f.table}: ${f.problem} — ${f.failing} ${many} record(s) of the sample ${sample.name} do not fit`,
      });
    }
  }
  return { problems, samples };
}
