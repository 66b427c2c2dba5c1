/** Trigger settings per flow and environment: webhook secret, cron schedule, polling interval (use cases: runtime/app/triggers.ts). */
import { ADMINS, ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import { rotateWebhookSecret, setPolling, setSchedule } from '../../app/triggers.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { requireFlow } from './flow-routes.ts';

const webhookUrl = (requestUrl: string, flowId: string, environment: string) => `${new URL(requestUrl).origin}/hooks/${encodeURIComponent(flowId)}/${encodeURIComponent(environment)}`;

export function registerTriggerRoutes(app: Api, ctx: ApiContext): void {
  const { triggers } = ctx.repos;

  defineRoute(app, {
    ...api['GET /api/flows/{id}/triggers'], tags: ['Triggers'], summary: 'Webhook, schedule and polling settings of a flow in an environment', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const env = ctx.environment(c.req.valid('query').environment ?? ctx.environments[0].name);
    const [secret, schedule, poller] = await Promise.all([triggers.getWebhookSecret(flow.id, env.name), triggers.getSchedule(flow.id, env.name), triggers.getPoller(flow.id, env.name)]);
    return c.json({
      environment: env.name,
      webhook: { url: webhookUrl(c.req.url, flow.id, env.name), secretSet: secret !== null },
      schedule: schedule && { cron: schedule.cron, timezone: schedule.timezone, enabled: schedule.enabled, nextFireAt: schedule.nextFireAt, lastFiredAt: schedule.lastFiredAt, lastRunId: schedule.lastRunId, lastError: schedule.lastError },
      polling: poller && { intervalSeconds: poller.intervalSeconds, enabled: poller.enabled, nextPollAt: poller.nextPollAt, lastPolledAt: poller.lastPolledAt, lastRunId: poller.lastRunId, lastError: poller.lastError },
    }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/triggers/{environment}/webhook-secret'], tags: ['Triggers'], summary: 'Create or rotate the webhook secret (shown once)', roles: ADMINS,
  }, async (c) => {
    const { id, environment } = c.req.valid('param');
    const made = await rotateWebhookSecret(ctx, currentUser(c), { flowId: id, environment });
    return c.json({ secret: made.secret, url: webhookUrl(c.req.url, made.flowId, made.environment) }, 200);
  });

  defineRoute(app, {
    ...api['PUT /api/flows/{id}/triggers/{environment}/schedule'], tags: ['Triggers'], summary: 'Set the cron schedule (time-zone aware) of the deployed version', roles: EDITORS,
    description: 'Admins in every environment; analysts in the first (dev).',
  }, async (c) => {
    const { id, environment } = c.req.valid('param');
    const saved = await setSchedule(ctx, currentUser(c), { flowId: id, environment, ...c.req.valid('json') });
    return c.json({ cron: saved.cron, timezone: saved.timezone, enabled: saved.enabled, nextFireAt: saved.nextFireAt }, 200);
  });

  defineRoute(app, {
    ...api['PUT /api/flows/{id}/triggers/{environment}/polling'], tags: ['Triggers'], summary: 'Poll the flow\'s source every N seconds (from its watermark)', roles: EDITORS,
    description: 'Admins in every environment; analysts in the first (dev). A poll is skipped while the previous one is still queued or running.',
  }, async (c) => {
    const { id, environment } = c.req.valid('param');
    const saved = await setPolling(ctx, currentUser(c), { flowId: id, environment, ...c.req.valid('json') });
    return c.json({ intervalSeconds: saved.intervalSeconds, enabled: saved.enabled, nextPollAt: saved.nextPollAt }, 200);
  });
}
