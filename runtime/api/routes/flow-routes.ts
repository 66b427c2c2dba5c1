/** Flows and their drafts: list, create, read, save draft, duplicate, delete, import, export, validate. */
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { outputPorts } from '../../../nodes/define-node.ts';
import { ADMINS, ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { ApiProblem, conflict, notFound } from '../problem.ts';
import { DraftConflictError } from '../../store/flows-repo.ts';
import { assertStorableDraft, assertValidFlow, exportDocument, validateDocument } from '../services/flow-support.ts';
import { documentFingerprint, flowSummaries, flowSummary } from '../services/flow-summaries.ts';

export async function requireFlow(ctx: ApiContext, id: string) {
  const flow = await ctx.store.getFlow(id);
  if (!flow) throw notFound(`Flow '${id}' does not exist.`);
  return flow;
}

export function registerFlowRoutes(app: Api, ctx: ApiContext): void {
  const { audit } = ctx.repos;

  defineRoute(app, {
    ...api['GET /api/node-types'], tags: ['Flows'], summary: 'Node types: ports, config schemas and defaults', roles: ANY_ROLE,
  }, (c) => c.json(ctx.catalog.all().map((d) => ({
    type: d.type, version: d.version, title: d.title, description: d.description, category: d.category,
    inputs: d.inputs, outputs: outputPorts(d, d.defaults), configSchema: d.configSchema, defaults: d.defaults,
  })), 200));

  defineRoute(app, {
    ...api['GET /api/flows'], tags: ['Flows'], summary: 'List flows', roles: ANY_ROLE,
  }, async (c) => {
    const search = c.req.valid('query').search?.toLowerCase();
    const flows = (await ctx.store.listFlows()).filter((f) => !search || f.id.includes(search) || f.name.toLowerCase().includes(search) || (f.description ?? '').toLowerCase().includes(search));
    return c.json({ items: await flowSummaries(ctx, flows) }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows'], tags: ['Flows'], summary: 'Create a flow from a document (its draft may have problems)', roles: EDITORS,
  }, async (c) => {
    const user = currentUser(c);
    const doc = c.req.valid('json').document;
    assertStorableDraft(doc);
    if (await ctx.store.getFlow(doc.id)) throw conflict(`A flow with id '${doc.id}' already exists.`);
    const row = await ctx.store.saveDraft(doc, user.username);
    await audit.append({ actor: user.username, action: 'flow.created', entity: 'flow', entityId: doc.id, after: documentFingerprint(doc) });
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
    const user = currentUser(c);
    const { id } = c.req.valid('param');
    const { document: doc, revision } = c.req.valid('json');
    const before = await requireFlow(ctx, id);
    assertStorableDraft(doc, id);
    let row: Awaited<ReturnType<typeof ctx.store.saveDraft>>;
    try {
      row = await ctx.store.saveDraft(doc, user.username, revision);
    } catch (err) {
      if (!(err instanceof DraftConflictError)) throw err;
      const { current } = err;
      throw new ApiProblem(409, err.message, { title: 'The draft was changed by someone else', extra: { revision: current.revision, updatedBy: current.updatedBy, updatedAt: current.updatedAt, draft: current.draft } });
    }
    await audit.append({ actor: user.username, action: 'flow.draft.saved', entity: 'flow', entityId: id, before: { ...documentFingerprint(before.draft), revision: before.revision }, after: { ...documentFingerprint(doc), revision: row.revision } });
    return c.json({ draft: row.draft, revision: row.revision, problems: validateDocument(ctx, row.draft) }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/duplicate'], tags: ['Flows'], summary: 'Copy a flow\'s draft into a new flow', roles: EDITORS,
  }, async (c) => {
    const user = currentUser(c);
    const source = await requireFlow(ctx, c.req.valid('param').id);
    const { id, name } = c.req.valid('json');
    const doc: FlowDocument = { ...source.draft, id, name };
    assertStorableDraft(doc);
    if (await ctx.store.getFlow(id)) throw conflict(`A flow with id '${id}' already exists.`);
    const row = await ctx.store.saveDraft(doc, user.username);
    await audit.append({ actor: user.username, action: 'flow.created', entity: 'flow', entityId: id, after: { ...documentFingerprint(doc), duplicateOf: source.id } });
    return c.json(await flowSummary(ctx, row), 201);
  });

  defineRoute(app, {
    ...api['DELETE /api/flows/{id}'], tags: ['Flows'], summary: 'Delete a flow that is deployed nowhere (with its versions)', roles: ADMINS,
  }, async (c) => {
    const user = currentUser(c);
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const deployed = await ctx.repos.deployments.listDeployments(flow.id);
    if (deployed.length) throw conflict(`Flow '${flow.id}' is deployed to ${deployed.map((d) => d.environment).join(', ')}; it cannot be deleted while it runs anywhere.`);
    const versions = await ctx.store.listVersions(flow.id);
    await ctx.repos.sql.transaction(async (tx) => {
      await tx.query('delete from version_test_results where flow_id = $1', [flow.id]);
      await tx.query('delete from flow_versions where flow_id = $1', [flow.id]);
      await tx.query('delete from flows where id = $1', [flow.id]);
      await audit.append({ actor: user.username, action: 'flow.deleted', entity: 'flow', entityId: flow.id, before: { ...documentFingerprint(flow.draft), versions: versions.length } }, tx);
    });
    return c.body(null, 204);
  });

  defineRoute(app, {
    ...api['GET /api/flows/{id}/export'], tags: ['Flows'], summary: 'Download the flow file (draft, or ?version=N); never contains secrets', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const { version } = c.req.valid('query');
    let doc = flow.draft;
    if (version !== undefined) {
      const v = await ctx.store.getVersion(flow.id, version);
      if (!v) throw notFound(`Flow '${flow.id}' has no version ${version}.`);
      doc = v.document;
    }
    c.header('Content-Disposition', `attachment; filename="${flow.id}${version ? `.v${version}` : ''}.flow.json"`);
    return c.json(exportDocument(doc), 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/import'], tags: ['Flows'], summary: 'Import a flow file (must be valid)', roles: EDITORS,
  }, async (c) => {
    const user = currentUser(c);
    const { document, overwriteDraft } = c.req.valid('json');
    assertStorableDraft(document);
    assertValidFlow(ctx, document, `Flow '${document.id}'`);
    const existing = await ctx.store.getFlow(document.id);
    if (existing && !overwriteDraft) throw conflict(`Flow '${document.id}' already exists; import with overwriteDraft: true to replace its draft.`);
    const row = await ctx.store.saveDraft(document, user.username);
    await audit.append({ actor: user.username, action: existing ? 'flow.draft.imported' : 'flow.imported', entity: 'flow', entityId: document.id, before: existing ? documentFingerprint(existing.draft) : null, after: documentFingerprint(document) });
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
