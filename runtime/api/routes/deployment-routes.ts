/** Deployments, promotions (four-eyes for prod), rollback and the release impact preview. */
import { ADMINS, ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { approvePromotion, deploymentView, deployVersion, promotionView, rejectPromotion, requestPromotion } from '../../app/deployments.ts';
import { requireFlow } from '../../app/flow-checks.ts';
import { impactPreview } from '../../app/impact-preview.ts';
import { connectionReadiness } from '../../app/connection-readiness.ts';


export function registerDeploymentRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/flows/{id}/deployments'], tags: ['Deployments'], summary: 'What each environment runs', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    return c.json({ items: (await ctx.repos.deployments.listDeployments(flow.id)).map(deploymentView) }, 200);
  });

  defineRoute(app, {
    ...api['GET /api/flows/{id}/deployments/history'], tags: ['Deployments'], summary: 'Every deployment, promotion and rollback, newest first', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const items = await ctx.repos.deployments.deploymentHistory(flow.id, c.req.valid('query').environment);
    return c.json({ items: items.map((h) => ({ ...deploymentView(h), kind: h.kind, promotionId: h.promotionId })) }, 200);
  });

  defineRoute(app, {
    ...api['GET /api/flows/{id}/versions/{version}/readiness'], tags: ['Deployments'], summary: 'Before deploying: the connections each environment does not bind', roles: ANY_ROLE,
  }, async (c) => {
    const { id, version } = c.req.valid('param');
    return c.json(await connectionReadiness(ctx, { flowId: id, version }), 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/deployments'], tags: ['Deployments'], summary: 'Deploy a version directly (dev: analyst or admin; later environments: admin; prod: only by promotion)', roles: EDITORS,
  }, async (c) => {
    const body = c.req.valid('json');
    return c.json(await deployVersion(ctx, currentUser(c), { flowId: c.req.valid('param').id, ...body, kind: 'deploy' }), 201);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/rollback'], tags: ['Deployments'], summary: 'Deploy a version that ran in the environment before', roles: EDITORS,
  }, async (c) => {
    const body = c.req.valid('json');
    return c.json(await deployVersion(ctx, currentUser(c), { flowId: c.req.valid('param').id, ...body, kind: 'rollback' }), 201);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/promotions'], tags: ['Deployments'], summary: 'Request a promotion of a version to an environment', roles: EDITORS,
  }, async (c) => {
    const user = currentUser(c);
    const p = await requestPromotion(ctx, user, { flowId: c.req.valid('param').id, ...c.req.valid('json') });
    return c.json(await promotionView(ctx, user, p), 201);
  });

  defineRoute(app, {
    ...api['GET /api/promotions'], tags: ['Deployments'], summary: 'Promotions, with whether you may approve each', roles: ANY_ROLE,
  }, async (c) => {
    const user = currentUser(c);
    const { status, flow } = c.req.valid('query');
    const rows = await ctx.repos.deployments.listPromotions({ status, flowId: flow });
    const items = [];
    for (const p of rows) items.push(await promotionView(ctx, user, p));
    return c.json({ items }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/promotions/{id}/approve'], tags: ['Deployments'], summary: 'Approve and deploy (admin who authored no change in the version; tests must pass)', roles: ADMINS,
  }, async (c) => c.json(await approvePromotion(ctx, currentUser(c), c.req.valid('param').id), 200));

  defineRoute(app, {
    ...api['POST /api/promotions/{id}/reject'], tags: ['Deployments'], summary: 'Reject a pending promotion (admin, or the requester withdrawing it)', roles: EDITORS,
  }, async (c) => c.json(await rejectPromotion(ctx, currentUser(c), c.req.valid('param').id, c.req.valid('json').reason), 200));

  defineRoute(app, {
    ...api['POST /api/flows/{id}/impact-preview'], tags: ['Deployments'], summary: 'Dry-run a version against the environment\'s last recorded inputs and compare with what runs there', roles: ADMINS,
  }, async (c) => {
    const body = c.req.valid('json');
    return c.json(await impactPreview(ctx, { flowId: c.req.valid('param').id, version: body.version, environment: body.environment, limit: body.limit ?? 100 }), 200);
  });
}
