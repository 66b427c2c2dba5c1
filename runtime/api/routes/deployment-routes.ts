/** Deployments, promotions (four-eyes for prod), rollback and the release impact preview. */
import { z } from '@hono/zod-openapi';
import { ADMINS, ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute, jsonBody, jsonResponse, pathParams } from '../define-route.ts';
import { currentUser } from '../middleware/auth.ts';
import { DeploymentSchema, ItemsOf, PromotionSchema } from '../schemas.ts';
import { approvePromotion, deploymentView, deployVersion, promotionView, rejectPromotion, requestPromotion } from '../../app/deployments.ts';
import { requireFlow } from '../../app/flow-checks.ts';
import { impactPreview } from '../../app/impact-preview.ts';

const Target = z.object({ environment: z.string().min(1), version: z.number().int().positive() });

export function registerDeploymentRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}/deployments', tags: ['Deployments'], summary: 'What each environment runs', roles: ANY_ROLE,
    request: { params: pathParams('id') },
    responses: { 200: jsonResponse(ItemsOf(DeploymentSchema), 'Deployments'), 404: { description: 'No such flow' } },
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    return c.json({ items: (await ctx.repos.deployments.listDeployments(flow.id)).map(deploymentView) }, 200);
  });

  defineRoute(app, {
    method: 'get', path: '/api/flows/{id}/deployments/history', tags: ['Deployments'], summary: 'Every deployment, promotion and rollback, newest first', roles: ANY_ROLE,
    request: { params: pathParams('id'), query: z.object({ environment: z.string().optional() }) },
    responses: { 200: jsonResponse(ItemsOf(DeploymentSchema.extend({ kind: z.string(), promotionId: z.string().nullable() })), 'History') },
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const items = await ctx.repos.deployments.deploymentHistory(flow.id, c.req.valid('query').environment);
    return c.json({ items: items.map((h) => ({ ...deploymentView(h), kind: h.kind, promotionId: h.promotionId })) }, 200);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows/{id}/deployments', tags: ['Deployments'], summary: 'Deploy a version directly (dev: analyst or admin; later environments: admin; prod: only by promotion)', roles: EDITORS,
    request: { params: pathParams('id'), body: jsonBody(Target) },
    responses: { 201: jsonResponse(DeploymentSchema, 'Deployed'), 404: { description: 'No such flow, version or environment' }, 409: { description: 'The environment needs an approved promotion' }, 422: { description: 'Mapping tests fail (listed)' } },
  }, async (c) => {
    const body = c.req.valid('json');
    return c.json(await deployVersion(ctx, currentUser(c), { flowId: c.req.valid('param').id, ...body, kind: 'deploy' }), 201);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows/{id}/rollback', tags: ['Deployments'], summary: 'Deploy a version that ran in the environment before', roles: EDITORS,
    request: { params: pathParams('id'), body: jsonBody(Target) },
    responses: { 201: jsonResponse(DeploymentSchema, 'Rolled back'), 404: { description: 'No such flow, version or environment' }, 422: { description: 'The version never ran there' } },
  }, async (c) => {
    const body = c.req.valid('json');
    return c.json(await deployVersion(ctx, currentUser(c), { flowId: c.req.valid('param').id, ...body, kind: 'rollback' }), 201);
  });

  defineRoute(app, {
    method: 'post', path: '/api/flows/{id}/promotions', tags: ['Deployments'], summary: 'Request a promotion of a version to an environment', roles: EDITORS,
    request: { params: pathParams('id'), body: jsonBody(Target) },
    responses: { 201: jsonResponse(PromotionSchema, 'Pending promotion'), 409: { description: 'Already pending or already deployed' }, 422: { description: 'Mapping tests fail (listed)' } },
  }, async (c) => {
    const user = currentUser(c);
    const p = await requestPromotion(ctx, user, { flowId: c.req.valid('param').id, ...c.req.valid('json') });
    return c.json(await promotionView(ctx, user, p), 201);
  });

  defineRoute(app, {
    method: 'get', path: '/api/promotions', tags: ['Deployments'], summary: 'Promotions, with whether you may approve each', roles: ANY_ROLE,
    request: { query: z.object({ status: z.enum(['pending', 'approved', 'rejected']).optional(), flow: z.string().optional() }) },
    responses: { 200: jsonResponse(ItemsOf(PromotionSchema), 'Promotions') },
  }, async (c) => {
    const user = currentUser(c);
    const { status, flow } = c.req.valid('query');
    const rows = await ctx.repos.deployments.listPromotions({ status, flowId: flow });
    const items = [];
    for (const p of rows) items.push(await promotionView(ctx, user, p));
    return c.json({ items }, 200);
  });

  defineRoute(app, {
    method: 'post', path: '/api/promotions/{id}/approve', tags: ['Deployments'], summary: 'Approve and deploy (admin who authored no change in the version; tests must pass)', roles: ADMINS,
    request: { params: pathParams('id') },
    responses: { 200: jsonResponse(z.object({ promotion: PromotionSchema, deployment: DeploymentSchema }), 'Approved and deployed'), 404: { description: 'No such promotion' }, 409: { description: 'Already decided' }, 422: { description: 'Mapping tests fail' } },
  }, async (c) => c.json(await approvePromotion(ctx, currentUser(c), c.req.valid('param').id), 200));

  defineRoute(app, {
    method: 'post', path: '/api/promotions/{id}/reject', tags: ['Deployments'], summary: 'Reject a pending promotion (admin, or the requester withdrawing it)', roles: EDITORS,
    request: { params: pathParams('id'), body: jsonBody(z.object({ reason: z.string().min(1).max(2000) })) },
    responses: { 200: jsonResponse(PromotionSchema, 'Rejected'), 404: { description: 'No such promotion' }, 409: { description: 'Already decided' } },
  }, async (c) => c.json(await rejectPromotion(ctx, currentUser(c), c.req.valid('param').id, c.req.valid('json').reason), 200));

  defineRoute(app, {
    method: 'post', path: '/api/flows/{id}/impact-preview', tags: ['Deployments'], summary: 'Dry-run a version against the environment\'s last recorded inputs and compare with what runs there', roles: ADMINS,
    request: { params: pathParams('id'), body: jsonBody(z.object({ version: z.number().int().positive(), environment: z.string().min(1), limit: z.number().int().min(1).max(1000).optional() })) },
    responses: { 200: jsonResponse(z.looseObject({ compared: z.number(), changed: z.number(), newlyInvalid: z.number(), newlyValid: z.number(), records: z.array(z.unknown()) }).openapi('ImpactPreview'), 'Record-by-record comparison'), 409: { description: 'Nothing deployed to compare with' } },
  }, async (c) => {
    const body = c.req.valid('json');
    return c.json(await impactPreview(ctx, { flowId: c.req.valid('param').id, version: body.version, environment: body.environment, limit: body.limit ?? 100 }), 200);
  });
}
