/** Immutable numbered versions of a flow, and the structured diff between any two. */
import { z } from '@hono/zod-openapi';
import { diffFlows } from '../../../nodes/flow-diff.ts';
import { requireFlow, requireVersion } from '../../app/flow-checks.ts';
import { saveVersion } from '../../app/flows.ts';
import { ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute, jsonBody, jsonResponse, pathParams } from '../define-route.ts';
import { currentUser } from '../middleware/auth.ts';
import { badRequest } from '../problem.ts';
import { ItemsOf, VersionInfoSchema, VersionRowSchema } from '../schemas.ts';

const versionParam = (name: string) => z.union([z.literal('draft'), z.coerce.number().int().positive()]).openapi({ param: { name, in: 'query' }, description: 'A version number or `draft`' });

export function registerVersionRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}/versions', tags: ['Versions'], summary: 'Versions of a flow, newest first', roles: ANY_ROLE,
    request: { params: pathParams('id') },
    responses: { 200: jsonResponse(ItemsOf(VersionInfoSchema), 'Versions'), 404: { description: 'No such flow' } },
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const [versions, tests] = await Promise.all([ctx.store.listVersions(flow.id), ctx.repos.deployments.testResultsOf(flow.id)]);
    const items = versions.reverse().map((v) => ({ version: v.version, author: v.author, message: v.message, createdAt: v.createdAt, hash: v.hash, testsPassed: tests.get(v.version)?.passed ?? null }));
    return c.json({ items }, 200);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows/{id}/versions', tags: ['Versions'], summary: 'Save the draft as a new immutable version (runs its mapping tests)', roles: EDITORS,
    request: { params: pathParams('id'), body: jsonBody(z.object({ message: z.string().min(1).max(2000) })) },
    responses: { 201: jsonResponse(VersionRowSchema.extend({ testsPassed: z.boolean().nullable() }), 'The new version'), 404: { description: 'No such flow' }, 422: { description: 'The draft has problems (all listed)' } },
  }, async (c) => {
    return c.json(await saveVersion(ctx, currentUser(c).username, c.req.valid('param').id, c.req.valid('json').message), 201);
  });

  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}/versions/{version}', tags: ['Versions'], summary: 'One version', roles: ANY_ROLE,
    request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }), version: z.coerce.number().int().positive().openapi({ param: { name: 'version', in: 'path' } }) }) },
    responses: { 200: jsonResponse(VersionRowSchema, 'The version'), 404: { description: 'No such flow or version' } },
  }, async (c) => {
    const { id, version } = c.req.valid('param');
    await requireFlow(ctx, id);
    return c.json(await requireVersion(ctx, id, version), 200);
  });

  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}/diff', tags: ['Versions'], summary: 'Structured diff between two versions (or a version and the draft)', roles: ANY_ROLE,
    description: 'Nodes added and removed, config fields changed (old → new), JSONata expressions as line diffs, and layout-only moves reported apart from semantic changes.',
    request: { params: pathParams('id'), query: z.object({ from: versionParam('from'), to: versionParam('to') }) },
    responses: { 200: jsonResponse(z.looseObject({ summary: z.record(z.string(), z.unknown()) }).openapi('FlowDiff'), 'The diff (FlowDiff in nodes/flow-diff.ts)'), 404: { description: 'No such flow or version' } },
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const { from, to } = c.req.valid('query');
    if (from === to) throw badRequest('from and to are the same.', [{ path: 'to', message: 'pick a different version' }]);
    const docOf = async (v: number | 'draft') => (v === 'draft' ? flow.draft : (await requireVersion(ctx, flow.id, v)).document);
    const label = (v: number | 'draft') => (v === 'draft' ? 'draft' : `version ${v}`);
    return c.json(diffFlows(await docOf(from), await docOf(to), { from: label(from), to: label(to) }, { catalog: ctx.catalog }), 200);
  });
}
