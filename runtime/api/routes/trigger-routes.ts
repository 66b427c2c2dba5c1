/** Trigger settings per flow and environment: webhook secret, cron schedule, polling interval. */
import { randomBytes } from 'node:crypto';
import { ADMINS, ANY_ROLE, EDITORS, type AuthUser } from '../../auth/roles.ts';
import { deployRoles } from '../../promotion/rules.ts';
import type { EnvironmentConfig } from '../../promotion/environments.ts';
import { nextFireTime, scheduleProblem } from '../../triggers/cron.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { ApiProblem } from '../problem.ts';
import { requireFlow } from './flow-routes.ts';

/** Webhook secrets are bound to their flow and environment when encrypted. */
export const webhookSecretContext = (flowId: string, environment: string) => `webhook:${flowId}:${environment}`;

function requireTriggerRole(user: AuthUser, env: EnvironmentConfig): void {
  const roles = deployRoles(env);
  if (!roles.includes(user.role)) throw new ApiProblem(403, `Changing triggers in ${env.name} needs the ${roles.join(' or ')} role; you are ${user.role}.`, { requiredRole: roles.length === 1 ? roles[0] : roles });
}


export function registerTriggerRoutes(app: Api, ctx: ApiContext): void {
  const { triggers, audit } = ctx.repos;

  defineRoute(app, {
    ...api['GET /api/flows/{id}/triggers'], tags: ['Triggers'], summary: 'Webhook, schedule and polling settings of a flow in an environment', roles: ANY_ROLE,
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const env = ctx.environment(c.req.valid('query').environment ?? ctx.environments[0].name);
    const [secret, schedule, poller] = await Promise.all([triggers.getWebhookSecret(flow.id, env.name), triggers.getSchedule(flow.id, env.name), triggers.getPoller(flow.id, env.name)]);
    return c.json({
      environment: env.name,
      webhook: { url: `${new URL(c.req.url).origin}/hooks/${encodeURIComponent(flow.id)}/${encodeURIComponent(env.name)}`, secretSet: secret !== null },
      schedule: schedule && { cron: schedule.cron, timezone: schedule.timezone, enabled: schedule.enabled, nextFireAt: schedule.nextFireAt, lastFiredAt: schedule.lastFiredAt, lastRunId: schedule.lastRunId, lastError: schedule.lastError },
      polling: poller && { intervalSeconds: poller.intervalSeconds, enabled: poller.enabled, nextPollAt: poller.nextPollAt, lastPolledAt: poller.lastPolledAt, lastRunId: poller.lastRunId, lastError: poller.lastError },
    }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/flows/{id}/triggers/{environment}/webhook-secret'], tags: ['Triggers'], summary: 'Create or rotate the webhook secret (shown once)', roles: ADMINS,
  }, async (c) => {
    const user = currentUser(c);
    const { id, environment } = c.req.valid('param');
    const flow = await requireFlow(ctx, id);
    const env = ctx.environment(environment);
    const before = await triggers.getWebhookSecret(flow.id, env.name);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    await ctx.repos.transaction(async (tx) => {
      await triggers.putWebhookSecret(flow.id, env.name, ctx.secrets.encrypt(secret, webhookSecretContext(flow.id, env.name)), user.username, tx);
      await audit.append({ actor: user.username, action: before ? 'trigger.webhook-secret.rotated' : 'trigger.webhook-secret.created', entity: 'trigger', entityId: `${flow.id}/${env.name}/webhook`, before: before && { secretSet: true, createdAt: before.createdAt }, after: { secretSet: true } }, tx);
    });
    return c.json({ secret, url: `${new URL(c.req.url).origin}/hooks/${encodeURIComponent(flow.id)}/${encodeURIComponent(env.name)}` }, 200);
  });

  defineRoute(app, {
    ...api['PUT /api/flows/{id}/triggers/{environment}/schedule'], tags: ['Triggers'], summary: 'Set the cron schedule (time-zone aware) of the deployed version', roles: EDITORS,
    description: 'Admins in every environment; analysts in the first (dev).',
  }, async (c) => {
    const user = currentUser(c);
    const { id, environment } = c.req.valid('param');
    const body = c.req.valid('json');
    const flow = await requireFlow(ctx, id);
    const env = ctx.environment(environment);
    requireTriggerRole(user, env);
    const problem = scheduleProblem(body.cron, body.timezone);
    if (problem) throw new ApiProblem(422, problem, { problems: [{ path: /time zone/.test(problem) ? '/timezone' : '/cron', message: problem }] });
    const before = await triggers.getSchedule(flow.id, env.name);
    const next = body.enabled ? nextFireTime(body.cron, body.timezone, ctx.now()) : null;
    const saved = await ctx.repos.transaction(async (tx) => {
      const row = await triggers.putSchedule({ flowId: flow.id, environment: env.name, ...body, nextFireAt: next, by: user.username }, tx);
      await audit.append({ actor: user.username, action: 'trigger.schedule.set', entity: 'trigger', entityId: `${flow.id}/${env.name}/schedule`, before: before && { cron: before.cron, timezone: before.timezone, enabled: before.enabled }, after: body }, tx);
      return row;
    });
    return c.json({ cron: saved.cron, timezone: saved.timezone, enabled: saved.enabled, nextFireAt: saved.nextFireAt }, 200);
  });

  defineRoute(app, {
    ...api['PUT /api/flows/{id}/triggers/{environment}/polling'], tags: ['Triggers'], summary: 'Poll the flow\'s source every N seconds (from its watermark)', roles: EDITORS,
    description: 'Admins in every environment; analysts in the first (dev). A poll is skipped while the previous one is still queued or running.',
  }, async (c) => {
    const user = currentUser(c);
    const { id, environment } = c.req.valid('param');
    const body = c.req.valid('json');
    const flow = await requireFlow(ctx, id);
    const env = ctx.environment(environment);
    requireTriggerRole(user, env);
    const before = await triggers.getPoller(flow.id, env.name);
    const next = body.enabled ? new Date(ctx.now().getTime() + body.intervalSeconds * 1000) : null;
    const saved = await ctx.repos.transaction(async (tx) => {
      const row = await triggers.putPoller({ flowId: flow.id, environment: env.name, ...body, nextPollAt: next, by: user.username }, tx);
      await audit.append({ actor: user.username, action: 'trigger.polling.set', entity: 'trigger', entityId: `${flow.id}/${env.name}/polling`, before: before && { intervalSeconds: before.intervalSeconds, enabled: before.enabled }, after: body }, tx);
      return row;
    });
    return c.json({ intervalSeconds: saved.intervalSeconds, enabled: saved.enabled, nextPollAt: saved.nextPollAt }, 200);
  });
}
