/** Flows and their drafts: list, create, read, save draft, duplicate, delete, import, export, validate. */
import { z } from '@hono/zod-openapi';
import { requireFlow, requireVersion, validateDocument } from '../../app/flow-checks.ts';
import { createFlow, deleteFlow, duplicateFlow, flowSummary, importFlow, listFlows, saveDraft } from '../../app/flows.ts';
import { nodeTypeDeclarations } from '../../app/node-types.ts';
import { ADMINS, ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute, jsonBody, jsonResponse, pathParams } from '../define-route.ts';
import { currentUser } from '../middleware/auth.ts';
import { FlowDetailSchema, FlowDocumentInput, FlowDocumentSchema, FlowProblemSchema, FlowSummarySchema, ItemsOf } from '../schemas.ts';
import { exportDocument } from '../services/flow-support.ts';

export { requireFlow } from '../../app/flow-checks.ts';

export function registerFlowRoutes(app: Api, ctx: ApiContext): void {

  defineRoute(app, {
    method: 'get', path: '/api/node-types', tags: ['Flows'], summary: 'Node types: ports, config schemas and defaults', roles: ANY_ROLE,
    responses: { 200: jsonResponse(z.array(z.looseObject({ type: z.string(), version: z.number(), category: z.string() })), 'Node type declarations') },
  }, (c) => c.json(nodeTypeDeclarations(ctx.catalog), 200));

  defineRoute(app, {
    method: 'get', path: '/api/flows', tags: ['Flows'], summary: 'List flows', roles: ANY_ROLE,
    request: { query: z.object({ search: z.string().max(200).optional() }) },
    responses: { 200: jsonResponse(ItemsOf(FlowSummarySchema), 'Flows') },
  }, async (c) => {
    return c.json({ items: await listFlows(ctx, c.req.valid('query').search) }, 200);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows', tags: ['Flows'], summary: 'Create a flow from a document (its draft may have problems)', roles: EDITORS,
    request: { body: jsonBody(z.object({ document: FlowDocumentInput })) },
    responses: { 201: jsonResponse(FlowSummarySchema.extend({ draft: FlowDocumentSchema, revision: z.number().int(), problems: z.array(FlowProblemSchema) }), 'Created'), 409: { description: 'A flow with that id exists' }, 422: { description: 'No usable id or name' } },
  }, async (c) => {
    const row = await createFlow(ctx, currentUser(c).username, c.req.valid('json').document);
    return c.json({ ...(await flowSummary(ctx, row)), draft: row.draft, revision: row.revision, problems: validateDocument(ctx, row.draft) }, 201);
  });

  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}', tags: ['Flows'], summary: 'A flow with its draft and the draft\'s problems', roles: ANY_ROLE,
    request: { params: pathParams('id') },
    responses: { 200: jsonResponse(FlowDetailSchema, 'The flow'), 404: { description: 'No such flow' } },
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    return c.json({ ...(await flowSummary(ctx, flow)), draft: flow.draft, revision: flow.revision, problems: validateDocument(ctx, flow.draft) }, 200);
  });

  defineRoute(app, {
    method: 'put', path: '/api/flows/{id}/draft', tags: ['Flows'], summary: 'Save the draft (saved even with problems; they are returned)', roles: EDITORS,
    description: 'Send `revision`, the draft revision the document is based on (from `GET /api/flows/{id}` or the last save): when someone saved the draft since, '
      + 'nothing is saved and the answer is 409 with the current `revision`, `updatedBy`, `updatedAt` and `draft`, to reload or to overwrite by saving again with that revision. '
      + 'Without `revision` the draft is overwritten unconditionally. The document is stored as sent: object keys keep their order.',
    request: { params: pathParams('id'), body: jsonBody(z.object({ document: FlowDocumentInput, revision: z.number().int().positive().optional() })) },
    responses: {
      200: jsonResponse(z.object({ draft: FlowDocumentSchema, revision: z.number().int(), problems: z.array(FlowProblemSchema) }), 'Saved'),
      404: { description: 'No such flow' },
      409: { description: 'The draft was saved by someone else since `revision` (nothing saved)' },
    },
  }, async (c) => {
    const { document, revision } = c.req.valid('json');
    const row = await saveDraft(ctx, currentUser(c).username, { flowId: c.req.valid('param').id, document, revision });
    return c.json({ draft: row.draft, revision: row.revision, problems: validateDocument(ctx, row.draft) }, 200);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows/{id}/duplicate', tags: ['Flows'], summary: 'Copy a flow\'s draft into a new flow', roles: EDITORS,
    request: { params: pathParams('id'), body: jsonBody(z.object({ id: z.string().min(1).max(63), name: z.string().min(1).max(200) })) },
    responses: { 201: jsonResponse(FlowSummarySchema, 'Created'), 404: { description: 'No such flow' }, 409: { description: 'The new id is taken' } },
  }, async (c) => {
    const row = await duplicateFlow(ctx, currentUser(c).username, c.req.valid('param').id, c.req.valid('json'));
    return c.json(await flowSummary(ctx, row), 201);
  });

  defineRoute(app, {
    method: 'delete', path: '/api/flows/{id}', tags: ['Flows'], summary: 'Delete a flow that is deployed nowhere (with its versions)', roles: ADMINS,
    request: { params: pathParams('id') },
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such flow' }, 409: { description: 'Still deployed' } },
  }, async (c) => {
    await deleteFlow(ctx, currentUser(c).username, c.req.valid('param').id);
    return c.body(null, 204);
  });

  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}/export', tags: ['Flows'], summary: 'Download the flow file (draft, or ?version=N); never contains secrets', roles: ANY_ROLE,
    request: { params: pathParams('id'), query: z.object({ version: z.coerce.number().int().positive().optional() }) },
    responses: { 200: jsonResponse(FlowDocumentSchema, 'The flow file (Content-Disposition: attachment)'), 404: { description: 'No such flow or version' } },
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const { version } = c.req.valid('query');
    let doc = flow.draft;
    if (version !== undefined) doc = (await requireVersion(ctx, flow.id, version)).document;
    c.header('Content-Disposition', `attachment; filename="${flow.id}${version ? `.v${version}` : ''}.flow.json"`);
    return c.json(exportDocument(doc), 200);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows/import', tags: ['Flows'], summary: 'Import a flow file (must be valid)', roles: EDITORS,
    request: { body: jsonBody(z.object({ document: FlowDocumentInput, overwriteDraft: z.boolean().optional() })) },
    responses: { 201: jsonResponse(FlowSummarySchema, 'Imported'), 409: { description: 'The flow exists and overwriteDraft is not set' }, 422: { description: 'The flow has problems (all listed)' } },
  }, async (c) => {
    const { document, overwriteDraft } = c.req.valid('json');
    const row = await importFlow(ctx, currentUser(c).username, document, overwriteDraft);
    return c.json(await flowSummary(ctx, row), 201);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows/validate', tags: ['Flows'], summary: 'Check a flow document; every problem at once', roles: ANY_ROLE,
    request: { body: jsonBody(z.object({ document: z.unknown() })) },
    responses: { 200: jsonResponse(z.object({ problems: z.array(FlowProblemSchema) }), 'Problems (empty when valid)') },
  }, (c) => c.json({ problems: validateDocument(ctx, c.req.valid('json').document) }, 200));

  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}/samples', tags: ['Designing'], summary: 'Sample documents stored with the flow', roles: ANY_ROLE,
    request: { params: pathParams('id') },
    responses: { 200: jsonResponse(ItemsOf(z.object({ name: z.string(), size: z.number().int(), createdAt: z.string() })), 'Samples') },
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    return c.json({ items: await ctx.repos.samples.listSamples(flow.id) }, 200);
  });
}
