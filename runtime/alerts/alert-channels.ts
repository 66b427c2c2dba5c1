/**
 * Sending an incident on its rule's channel: a JSON webhook signed as the
 * runtime's own webhooks are (X-Ledgerflow-Signature, X-Ledgerflow-Timestamp;
 * runtime/triggers/webhook-signature.ts), a Slack-compatible webhook
 * (`{ text }`), or an e-mail through the rule's smtp connection. Each answers
 * one line saying what the receiver answered, or throws why it failed.
 */
import type { AlertIncidentRow, AlertRuleRow } from '../store/alerts-repo.ts';
import type { SmtpBinding } from '../connectors/smtp.ts';
import { sendMail } from '../connectors/smtp.ts';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../triggers/webhook-signature.ts';
import { conditionTitle } from './alert-conditions.ts';
import { recipientsOf } from '../app/alert-rules.ts';

export const ALERT_ID_HEADER = 'x-ledgerflow-alert-id';

export interface ChannelDeps {
  fetch: typeof fetch;
  /** The webhook rule's signing secret, decrypted. */
  secretOf(rule: AlertRuleRow): string;
  /** The rule's smtp connection in its environment, with its secrets. */
  smtpOf(rule: AlertRuleRow): Promise<SmtpBinding>;
  now(): Date;
}

/** The JSON a webhook receives. */
export function webhookPayload(incident: AlertIncidentRow) {
  return {
    alert: {
      id: incident.id, rule: { id: incident.ruleId, name: incident.ruleName }, condition: incident.condition,
      flowId: incident.flowId, environment: incident.environment, runId: incident.runId,
      summary: incident.summary, link: incident.link, openedAt: incident.openedAt, details: incident.details,
    },
  };
}

/** The text of a Slack message and an e-mail: what happened, and the link to the run. */
export function alertText(incident: AlertIncidentRow): string {
  return `Ledgerflow alert (${incident.ruleName}): ${incident.summary}\n${incident.link}`;
}

const TIMEOUT_MS = 15_000;

async function post(deps: ChannelDeps, url: string, body: string, headers: Record<string, string>): Promise<string> {
  let res: Response;
  try {
    res = await deps.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a DNS failure, the timeout) is its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : cause?.code ?? cause?.message ?? (err as Error).message;
    throw new Error(`${url} could not be reached: ${why}`);
  }
  const text = (await res.text().catch(() => '')).slice(0, 200);
  if (res.status < 200 || res.status >= 300) throw new Error(`${url} answered HTTP ${res.status}${text ? `: ${text}` : ''}`);
  return `HTTP ${res.status}`;
}

export async function sendIncident(deps: ChannelDeps, rule: AlertRuleRow, incident: AlertIncidentRow): Promise<string> {
  if (rule.channel === 'webhook') {
    const body = JSON.stringify(webhookPayload(incident));
    const timestamp = Math.floor(deps.now().getTime() / 1000);
    return post(deps, rule.target, body, {
      [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signWebhook(deps.secretOf(rule), timestamp, body), [ALERT_ID_HEADER]: String(incident.id),
    });
  }
  if (rule.channel === 'slack') return post(deps, rule.target, JSON.stringify({ text: alertText(incident) }), {});
  const smtp = await deps.smtpOf(rule);
  const subject = `[Ledgerflow] ${incident.flowId} (${incident.environment}): ${conditionTitle(incident.condition)}`;
  return sendMail(smtp, { to: recipientsOf(rule.target), subject, text: alertText(incident) });
}
