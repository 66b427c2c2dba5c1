/** Alert rules (operators and admins manage them) and the alerts they raised (everyone reads them); runtime/app/alert-rules.ts. */
import { createAlertRule, deleteAlertRule, publicRule, updateAlertRule } from '../../app/alert-rules.ts';
import { ANY_ROLE, OPERATORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';

export function registerAlertRoutes(app: Api, ctx: ApiContext): void {
  const { alerts } = ctx.repos;

  defineRoute(app, {
    ...api['GET /api/alert-rules'], tags: ['Alerts'], summary: 'Alert rules, per flow and environment', roles: ANY_ROLE,
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json({ items: (await alerts.listRules({ flowId: q.flow, environment: q.environment })).map(publicRule) }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/alert-rules'], tags: ['Alerts'], summary: 'Create an alert rule', roles: OPERATORS,
    description: 'Conditions: `run-failed`, `exceptions-above` (threshold: exceptions a run may have), `reconciliation-open`, `dead-letters-aged` and `source-silent` (threshold: hours). Channels: `webhook` (JSON, signed with `secret` as X-Ledgerflow-Signature), `slack` (`{ text }`), `email` (through the smtp `connection` of the environment).',
  }, async (c) => c.json(publicRule(await createAlertRule(ctx, currentUser(c).username, c.req.valid('json'))), 201));

  defineRoute(app, {
    ...api['PUT /api/alert-rules/{id}'], tags: ['Alerts'], summary: 'Change an alert rule (a webhook secret left out is kept)', roles: OPERATORS,
  }, async (c) => c.json(publicRule(await updateAlertRule(ctx, currentUser(c).username, c.req.valid('param').id, c.req.valid('json'))), 200));

  defineRoute(app, {
    ...api['DELETE /api/alert-rules/{id}'], tags: ['Alerts'], summary: 'Delete an alert rule', roles: OPERATORS,
  }, async (c) => {
    await deleteAlertRule(ctx, currentUser(c).username, c.req.valid('param').id);
    return c.body(null, 204);
  });

  defineRoute(app, {
    ...api['GET /api/alerts'], tags: ['Alerts'], summary: 'Alerts raised, with their delivery status and attempts', roles: ANY_ROLE,
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json(await alerts.listIncidents({ flowId: q.flow, environment: q.environment, ruleId: q.rule, runId: q.runId, status: q.status }, { limit: q.limit ?? 50, cursor: q.cursor }), 200);
  });
}
