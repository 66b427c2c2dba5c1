/**
 * Alert rules per flow and environment (issue 19 point 6): create, change,
 * delete, each audited in the transaction that makes it. A webhook rule's
 * signing secret is encrypted here and never shown back; an e-mail rule names
 * an smtp connection of its environment.
 */
import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { AlertChannel, AlertCondition, AlertRuleRow } from '../store/alerts-repo.ts';
import { isMailAddress } from '../connectors/smtp.ts';
import type { AppContext } from './app-context.ts';
import { AppError } from './app-error.ts';

export type AlertRuleDeps = Pick<AppContext, 'repos' | 'store' | 'environment'> & { secrets: SecretBox };

export interface AlertRuleInput {
  name: string;
  flowId: string;
  environment: string;
  condition: AlertCondition;
  /** exceptions-above: exceptions a run may have before it alerts; dead-letters-aged, source-silent: hours. */
  threshold?: number;
  channel: AlertChannel;
  /** webhook, slack: the URL; email: the recipients, comma-separated. */
  target: string;
  /** email: the smtp connection of the environment. */
  connection?: string | null;
  /** webhook: the signing secret (write-only; left out on a change: kept). */
  secret?: string;
  enabled?: boolean;
}

/** A rule as shown and audited: whether it has a secret, never the secret. */
export const publicRule = (r: AlertRuleRow) => {
  const { encryptedSecret, ...rest } = r;
  return { ...rest, hasSecret: encryptedSecret !== null };
};

export const secretContextOf = (ruleId: string) => `alert-rule:${ruleId}`;

const HOURS_CONDITIONS: AlertCondition[] = ['dead-letters-aged', 'source-silent'];

/** The recipients of an e-mail rule. */
export const recipientsOf = (target: string) => target.split(',').map((t) => t.trim()).filter(Boolean);

async function problemsOf(deps: AlertRuleDeps, input: AlertRuleInput, hadSecret: boolean) {
  const problems: { path: string; message: string }[] = [];
  if (!(await deps.store.getFlow(input.flowId))) problems.push({ path: '/flowId', message: `there is no flow '${input.flowId}'` });
  deps.environment(input.environment);
  const threshold = input.threshold ?? 0;
  if (HOURS_CONDITIONS.includes(input.condition) && threshold < 1) problems.push({ path: '/threshold', message: `${input.condition} needs a number of hours ≥ 1` });
  if (input.channel === 'email') {
    const to = recipientsOf(input.target);
    if (!to.length || to.some((a) => !isMailAddress(a))) problems.push({ path: '/target', message: 'give the recipients as e-mail addresses, separated by commas' });
    if (!input.connection) problems.push({ path: '/connection', message: 'an e-mail rule needs the smtp connection that sends it' });
    else {
      const bound = await deps.repos.connections.getConnection(input.environment, input.connection);
      if (!bound) problems.push({ path: '/connection', message: `${input.environment} binds no connection '${input.connection}' (bind an smtp connection under Admin → Connections)` });
      else if (bound.kind !== 'smtp') problems.push({ path: '/connection', message: `connection '${input.connection}' in ${input.environment} is ${bound.kind}, not smtp` });
    }
  } else {
    if (!/^https?:\/\/\S+$/.test(input.target)) problems.push({ path: '/target', message: 'give the URL to post to (http:// or https://)' });
    if (input.channel === 'webhook' && !input.secret && !hadSecret) problems.push({ path: '/secret', message: 'a webhook rule needs a signing secret (the receiver checks X-Ledgerflow-Signature with it)' });
  }
  if (input.secret !== undefined && input.secret.length < 16) problems.push({ path: '/secret', message: 'the signing secret needs at least 16 characters' });
  if (problems.length) throw new AppError('unprocessable', `The alert rule cannot be saved: ${problems.map((p) => p.message).join('; ')}.`, problems);
}

function rowOf(id: string, input: AlertRuleInput, encryptedSecret: string | null, actor: string) {
  return {
    id, name: input.name, flowId: input.flowId, environment: input.environment, condition: input.condition, threshold: input.threshold ?? 0,
    channel: input.channel, target: input.target.trim(), connection: input.channel === 'email' ? input.connection ?? null : null,
    encryptedSecret: input.channel === 'webhook' ? encryptedSecret : null, enabled: input.enabled ?? true, updatedBy: actor,
  };
}

export async function createAlertRule(deps: AlertRuleDeps, actor: string, input: AlertRuleInput): Promise<AlertRuleRow> {
  await problemsOf(deps, input, false);
  const id = `alr_${randomBytes(6).toString('hex')}`;
  const secret = input.channel === 'webhook' && input.secret ? deps.secrets.encrypt(input.secret, secretContextOf(id)) : null;
  return deps.repos.transaction(async (tx) => {
    const created = await deps.repos.alerts.insertRule(rowOf(id, input, secret, actor), tx);
    await deps.repos.audit.append({ actor, action: 'alert-rule.created', entity: 'alert-rule', entityId: id, after: publicRule(created) }, tx);
    return created;
  });
}

export async function updateAlertRule(deps: AlertRuleDeps, actor: string, id: string, input: AlertRuleInput): Promise<AlertRuleRow> {
  const before = await deps.repos.alerts.getRule(id);
  if (!before) throw new AppError('not-found', `Alert rule ${id} does not exist.`);
  await problemsOf(deps, input, before.encryptedSecret !== null);
  const secret = input.secret ? deps.secrets.encrypt(input.secret, secretContextOf(id)) : before.encryptedSecret;
  return deps.repos.transaction(async (tx) => {
    const updated = (await deps.repos.alerts.updateRule(rowOf(id, input, secret, actor), tx))!;
    await deps.repos.audit.append({
      actor, action: 'alert-rule.changed', entity: 'alert-rule', entityId: id, before: publicRule(before),
      after: { ...publicRule(updated), ...(input.secret ? { secretChanged: true } : {}) },
    }, tx);
    return updated;
  });
}

export async function deleteAlertRule(deps: Pick<AppContext, 'repos'>, actor: string, id: string): Promise<void> {
  const before = await deps.repos.alerts.getRule(id);
  if (!before) throw new AppError('not-found', `Alert rule ${id} does not exist.`);
  await deps.repos.transaction(async (tx) => {
    await deps.repos.alerts.deleteRule(id, tx);
    await deps.repos.audit.append({ actor, action: 'alert-rule.deleted', entity: 'alert-rule', entityId: id, before: publicRule(before) }, tx);
  });
}
