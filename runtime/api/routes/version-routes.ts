/** Immutable numbered versions of a flow, and the structured diff between any two. */
import { diffFlows } from '../../../nodes/flow-diff.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { ApiProblem, badRequest, notFound } from '../problem.ts';
import { mappingTestsOf, problemItems, validateDocument } from '../services/flow-support.ts';
import { requireFlow } from './flow-routes.ts';

export async function requireVersion(ctx: ApiContext, flowId: string, version: number) {
  const v = await ctx.store.getVersion(flowId, version);
  if (!v) throw notFound(`Flow '${flowId}' has no version ${version}.`);
  return v;
}

/** Runs a version's mapping tests and keeps the outcome; null when they cannot run (e.g. reference data not loaded). */
export async function recordTestResults(ctx: ApiContext, flowId: string, version: number, doc: FlowDocument): Promise<boolean | null> {
  try {
    const { passed, results } = await mappingTestsOf(ctx, doc);
    await ctx.repos.deployments.putTestResults(flowId, version, passed, results);
    return passed;
  } catch (err) {
    if (err instanceof ApiProblem) return null;
    throw err;
  }
}


export function registerVersionRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/flows/{id}/versions'], tags: ['Versions'], summary: 'Versions of a flow, newest first', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const [versions, tests] = await Promise.all([ctx.store.listVersions(flow.id), ctx.repos.deployments.testResultsOf(flow.id)]);
    const items = versions.reverse().map((v) => ({ version: v.version, author: v.author, message: v.message, createdAt: v.createdAt, hash: v.hash, testsPassed: tests.get(v.version)?.passed ?? null }));
    return c.json({ items }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/versions'], tags: ['Versions'], summary: 'Save the draft as a new immutable version (runs its mapping tests)', roles: EDITORS,
  }, async (c) => {
    const user = currentUser(c);
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const { message } = c.req.valid('json');
    const problems = validateDocument(ctx, flow.draft);
    if (problems.length) throw new ApiProblem(422, `The draft has ${problems.length} problem(s); fix them before saving a version.`, { problems: problemItems(problems) });
    const version = await ctx.store.saveVersion(flow.id, flow.draft, user.username, message);
    await ctx.repos.audit.append({ actor: user.username, action: 'version.saved', entity: 'version', entityId: `${flow.id}@${version.version}`, after: { flowId: flow.id, version: version.version, hash: version.hash, message } });
    const testsPassed = await recordTestResults(ctx, flow.id, version.version, version.document);
    return c.json({ ...version, testsPassed }, 201);
  });

  defineRoute(app, {
    ...api['GET /api/flows/{id}/versions/{version}'], tags: ['Versions'], summary: 'One version', roles: ANY_ROLE,
  }, async (c) => {
    const { id, version } = c.req.valid('param');
    await requireFlow(ctx, id);
    return c.json(await requireVersion(ctx, id, version), 200);
  });

  defineRoute(app, {
    ...api['GET /api/flows/{id}/diff'], tags: ['Versions'], summary: 'Structured diff between two versions (or a version and the draft)', roles: ANY_ROLE,
    description: 'Nodes added and removed, config fields changed (old → new), JSONata expressions as line diffs, and layout-only moves reported apart from semantic changes.',
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const { from, to } = c.req.valid('query');
    if (from === to) throw badRequest('from and to are the same.', [{ path: 'to', message: 'pick a different version' }]);
    const docOf = async (v: number | 'draft') => (v === 'draft' ? flow.draft : (await requireVersion(ctx, flow.id, v)).document);
    const label = (v: number | 'draft') => (v === 'draft' ? 'draft' : `version ${v}`);
    return c.json(diffFlows(await docOf(from), await docOf(to), { from: label(from), to: label(to) }, { catalog: ctx.catalog }), 200);
  });
}
