/**
 * Release impact preview: version N and the version an environment runs now,
 * both dry-run on that environment's last K recorded source records, compared
 * record by record. Nothing is written anywhere.
 */
import { createHash } from 'node:crypto';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { diffValues, type ValueDifference } from '../../nodes/value-diff.ts';
import type { RecordOutcome, RecordTrace } from '../engine/run-types.ts';
import { referenceSets } from '../preview/preview-job.ts';
import { runPreview } from '../preview/run-preview.ts';
import type { AppContext } from './app-context.ts';
import { referenceFor, requireFlow, requireVersion } from './flow-checks.ts';
import { conflict } from './problem.ts';

export interface ImpactRecord {
  lineageKey: string;
  businessKey: string | null;
  before: { outcome: RecordOutcome | null; output: unknown };
  after: { outcome: RecordOutcome | null; output: unknown };
  differences: ValueDifference[];
  changed: boolean;
}

const PASSED: readonly (RecordOutcome | null)[] = ['delivered', 'duplicate', 'filtered'];
const STOPPED: readonly (RecordOutcome | null)[] = ['quarantined', 'dead_lettered'];

/** The last `limit` distinct source records the environment processed for the flow, newest first. */
async function recordedInputs(ctx: AppContext, flowId: string, environment: string, limit: number): Promise<{ data: unknown; sourceKey: string }[]> {
  const rows = await ctx.repos.recordedInputs.latestInputs(flowId, environment, limit * 4);
  const seen = new Set<string>();
  const inputs: { data: unknown; sourceKey: string }[] = [];
  for (const r of rows) {
    const digest = createHash('sha256').update(JSON.stringify(r.input)).digest('hex');
    if (seen.has(digest)) continue;
    seen.add(digest);
    inputs.push({ data: r.input, sourceKey: r.sourceKey });
    if (inputs.length >= limit) break;
  }
  return inputs.reverse();
}

async function run(ctx: AppContext, doc: FlowDocument, records: { data: unknown; sourceKey: string }[]): Promise<Map<string, RecordTrace>> {
  // In the preview workers: a candidate version's expressions are not trusted to stay within the API's memory.
  const result = (await runPreview(ctx, {
    kind: 'test-run', doc, evaluator: ctx.evaluators.for(doc).name, reference: referenceSets(await referenceFor(ctx, doc)),
    input: { kind: 'records', records: records.map((r) => r.data), sourceKeys: records.map((r) => r.sourceKey) },
    captureOutputs: 0, maxTraces: records.length * 50, timeoutMs: 120_000,
  })) as { records: RecordTrace[] };
  return new Map(result.records.map((t) => [t.lineageKey, t]));
}

export async function impactPreview(ctx: AppContext, req: { flowId: string; version: number; environment: string; limit: number }) {
  const env = ctx.environment(req.environment);
  await requireFlow(ctx, req.flowId);
  const candidate = await requireVersion(ctx, req.flowId, req.version);
  const deployed = await ctx.repos.deployments.getDeployment(req.flowId, env.name);
  if (!deployed) throw conflict(`Nothing of '${req.flowId}' runs in ${env.name} yet, so there is no output to compare with.`);
  const current = (await ctx.store.getVersion(req.flowId, deployed.version))!;
  const inputs = await recordedInputs(ctx, req.flowId, env.name, req.limit);
  const [before, after] = [await run(ctx, current.document, inputs), await run(ctx, candidate.document, inputs)];

  const records: ImpactRecord[] = [];
  let changed = 0, newlyInvalid = 0, newlyValid = 0;
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    const differences = diffValues(b?.output, a?.output);
    const outcomeChanged = (b?.outcome ?? null) !== (a?.outcome ?? null);
    const isChanged = differences.length > 0 || outcomeChanged;
    if (isChanged) changed++;
    if (PASSED.includes(b?.outcome ?? null) && STOPPED.includes(a?.outcome ?? null)) newlyInvalid++;
    if (STOPPED.includes(b?.outcome ?? null) && PASSED.includes(a?.outcome ?? null)) newlyValid++;
    records.push({
      lineageKey: key, businessKey: a?.businessKey ?? b?.businessKey ?? null,
      before: { outcome: b?.outcome ?? null, output: b?.output ?? null },
      after: { outcome: a?.outcome ?? null, output: a?.output ?? null },
      differences, changed: isChanged,
    });
  }
  return {
    flowId: req.flowId, environment: env.name, deployedVersion: deployed.version, version: req.version,
    compared: inputs.length, changed, newlyInvalid, newlyValid, records: records.slice(0, 1000),
  };
}
