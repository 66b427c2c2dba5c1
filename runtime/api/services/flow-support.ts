/**
 * What several routes need about a flow: validation as problem items, the
 * reference data a server-side run reads, mapping tests, sample documents,
 * and the export form of a document.
 */
import type { ReferenceData } from '../../../nodes/define-node.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { validateFlow, type FlowProblem } from '../../../nodes/validate-flow.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { evaluatorFor } from '../../evaluators.ts';
import { loadReferenceData } from '../../flow-files.ts';
import type { MappingTestResult } from '../../mapping-tests.ts';
import { referenceSets } from '../../preview/preview-job.ts';

export { bytesInput } from '../../preview/preview-job.ts';
import { runPreview } from '../../preview/run-preview.ts';
import type { Store } from '../../store/store.ts';
import type { ApiContext } from '../app-env.ts';
import { ApiProblem, type ProblemItem } from '../problem.ts';

export function validateDocument(ctx: ApiContext, doc: unknown): FlowProblem[] {
  return validateFlow(doc, ctx.catalog, evaluatorFor((doc ?? {}) as FlowDocument));
}

export const problemItems = (problems: FlowProblem[]): ProblemItem[] =>
  problems.map((p) => ({ path: p.path, message: p.message, ...(p.nodeId ? { nodeId: p.nodeId } : {}), ...(p.position !== undefined ? { position: p.position } : {}) }));

/** 422 listing every problem when `doc` is not a valid flow. */
export function assertValidFlow(ctx: ApiContext, doc: unknown, what: string): asserts doc is FlowDocument {
  const problems = validateDocument(ctx, doc);
  if (problems.length) throw new ApiProblem(422, `${what} has ${problems.length} problem(s); nothing was saved.`, { problems: problemItems(problems) });
}

/** Checks just enough to store a draft: an object with a valid id and a name. */
export function assertStorableDraft(doc: unknown, expectedId?: string): asserts doc is FlowDocument {
  const problems: ProblemItem[] = [];
  const d = doc as Partial<FlowDocument> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw new ApiProblem(400, 'document must be a flow document (a JSON object).', { problems: [{ path: '/document', message: 'must be an object' }] });
  if (typeof d.id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(d.id)) problems.push({ path: '/document/id', message: 'id must be lower-case letters, digits and dashes (1–63 characters)' });
  else if (expectedId !== undefined && d.id !== expectedId) problems.push({ path: '/document/id', message: `the document is flow '${d.id}', not '${expectedId}'` });
  if (typeof d.name !== 'string' || d.name.trim() === '') problems.push({ path: '/document/name', message: 'name must be a non-empty text' });
  if (!Array.isArray(d.nodes)) problems.push({ path: '/document/nodes', message: 'nodes must be a list' });
  if (!Array.isArray(d.edges)) problems.push({ path: '/document/edges', message: 'edges must be a list' });
  if (problems.length) throw new ApiProblem(422, `The flow document cannot be stored: ${problems.map((p) => p.message).join('; ')}.`, { problems });
}

/**
 * Reference data for a run on the server: sets declared as files (in a
 * flows/ folder) are read from the store under the declaration's name, where
 * `examples load` and `ledgerflow reference load` put them.
 */
export async function serverReferenceData(store: Pick<Store, 'getReferenceData'>, doc: FlowDocument): Promise<ReferenceData> {
  // File declarations resolve to the flow's own stored copy (`<flow>/<name>`), stored ones by name.
  return loadReferenceData(doc, null, store);
}

/** Reference data for a request, or 422 naming the set that is missing. */
export async function referenceFor(ctx: ApiContext, doc: FlowDocument): Promise<ReferenceData> {
  try {
    return await serverReferenceData(ctx.store, doc);
  } catch (err) {
    if (err instanceof FlowError) throw new ApiProblem(422, err.message, { problems: [{ path: '/referenceData', message: err.message }] });
    throw err;
  }
}

export async function mappingTestsOf(ctx: ApiContext, doc: FlowDocument): Promise<{ passed: boolean; results: MappingTestResult[] }> {
  const reference = await referenceFor(ctx, doc);
  const { results } = (await runPreview(ctx, { kind: 'mapping-tests', doc, evaluator: evaluatorFor(doc).name, reference: referenceSets(reference) })) as { results: MappingTestResult[] };
  return { passed: results.every((r) => r.passed), results };
}

const SECRET_KEY = /(secret|password|passwd|token|authorization|api[-_]?key|private[-_]?key|credential)/i;

/**
 * The document as exported: flows reference connections by name, so they
 * carry no secrets by design; as a second line of defence, any text value
 * under a secret-sounding key (password, token, authorization …) is blanked.
 */
export function exportDocument(doc: FlowDocument): FlowDocument {
  const scrub = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string' && key !== null && SECRET_KEY.test(key)) return '';
    if (Array.isArray(value)) return value.map((v) => scrub(v, null));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
    return value;
  };
  return { ...doc, nodes: doc.nodes.map((n) => ({ ...n, config: scrub(n.config, null) as Record<string, unknown> })) };
}

/** A sample from a request: text, base64, or (neither) the flow's stored sample of that name. */
export async function sampleBytes(ctx: ApiContext, flowId: string, sample: { name: string; content?: string; contentBase64?: string }): Promise<Uint8Array> {
  if (sample.content !== undefined) return new TextEncoder().encode(sample.content);
  if (sample.contentBase64 !== undefined) {
    if (!/^[A-Za-z0-9+/=_-]*\s*$/.test(sample.contentBase64)) throw new ApiProblem(400, 'contentBase64 is not base64.', { problems: [{ path: '/contentBase64', message: 'not base64' }] });
    return new Uint8Array(Buffer.from(sample.contentBase64, 'base64'));
  }
  const stored = await ctx.repos.samples.getSample(flowId, sample.name);
  if (!stored) throw new ApiProblem(404, `Flow '${flowId}' has no stored sample '${sample.name}'; send its content or contentBase64.`);
  return stored;
}

