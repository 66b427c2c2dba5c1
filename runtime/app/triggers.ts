/**
 * A flow's triggers in an environment: its webhook secret, its cron schedule
 * and its polling interval. Each change writes its audit entry in the same
 * transaction, here, so no entry point can skip it.
 */
import { randomBytes } from 'node:crypto';
import type { AuthUser } from '../auth/roles.ts';
import type { EnvironmentConfig } from '../promotion/environments.ts';
import { deployRoles } from '../promotion/rules.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { nextFireTime, scheduleProblem } from '../triggers/cron.ts';
import type { AppContext } from './app-context.ts';
import { requireFlow } from './flow-checks.ts';
import { AppProblem } from './problem.ts';

/** What the trigger use cases need beyond the use cases' context: the secret box (webhook secrets) and the clock. */
export type TriggerContext = Pick<AppContext, 'store' | 'repos' | 'environment'> & { secrets: SecretBox; now: () => Date };

/** Webhook secrets are bound to their flow and environment when encrypted. */
export const webhookSecretContext = (flowId: string, environment: string) => `webhook:${flowId}:${environment}`;

function requireTriggerRole(user: AuthUser, env: EnvironmentConfig): void {
  const roles = deployRoles(env);
  if (!roles.includes(user.role)) throw new AppProblem(403, `Changing triggers in ${env.name} needs the ${roles.join(' or ')} role; you are ${user.role}.`, { requiredRole: roles.length === 1 ? roles[0] : roles });
}

/** Creates or rotates the webhook secret of a flow in an environment; the secret is returned once, stored encrypted. */
export async function rotateWebhookSecret(ctx: TriggerContext, user: AuthUser, req: { flowId: string; environment: string }): Promise<{ flowId: string; environment: string; secret: string }> {
  const flow = await requireFlow(ctx, req.flowId);
  const env = ctx.environment(req.environment);
  const { triggers, audit } = ctx.repos;
  const before = await triggers.getWebhookSecret(flow.id, env.name);
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  await ctx.repos.transaction(async (tx) => {
    await triggers.putWebhookSecret(flow.id, env.name, ctx.secrets.encrypt(secret, webhookSecretContext(flow.id, env.name)), user.username, tx);
    await audit.append({ actor: user.username, action: before ? 'trigger.webhook-secret.rotated' : 'trigger.webhook-secret.created', entity: 'trigger', entityId: `${flow.id}/${env.name}/webhook`, before: before && { secretSet: true, createdAt: before.createdAt }, after: { secretSet: true } }, tx);
  });
  return { flowId: flow.id, environment: env.name, secret };
}

/** Sets the cron schedule (time-zone aware) of the version deployed to an environment; 422 naming the field at fault. */
export async function setSchedule(ctx: TriggerContext, user: AuthUser, req: { flowId: string; environment: string; cron: string; timezone: string; enabled: boolean }) {
  const { flowId, environment, ...schedule } = req;
  const flow = await requireFlow(ctx, flowId);
  const env = ctx.environment(environment);
  requireTriggerRole(user, env);
  const problem = scheduleProblem(schedule.cron, schedule.timezone);
  if (problem) throw new AppProblem(422, problem, { problems: [{ path: /time zone/.test(problem) ? '/timezone' : '/cron', message: problem }] });
  const { triggers, audit } = ctx.repos;
  const before = await triggers.getSchedule(flow.id, env.name);
  const next = schedule.enabled ? nextFireTime(schedule.cron, schedule.timezone, ctx.now()) : null;
  return ctx.repos.transaction(async (tx) => {
    const row = await triggers.putSchedule({ flowId: flow.id, environment: env.name, ...schedule, nextFireAt: next, by: user.username }, tx);
    await audit.append({ actor: user.username, action: 'trigger.schedule.set', entity: 'trigger', entityId: `${flow.id}/${env.name}/schedule`, before: before && { cron: before.cron, timezone: before.timezone, enabled: before.enabled }, after: schedule }, tx);
    return row;
  });
}

/** Polls the flow's source in an environment every `intervalSeconds` (from its watermark). */
export async function setPolling(ctx: TriggerContext, user: AuthUser, req: { flowId: string; environment: string; intervalSeconds: number; enabled: boolean }) {
  const { flowId, environment, ...polling } = req;
  const flow = await requireFlow(ctx, flowId);
  const env = ctx.environment(environment);
  requireTriggerRole(user, env);
  const { triggers, audit } = ctx.repos;
  const before = await triggers.getPoller(flow.id, env.name);
  const next = polling.enabled ? new Date(ctx.now().getTime() + polling.intervalSeconds * 1000) : null;
  return ctx.repos.transaction(async (tx) => {
    const row = await triggers.putPoller({ flowId: flow.id, environment: env.name, ...polling, nextPollAt: next, by: user.username }, tx);
    await audit.append({ actor: user.username, action: 'trigger.polling.set', entity: 'trigger', entityId: `${flow.id}/${env.name}/polling`, before: before && { intervalSeconds: before.intervalSeconds, enabled: before.enabled }, after: polling }, tx);
    return row;
  });
}
