/** Designing and testing: dry-run test runs, sample parsing and mapping tests. Nothing is written to targets. */
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import type { SourceBehaviour } from '../../../nodes/define-node.ts';
import { resolveNodeConfig } from '../../../nodes/node-config.ts';
import { EMPTY_REFERENCE_DATA } from '../../../nodes/reference-data.ts';
import { toFlowError } from '../../../nodes/errors.ts';
import { EDITORS } from '../../auth/roles.ts';
import { referenceSets } from '../../preview/preview-job.ts';
import { runPreview } from '../../preview/run-preview.ts';
import { devLookups, PREVIEW_ENVIRONMENT } from '../../preview/preview-lookups.ts';
import { runtimeFetch } from '../../connectors/http-client.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import type { TestRunResult } from '../contract/schemas.ts';
import { ApiProblem, badRequest } from '../problem.ts';
import { assertStorableDraft, assertValidFlow, referenceFor, requireFlow } from '../../app/flow-checks.ts';
import { runDraftMappingTests } from '../../app/mapping-test-runs.ts';
import { bytesInput, sampleBytes } from '../services/flow-support.ts';

const MAX_RECORDS_SHOWN = 1000;
const TEST_RUN_TIMEOUT_MS = 60_000;

function sourceNode(doc: FlowDocument, ctx: ApiContext, sourceNodeId?: string) {
  const node = sourceNodeId
    ? doc.nodes.find((n) => n.id === sourceNodeId)
    : doc.nodes.find((n) => ctx.catalog.get(n.type)?.category === 'source');
  const decl = node && ctx.catalog.get(node.type);
  if (!node || !decl || decl.category !== 'source') {
    const path = sourceNodeId ? '/sourceNodeId' : '/document/nodes';
    throw new ApiProblem(422, sourceNodeId ? `Node '${sourceNodeId}' is not a source node of this flow.` : 'The flow has no source node to read the sample with.', { problems: [{ path, message: 'no such source node', ...(sourceNodeId ? { nodeId: sourceNodeId } : {}) }] });
  }
  return { node, decl };
}

export function registerDesignRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['POST /api/flows/{id}/test-run'], tags: ['Designing'], summary: 'Dry-run the draft (or a given document) on a sample or records', roles: EDITORS,
    description: 'Targets are not written, the idempotency ledger is not touched and nothing is stored. Lookups query the dev environment\'s binding of their connection (at most 50 queries and 10,000 rows per test run); a connection not bound in dev leaves their records "not evaluated". Returns every node\'s captured output and the first 1000 record traces.',
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const body = c.req.valid('json');
    const doc = (body.document ?? flow.draft) as FlowDocument;
    if (body.document) assertStorableDraft(body.document, flow.id);
    assertValidFlow(ctx, doc, 'The flow');
    if (!body.sample && !body.records) throw badRequest('Give a sample document or records to run on.', [{ path: '/sample', message: 'sample or records is required' }]);
    const input = body.records
      ? { kind: 'records' as const, records: body.records, sourceNodeId: body.sourceNodeId }
      : { kind: 'document' as const, name: body.sample!.name, bytes: await sampleBytes(ctx, flow.id, body.sample!), sourceNodeId: body.sourceNodeId };
    const reference = referenceSets(await referenceFor(ctx, doc));
    // Lookups read the dev environment's connections, queried here on the main thread (never in the preview
    // worker); opened at the first lookup's first batch, closed when the test run ends.
    const lookups = devLookups(doc, {
      connections: ctx.connections, fetch: ctx.deps.fetch ?? runtimeFetch(),
      boundNames: async () => (await ctx.repos.connections.listConnections(PREVIEW_ENVIRONMENT)).map((row) => row.name),
    });
    try {
      const result = await runPreview(ctx, {
        kind: 'test-run', doc, evaluator: ctx.evaluators.for(doc).name, reference, input,
        captureOutputs: body.captureOutputs ?? 100, maxTraces: MAX_RECORDS_SHOWN, timeoutMs: TEST_RUN_TIMEOUT_MS,
      }, lookups);
      return c.json(result as TestRunResult, 200);
    } finally {
      await lookups.close();
    }
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/samples'], tags: ['Designing'], summary: 'Store a sample document with the flow, for every designer session', roles: EDITORS,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const body = c.req.valid('json');
    if (body.content === undefined && body.contentBase64 === undefined) throw new ApiProblem(400, 'Send the sample\'s content (text) or contentBase64.', { problems: [{ path: '/content', message: 'missing' }] });
    // A file name only: stored samples are listed and read by name.
    const name = body.name.split(/[\\/]/).pop()!.trim();
    await ctx.repos.samples.putSample(flow.id, name, await sampleBytes(ctx, flow.id, body));
    return c.json((await ctx.repos.samples.listSamples(flow.id)).find((s) => s.name === name)!, 201);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/samples/parse'], tags: ['Designing'], summary: 'Parse a sample with the flow\'s source node', roles: EDITORS,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const body = c.req.valid('json');
    const { node, decl } = sourceNode(flow.draft, ctx, body.sourceNodeId);
    const resolved = resolveNodeConfig(decl, node);
    if (!resolved.ok) throw new ApiProblem(422, resolved.message, { problems: [{ path: '/sourceNodeId', message: resolved.message, nodeId: node.id }] });
    const bytes = await sampleBytes(ctx, flow.id, body);
    const records: unknown[] = [];
    let total = 0;
    try {
      const evaluator = ctx.evaluators.for(flow.draft);
      const behaviour = decl.create(resolved.config, { nodeId: node.id, evaluator, reference: EMPTY_REFERENCE_DATA, functions: {} }) as SourceBehaviour;
      const signal = AbortSignal.timeout(TEST_RUN_TIMEOUT_MS);
      const noConnections = { sql: () => { throw new Error('parsing a sample does not connect to databases'); }, http: () => { throw new Error('parsing a sample does not call APIs'); } };
      for await (const record of behaviour.read({ input: bytesInput(body.name, bytes), connections: noConnections, proposeWatermark: () => {}, signal })) {
        if (signal.aborted) break;
        if (records.length < MAX_RECORDS_SHOWN) records.push(record);
        total++;
      }
    } catch (err) {
      const e = toFlowError(err, 'validation', { nodeId: node.id });
      throw new ApiProblem(422, e.message, { problems: [{ path: '/content', message: e.message, nodeId: node.id, ...(e.details.position !== undefined ? { position: e.details.position } : {}) }] });
    }
    return c.json({ records, total }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/mapping-tests/run'], tags: ['Designing'], summary: 'Run the mapping tests of the draft (or a given document)', roles: EDITORS,
  }, async (c) => {
    return c.json(await runDraftMappingTests(ctx, c.req.valid('param').id, c.req.valid('json')?.document), 200);
  });
}
