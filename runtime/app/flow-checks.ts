/**
 * What several use cases check: that a flow or version exists, a flow
 * document's problems (as problem items), whether it can be stored as a draft,
 * and the reference data a server-side run reads.
 */
import type { ReferenceData } from '../../nodes/define-node.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { FlowError } from '../../nodes/errors.ts';
import { FLOW_DRAFT_SCHEMA, FLOW_DRAFT_SCHEMA_KEY } from '../../nodes/flow-draft-schema.ts';
import { declaredSchemaValidator } from '../../nodes/schema-validator.ts';
import { flowNameProblem } from '../../nodes/flow-limits.ts';
import { validateFlow, type FlowProblem } from '../../nodes/validate-flow.ts';
import { loadReferenceData } from '../flow-files.ts';
import type { FlowRow, Store, VersionRow } from '../store/store.ts';
import type { AppContext } from './app-context.ts';
import { AppProblem, notFound, type ProblemItem } from './problem.ts';

export async function requireFlow(ctx: Pick<AppContext, 'store'>, id: string): Promise<FlowRow> {
  const flow = await ctx.store.getFlow(id);
  if (!flow) throw notFound(`Flow '${id}' does not exist.`);
  return flow;
}

export async function requireVersion(ctx: Pick<AppContext, 'store'>, flowId: string, version: number): Promise<VersionRow> {
  const v = await ctx.store.getVersion(flowId, version);
  if (!v) throw notFound(`Flow '${flowId}' has no version ${version}.`);
  return v;
}

export function validateDocument(ctx: Pick<AppContext, 'catalog' | 'evaluators'>, doc: unknown): FlowProblem[] {
  return validateFlow(doc, ctx.catalog, ctx.evaluators.for((doc ?? {}) as FlowDocument));
}

export const problemItems = (problems: FlowProblem[]): ProblemItem[] =>
  problems.map((p) => ({ path: p.path, message: p.message, ...(p.nodeId ? { nodeId: p.nodeId } : {}), ...(p.position !== undefined ? { position: p.position } : {}) }));

/** 422 listing every problem when `doc` is not a valid flow. */
export function assertValidFlow(ctx: Pick<AppContext, 'catalog' | 'evaluators'>, doc: unknown, what: string): asserts doc is FlowDocument {
  const problems = validateDocument(ctx, doc);
  if (problems.length) throw new AppProblem(422, `${what} has ${problems.length} problem(s); nothing was saved.`, { problems: problemItems(problems) });
}

const draftShape = () => declaredSchemaValidator(FLOW_DRAFT_SCHEMA_KEY, FLOW_DRAFT_SCHEMA);

/**
 * Checks what a draft must be to be stored (it may have problems): a flow
 * document by its structure (nodes/flow-draft-schema.ts: the fields the
 * document has, of their types, with the graph's skeleton), whose id is one a
 * flow can have (and the one expected) and whose name is not empty.
 */
export function assertStorableDraft(doc: unknown, expectedId?: string): asserts doc is FlowDocument {
  const problems: ProblemItem[] = [];
  const d = doc as Partial<FlowDocument> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw new AppProblem(400, 'document must be a flow document (a JSON object).', { problems: [{ path: '/document', message: 'must be an object' }] });
  if (typeof d.id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(d.id)) problems.push({ path: '/document/id', message: 'id must be lower-case letters, digits and dashes (1–63 characters)' });
  else if (expectedId !== undefined && d.id !== expectedId) problems.push({ path: '/document/id', message: `the document is flow '${d.id}', not '${expectedId}'` });
  const nameProblem = typeof d.name === 'string' ? flowNameProblem(d.name) : 'name must be a non-empty text';
  if (nameProblem) problems.push({ path: '/document/name', message: nameProblem });
  const validate = draftShape();
  if (!validate(doc)) {
    for (const e of validate.errors ?? []) {
      const field = e.keyword === 'additionalProperties' ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}` : e.instancePath;
      if (field === '/id' || field === '/name') continue;
      problems.push({ path: `/document${field}`, message: e.keyword === 'additionalProperties' ? 'is not a field of a flow document' : e.message ?? 'is not what a flow document holds here' });
    }
  }
  if (problems.length) throw new AppProblem(422, `The flow document cannot be stored: ${problems.slice(0, 5).map((p) => `${p.path} ${p.message}`).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}.`, { problems });
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
export async function referenceFor(ctx: Pick<AppContext, 'store'>, doc: FlowDocument): Promise<ReferenceData> {
  try {
    return await serverReferenceData(ctx.store, doc);
  } catch (err) {
    if (err instanceof FlowError) throw new AppProblem(422, err.message, { problems: [{ path: '/referenceData', message: err.message }] });
    throw err;
  }
}
