/** Flows and their drafts: list, create, read, save draft, duplicate, delete, import, export, validate. */
import { requireFlow, requireVersion, validateDocument } from '../../app/flow-checks.ts';
import { createFlow, deleteFlow, duplicateFlow, flowSummary, importFlow, listFlows, saveDraft } from '../../app/flows.ts';
import { nodeTypeDeclarations } from '../../app/node-types.ts';
import { ADMINS, ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { exportDocument } from '../services/flow-support.ts';

export { requireFlow } from '../../app/flow-checks.ts';

export function registerFlowRoutes(app: Api, ctx: ApiContext): void {

  defineRoute(app, {
    ...api['GET /api/node-types'], tags: ['Flows'], summary: 'Node types: ports, config schemas and defaults', roles: ANY_ROLE,
  }, (c) => c.json(nodeTypeDeclarations(ctx.catalog), 200));

  defineRoute(app, {
    ...api['GET /api/flows'], tags: ['Flows'], summary: 'List flows', roles: ANY_ROLE,
  }, async (c) => {
    return c.json({ items: await listFlows(ctx, c.req.valid('query').search) }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows'], tags: ['Flows'], summary: 'Create a flow from a document (its draft may have problems)', roles: EDITORS,
  }, async (c) => {
    const row = await createFlow(ctx, currentUser(c).username, c.req.valid('json').document);
    return c.json({ ...(await flowSummary(ctx, row)), draft: row.draft, revision: row.revision, problems: validateDocument(ctx, row.draft) }, 201);
  });

  defineRoute(app, {
    ...api['GET /api/flows/{id}'], tags: ['Flows'], summary: 'A flow with its draft and the draft\'s problems', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    return c.json({ ...(await flowSummary(ctx, flow)), draft: flow.draft, revision: flow.revision, problems: validateDocument(ctx, flow.draft) }, 200);
  });

  defineRoute(app, {
    ...api['PUT /api/flows/{id}/draft'], tags: ['Flows'], summary: 'Save the draft (saved even with problems; they are returned)', roles: EDITORS,
    description: 'Send `revision`, the draft revision the document is based on (from `GET /api/flows/{id}` or the last save): when someone saved the draft since, '
      + 'nothing is saved and the answer is 409 with the current `revision`, `updatedBy`, `updatedAt` and `draft`, to reload or to overwrite by saving again with that revision. '
      + 'Without `revision` the draft is overwritten unconditionally. The document is stored as sent: object keys keep their order.',
  }, async (c) => {
    const { document, revision } = c.req.valid('json');
    const row = await saveDraft(ctx, currentUser(c).username, { flowId: c.req.valid('param').id, document, revision });
    return c.json({ draft: row.draft, revision: row.revision, problems: validateDocument(ctx, row.draft) }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/duplicate'], tags: ['Flows'], summary: 'Copy a flow\'s draft into a new flow', roles: EDITORS,
  }, async (c) => {
    const row = await duplicateFlow(ctx, currentUser(c).username, c.req.valid('param').id, c.req.valid('json'));
    return c.json(await flowSummary(ctx, row), 201);
  });

  defineRoute(app, {
    ...api['DELETE /api/flows/{id}'], tags: ['Flows'], summary: 'Delete a flow that is deployed nowhere (with its versions)', roles: ADMINS,
  }, async (c) => {
    await deleteFlow(ctx, currentUser(c).username, c.req.valid('param').id);
    return c.body(null, 204);
  });

  defineRoute(app, {
    ...api['GET /api/flows/{id}/export'], tags: ['Flows'], summary: 'Download the flow file (draft, or ?version=N); never contains secrets', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const { version } = c.req.valid('query');
    let doc = flow.draft;
    if (version !== undefined) doc = (await requireVersion(ctx, flow.id, version)).document;
    c.header('Content-Disposition', `attachment; filename="${flow.id}${version ? `.v${version}` : ''}.flow.json"`);
    return c.json(exportDocument(doc), 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/import'], tags: ['Flows'], summary: 'Import a flow file (must be valid)', roles: EDITORS,
  }, async (c) => {
    const { document, overwriteDraft } = c.req.valid('json');
    const row = await importFlow(ctx, currentUser(c).username, document, overwriteDraft);
    return c.json(await flowSummary(ctx, row), 201);
  });

  defineRoute(app, {
    ...api['POST /api/flows/validate'], tags: ['Flows'], summary: 'Check a flow document; every problem at once', roles: ANY_ROLE,
  }, (c) => c.json({ problems: validateDocument(ctx, c.req.valid('json').document) }, 200));

  defineRoute(app, {
    ...api['GET /api/flows/{id}/samples'], tags: ['Designing'], summary: 'Sample documents stored with the flow', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    return c.json({ items: await ctx.repos.samples.listSamples(flow.id) }, 200);
  });
}
