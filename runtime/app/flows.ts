/**
 * Flows and their drafts: create, save the draft (four-eyes relies on who
 * saved it), duplicate, import, delete, save a version, and the list rows the
 * screens show. Each change writes its audit entry here, so no entry point
 * can skip it.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { documentHash } from '../store/canonical-json.ts';
import { DraftConflictError } from '../store/flows-repo.ts';
import type { FlowRow } from '../store/store.ts';
import type { AppContext } from './app-context.ts';
import { assertStorableDraft, assertValidFlow, problemItems, requireFlow, validateDocument } from './flow-checks.ts';
import { recordTestResults } from './mapping-test-runs.ts';
import { AppProblem, conflict } from './problem.ts';
import { pinnedSubflowProblems } from './subflows.ts';

export interface FlowSummary {
  id: string;
  name: string;
  description: string | null;
  updatedAt: string;
  updatedBy: string | null;
  latestVersion: number | null;
  deployments: Record<string, number | null>;
}

/** What the audit log keeps of a document: enough to identify it, not a copy. */
export const documentFingerprint = (doc: FlowDocument) => ({ name: doc.name, hash: documentHash(doc), nodes: doc.nodes?.length ?? 0, edges: doc.edges?.length ?? 0 });

/** The flows as listed: each with its latest version and what each environment runs. */
export async function flowSummaries(ctx: AppContext, flows: FlowRow[]): Promise<FlowSummary[]> {
  if (!flows.length) return [];
  const latest = await ctx.repos.flowAdmin.latestVersions();
  const deployments = await ctx.repos.deployments.listDeployments();
  return flows.map((f) => {
    const deployed: Record<string, number | null> = Object.fromEntries(ctx.environments.map((e) => [e.name, null]));
    for (const d of deployments) if (d.flowId === f.id) deployed[d.environment] = d.version;
    return { id: f.id, name: f.name, description: f.description, updatedAt: f.updatedAt, updatedBy: f.updatedBy, latestVersion: latest.get(f.id) ?? null, deployments: deployed };
  });
}

export async function flowSummary(ctx: AppContext, flow: FlowRow): Promise<FlowSummary> {
  return (await flowSummaries(ctx, [flow]))[0];
}

/** Flows whose id, name or description contains `search` (any case). */
export async function listFlows(ctx: AppContext, search?: string): Promise<FlowSummary[]> {
  const s = search?.toLowerCase();
  const flows = (await ctx.store.listFlows()).filter((f) => !s || f.id.includes(s) || f.name.toLowerCase().includes(s) || (f.description ?? '').toLowerCase().includes(s));
  return flowSummaries(ctx, flows);
}

/** A new flow from a document (its draft may have problems); 409 when the id is taken. */
export async function createFlow(ctx: AppContext, actor: string, doc: unknown, duplicateOf?: string) {
  assertStorableDraft(doc);
  if (await ctx.store.getFlow(doc.id)) throw conflict(`A flow with id '${doc.id}' already exists.`);
  const row = await ctx.store.saveDraft(doc, actor);
  await ctx.repos.audit.append({ actor, action: 'flow.created', entity: 'flow', entityId: doc.id, after: { ...documentFingerprint(doc), ...(duplicateOf ? { duplicateOf } : {}) } });
  return row;
}

/** A copy of a flow's draft as a new flow `id` named `name`. */
export async function duplicateFlow(ctx: AppContext, actor: string, sourceId: string, target: { id: string; name: string }) {
  const source = await requireFlow(ctx, sourceId);
  return createFlow(ctx, actor, { ...source.draft, id: target.id, name: target.name }, source.id);
}

/**
 * Saves the draft (even with problems). With `revision` (the one the document
 * is based on), 409 when someone saved since, carrying the current draft.
 */
export async function saveDraft(ctx: AppContext, actor: string, req: { flowId: string; document: unknown; revision?: number }) {
  const before = await requireFlow(ctx, req.flowId);
  const doc = req.document;
  assertStorableDraft(doc, req.flowId);
  let row: FlowRow;
  try {
    row = await ctx.store.saveDraft(doc, actor, req.revision);
  } catch (err) {
    if (!(err instanceof DraftConflictError)) throw err;
    const { current } = err;
    throw new AppProblem(409, err.message, { title: 'The draft was changed by someone else', extra: { revision: current.revision, updatedBy: current.updatedBy, updatedAt: current.updatedAt, draft: current.draft } });
  }
  await ctx.repos.audit.append({ actor, action: 'flow.draft.saved', entity: 'flow', entityId: req.flowId, before: { ...documentFingerprint(before.draft), revision: before.revision }, after: { ...documentFingerprint(doc), revision: row.revision } });
  return row;
}

/** Imports a flow file (it must be valid); 409 when the flow exists and `overwriteDraft` is not set. */
export async function importFlow(ctx: AppContext, actor: string, document: unknown, overwriteDraft = false) {
  assertStorableDraft(document);
  assertValidFlow(ctx, document, `Flow '${document.id}'`);
  const existing = await ctx.store.getFlow(document.id);
  if (existing && !overwriteDraft) throw conflict(`Flow '${document.id}' already exists; import with overwriteDraft: true to replace its draft.`);
  const row = await ctx.store.saveDraft(document, actor);
  await ctx.repos.audit.append({ actor, action: existing ? 'flow.draft.imported' : 'flow.imported', entity: 'flow', entityId: document.id, before: existing ? documentFingerprint(existing.draft) : null, after: documentFingerprint(document) });
  return row;
}

/** Deletes a flow deployed nowhere, with its versions; 409 while it is deployed. */
export async function deleteFlow(ctx: AppContext, actor: string, flowId: string): Promise<void> {
  const flow = await requireFlow(ctx, flowId);
  const deployed = await ctx.repos.deployments.listDeployments(flow.id);
  if (deployed.length) throw conflict(`Flow '${flow.id}' is deployed to ${deployed.map((d) => d.environment).join(', ')}; it cannot be deleted while it runs anywhere.`);
  const versions = await ctx.store.listVersions(flow.id);
  await ctx.repos.transaction(async (tx) => {
    await ctx.repos.flowAdmin.deleteFlow(flow.id, tx);
    await ctx.repos.audit.append({ actor, action: 'flow.deleted', entity: 'flow', entityId: flow.id, before: { ...documentFingerprint(flow.draft), versions: versions.length } }, tx);
  });
}

/** Saves the draft as a new immutable version (422 when it has problems) and runs its mapping tests. */
export async function saveVersion(ctx: AppContext, actor: string, flowId: string, message: string) {
  const flow = await requireFlow(ctx, flowId);
  const problems = [...problemItems(validateDocument(ctx, flow.draft)), ...await pinnedSubflowProblems(ctx, flow.draft)];
  if (problems.length) throw new AppProblem(422, `The draft has ${problems.length} problem(s); fix them before saving a version.`, { problems });
  const version = await ctx.store.saveVersion(flow.id, flow.draft, actor, message);
  await ctx.repos.audit.append({ actor, action: 'version.saved', entity: 'version', entityId: `${flow.id}@${version.version}`, after: { flowId: flow.id, version: version.version, hash: version.hash, message } });
  const testsPassed = await recordTestResults(ctx, flow.id, version.version, version.document);
  return { ...version, testsPassed };
}
