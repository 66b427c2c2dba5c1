/**
 * The alert evaluator and sender inside `serve`: when a run ends (the
 * in-process worker says so) and on every tick (runs other workers ended,
 * aged dead letters, silent sources, sends to retry), it raises incidents and
 * sends them. An incident is claimed by its unique (rule, key) row, and a send
 * by holding the row (`takeDue`), so any number of servers and restarts send
 * each incident once; every attempt is recorded, and the outcome audited.
 */
import type { Database } from '../store/database.ts';
import type { AlertIncidentRow, AlertRuleRow, NewIncident } from '../store/alerts-repo.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { SmtpBinding } from '../connectors/smtp.ts';
import { resolveConnection } from '../connectors/environment-connections.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { secretContextOf } from '../app/alert-rules.ts';
import { lastingIncident, runIncident } from './alert-conditions.ts';
import { sendIncident, type ChannelDeps } from './alert-channels.ts';

export interface AlertServiceOptions {
  database: Pick<Database, 'store' | 'service'>;
  secrets: SecretBox;
  /** Where the console is reached (links in alerts), e.g. https://ledgerflow.example. */
  publicUrl: string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Milliseconds between ticks; default 60 000. 0: no timer (call `tick`). */
  tickMs?: number;
  /** Waits before the 2nd, 3rd… attempt; the send fails for good after the last. Default 1, 5, 15, 60 minutes. */
  retryDelaysMs?: number[];
  /** How far back a tick looks for ended runs without their incident; default 24 hours. */
  lookbackMs?: number;
  logger?: Logger;
}

export interface AlertService {
  /** Evaluates the run conditions for a run that just ended, then sends what is due. */
  runEnded(runId: string): Promise<void>;
  /** One pass: every enabled rule, then the sends due. */
  tick(): Promise<{ raised: number; sent: number; failed: number }>;
  stop(): Promise<void>;
}

const RUN_CONDITIONS = new Set(['run-failed', 'exceptions-above', 'reconciliation-open']);
const HOLD_MS = 120_000;

