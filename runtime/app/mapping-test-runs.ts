/**
 * Mapping tests on the server: of a draft (or a document being edited) for
 * the designer, and of a saved version, whose outcome is kept (promotion
 * gates on it). They run in the preview workers (runtime/preview).
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { MappingTestResult } from '../mapping-tests.ts';
import { referenceSets } from '../preview/preview-job.ts';
import { runPreview } from '../preview/run-preview.ts';
import type { AppContext } from './app-context.ts';
import { assertStorableDraft, assertValidFlow, referenceFor, requireFlow } from './flow-checks.ts';
import { AppProblem } from './problem.ts';

/** Runs the document's mapping tests; 422 when its reference data is missing. */
export async function mappingTestsOf(ctx: AppContext, doc: FlowDocument): Promise<{ passed: boolean; results: MappingTestResult[] }> {
  const reference = await referenceFor(ctx, doc);
  const { results } = (await runPreview(ctx, { kind: 'mapping-tests', doc, evaluator: ctx.evaluators.for(doc).name, reference: referenceSets(reference) })) as { results: MappingTestResult[] };
  return { passed: results.every((r) => r.passed), results };
}

/** The designer's "run mapping tests": of the flow's draft, or of `document` (the same flow, unsaved). Nothing is stored. */
export async function runDraftMappingTests(ctx: AppContext, flowId: string, document?: unknown): Promise<{ results: MappingTestResult[] }> {
  const flow = await requireFlow(ctx, flowId);
  if (document) assertStorableDraft(document, flow.id);
  const doc = (document ?? flow.draft) as FlowDocument;
  assertValidFlow(ctx, doc, 'The flow');
  const { results } = await mappingTestsOf(ctx, doc);
  return { results };
}

/** Runs a version's mapping tests and keeps the outcome; null when they cannot run (e.g. reference data not loaded). */
export async function recordTestResults(ctx: AppContext, flowId: string, version: number, doc: FlowDocument): Promise<boolean | null> {
  try {
    const { passed, results } = await mappingTestsOf(ctx, doc);
    await ctx.repos.deployments.putTestResults(flowId, version, passed, results);
    return passed;
  } catch (err) {
    if (err instanceof AppProblem) return null;
    throw err;
  }
}
