/** Immutable numbered versions of a flow, and the structured diff between any two. */
import { diffFlows } from '../../../nodes/flow-diff.ts';
import { requireFlow, requireVersion } from '../../app/flow-checks.ts';
import { saveVersion } from '../../app/flows.ts';
import { ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { badRequest } from '../problem.ts';

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
    return c.json(await saveVersion(ctx, currentUser(c).username, c.req.valid('param').id, c.req.valid('json').message), 201);
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