export function startAlertService(options: AlertServiceOptions): AlertService {
  const { store, service: repos } = options.database;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger();
  const delays = options.retryDelaysMs ?? [60_000, 300_000, 900_000, 3_600_000];
  const channels: ChannelDeps = {
    fetch: options.fetch ?? fetch,
    now,
    secretOf: (rule) => {
      if (!rule.encryptedSecret) throw new Error(`alert rule '${rule.name}' has no signing secret`);
      return options.secrets.decrypt(rule.encryptedSecret, secretContextOf(rule.id));
    },
    smtpOf: async (rule) => {
      const row = rule.connection ? await repos.connections.getConnection(rule.environment, rule.connection) : null;
      if (!row) throw new Error(`${rule.environment} binds no connection '${rule.connection}' for the e-mail`);
      if (row.kind !== 'smtp') throw new Error(`connection '${row.name}' in ${rule.environment} is ${row.kind}, not smtp`);
      return resolveConnection(row, options.secrets) as SmtpBinding;
    },
  };

  async function claim(incident: NewIncident | null): Promise<number> {
    if (!incident) return 0;
    return (await repos.alerts.claimIncident(incident)) ? 1 : 0;
  }

  async function send(incident: AlertIncidentRow): Promise<'sent' | 'failed' | 'pending'> {
    const rule = await repos.alerts.getRule(incident.ruleId);
    const at = now();
    let detail: string;
    let ok = false;
    try {
      if (!rule) throw new Error('the rule was deleted');
      detail = await sendIncident(channels, rule, incident);
      ok = true;
    } catch (err) {
      detail = err instanceof Error ? err.message : String(err);
    }
    const tries = incident.attempts.length + 1;
    const status = ok ? 'sent' : tries > delays.length ? 'failed' : 'pending';
    const attempt = { at: at.toISOString(), ok, detail };
    await repos.transaction(async (tx) => {
      const done = await repos.alerts.recordAttempt(incident.id, attempt, { status, nextAttemptAt: status === 'pending' ? new Date(at.getTime() + delays[tries - 1]) : undefined }, tx);
      if (status === 'pending') return;
      await repos.audit.append({
        actor: 'alerts', action: status === 'sent' ? 'alert.sent' : 'alert.failed', entity: 'alert', entityId: String(incident.id),
        after: { ruleId: incident.ruleId, rule: incident.ruleName, channel: incident.channel, flowId: incident.flowId, environment: incident.environment, runId: incident.runId, summary: incident.summary, link: incident.link, attempts: done?.attempts.length ?? tries, detail },
      }, tx);
    });
    if (!ok) logger.warn({ alertId: incident.id, ruleId: incident.ruleId }, `alert ${incident.id} not sent (attempt ${tries}): ${detail}`);
    return status;
  }

  async function sendDue(): Promise<{ sent: number; failed: number }> {
    const counts = { sent: 0, failed: 0 };
    for (;;) {
      const at = now();
      const due = await repos.alerts.takeDue(at, new Date(at.getTime() + HOLD_MS));
      if (!due.length) return counts;
      for (const incident of due) {
        const outcome = await send(incident);
        if (outcome !== 'pending') counts[outcome]++;
      }
      if (due.length < 20) return counts;
    }
  }

  async function evaluateRule(rule: AlertRuleRow, at: Date): Promise<number> {
    if (RUN_CONDITIONS.has(rule.condition)) {
      const since = new Date(Math.max(Date.parse(rule.createdAt), at.getTime() - (options.lookbackMs ?? 86_400_000)));
      let raised = 0;
      for (const id of await repos.alerts.runsWithoutIncident(rule, since)) {
        const run = await store.getRun(id);
        if (run) raised += await claim(runIncident(rule, run, options.publicUrl));
      }
      return raised;
    }
    const before = new Date(at.getTime() - rule.threshold * 3_600_000);
    const facts = rule.condition === 'dead-letters-aged'
      ? { aged: await repos.alerts.agedDeadLetters(rule.flowId, rule.environment, before) }
      : { lastRun: await repos.alerts.lastSourceRun(rule.flowId, rule.environment) };
    const incident = lastingIncident(rule, facts, at, options.publicUrl);
    if (incident) return claim(incident);
    await repos.alerts.resolveOpenIncident(rule.id, at);
    return 0;
  }

  async function tick() {
    const at = now();
    let raised = 0;
    for (const rule of await repos.alerts.listRules()) {
      if (!rule.enabled) continue;
      try {
        raised += await evaluateRule(rule, at);
      } catch (err) {
        logger.error({ err, ruleId: rule.id }, `alert rule '${rule.name}': ${(err as Error).message}`);
      }
    }
    return { raised, ...(await sendDue()) };
  }

  async function runEnded(runId: string) {
    const run = await store.getRun(runId);
    if (!run?.environment || !run.finishedAt) return;
    const rules = await repos.alerts.listRules({ flowId: run.flowId, environment: run.environment });
    for (const rule of rules) {
      if (rule.enabled && RUN_CONDITIONS.has(rule.condition) && Date.parse(rule.createdAt) <= Date.parse(run.finishedAt)) await claim(runIncident(rule, run, options.publicUrl));
    }
    await sendDue();
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    running = tick().catch((err) => logger.error({ err }, `alerts: ${(err as Error).message}`)).finally(() => {
      if (!stopped) timer = setTimeout(loop, tickMs);
    });
  };
  const tickMs = options.tickMs ?? 60_000;
  if (tickMs > 0) timer = setTimeout(loop, tickMs);
  return {
    runEnded: (runId) => {
      const work = runEnded(runId);
      running = Promise.all([running, work.catch(() => undefined)]);
      return work;
    },
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
