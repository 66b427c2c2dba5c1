/**
 * Alert rules and the incidents they raised (migration 0022_alerts.sql). An
 * incident is claimed by inserting it: the unique (rule, incident key) lets
 * one of any number of evaluators win, so each incident is sent once.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import { decodeCursor, pageLimit, toPage } from './pagination.ts';
import { isoOf, isoOrNull, numberOf } from './row-values.ts';

type Row = Record<string, unknown>;

import type { AlertChannel, AlertCondition, AlertStatus } from './alert-kinds.ts';

export type { AlertChannel, AlertCondition, AlertStatus };

export interface AlertRuleRow {
  id: string;
  name: string;
  flowId: string;
  environment: string;
  condition: AlertCondition;
  threshold: number;
  channel: AlertChannel;
  target: string;
  connection: string | null;
  /** The webhook signing secret, encrypted; never leaves the server. */
  encryptedSecret: string | null;
  enabled: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export type NewAlertRule = Omit<AlertRuleRow, 'createdAt' | 'updatedAt' | 'createdBy'> & { createdBy?: string };

/** One try at sending an incident. */
export interface AlertAttempt {
  at: string;
  ok: boolean;
  /** What the channel answered (HTTP status, SMTP response) or why it failed. */
  detail: string;
}

export interface AlertIncidentRow {
  id: number;
  ruleId: string;
  ruleName: string;
  condition: AlertCondition;
  channel: AlertChannel;
  incidentKey: string;
  flowId: string;
  environment: string;
  runId: string | null;
  summary: string;
  link: string;
  details: Record<string, unknown>;
  openedAt: string;
  resolvedAt: string | null;
  status: AlertStatus;
  attempts: AlertAttempt[];
  nextAttemptAt: string;
  sentAt: string | null;
}

/** What opening an incident stores; the rest of the row (status, attempts, times) the store fills. */
export type NewIncident = Pick<AlertIncidentRow, 'ruleId' | 'incidentKey' | 'flowId' | 'environment' | 'runId' | 'summary' | 'link' | 'details'>;

export interface IncidentFilter {
  flowId?: string;
  environment?: string;
  ruleId?: string;
  status?: AlertStatus;
  runId?: string;
}

const toRule = (r: Row): AlertRuleRow => ({
  id: r.id as string, name: r.name as string, flowId: r.flow_id as string, environment: r.environment as string,
  condition: r.condition as AlertCondition, threshold: numberOf(r.threshold), channel: r.channel as AlertChannel, target: r.target as string,
  connection: (r.connection as string | null) ?? null, encryptedSecret: (r.secret as string | null) ?? null, enabled: r.enabled as boolean,
  createdAt: isoOf(r.created_at), createdBy: r.created_by as string, updatedAt: isoOf(r.updated_at), updatedBy: r.updated_by as string,
});

const toIncident = (r: Row): AlertIncidentRow => ({
  id: numberOf(r.id), ruleId: r.rule_id as string, ruleName: (r.rule_name as string | undefined) ?? '', condition: r.condition as AlertCondition,
  channel: r.channel as AlertChannel, incidentKey: r.incident_key as string, flowId: r.flow_id as string, environment: r.environment as string,
  runId: (r.run_id as string | null) ?? null, summary: r.summary as string, link: r.link as string, details: (r.details ?? {}) as Record<string, unknown>,
  openedAt: isoOf(r.opened_at), resolvedAt: isoOrNull(r.resolved_at), status: r.status as AlertStatus, attempts: (r.attempts ?? []) as AlertAttempt[],
  nextAttemptAt: isoOf(r.next_attempt_at), sentAt: isoOrNull(r.sent_at),
});

const INCIDENT_COLUMNS = 'i.*, r.name as rule_name, r.condition, r.channel';

/** Statuses of a run that has ended. */
const ENDED = ['succeeded', 'completed_with_exceptions', 'failed', 'cancelled'];

export function alertsRepo(sql: SqlClient) {
  return {
    async listRules(filter: { flowId?: string; environment?: string } = {}): Promise<AlertRuleRow[]> {
      const { rows } = await sql.query(
        `select * from alert_rules where ($1::text is null or flow_id = $1) and ($2::text is null or environment = $2) order by flow_id, environment, name, id`,
        [filter.flowId ?? null, filter.environment ?? null],
      );
      return rows.map(toRule);
    },

    async getRule(id: string, tx: SqlClient = sql): Promise<AlertRuleRow | null> {
      const { rows } = await tx.query('select * from alert_rules where id = $1', [id]);
      return rows.length ? toRule(rows[0]) : null;
    },

    async insertRule(rule: NewAlertRule, tx: SqlClient = sql): Promise<AlertRuleRow> {
      const { rows } = await tx.query(
        `insert into alert_rules (id, name, flow_id, environment, condition, threshold, channel, target, connection, secret, enabled, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) returning *`,
        [rule.id, rule.name, rule.flowId, rule.environment, rule.condition, rule.threshold, rule.channel, rule.target, rule.connection, rule.encryptedSecret, rule.enabled, rule.updatedBy],
      );
      return toRule(rows[0]);
    },

    async updateRule(rule: NewAlertRule, tx: SqlClient = sql): Promise<AlertRuleRow | null> {
      const { rows } = await tx.query(
        `update alert_rules set name = $2, flow_id = $3, environment = $4, condition = $5, threshold = $6, channel = $7, target = $8,
           connection = $9, secret = $10, enabled = $11, updated_by = $12, updated_at = now()
         where id = $1 returning *`,
        [rule.id, rule.name, rule.flowId, rule.environment, rule.condition, rule.threshold, rule.channel, rule.target, rule.connection, rule.encryptedSecret, rule.enabled, rule.updatedBy],
      );
      return rows.length ? toRule(rows[0]) : null;
    },

    async deleteRule(id: string, tx: SqlClient = sql): Promise<boolean> {
      const { rowCount } = await tx.query('delete from alert_rules where id = $1', [id]);
      return (rowCount ?? 0) > 0;
    },

    /**
     * The ended runs of the rule's flow and environment since `since` that meet its run condition
     * and have no incident of this rule yet (oldest first, at most `limit`).
     */
    async runsWithoutIncident(rule: Pick<AlertRuleRow, 'id' | 'flowId' | 'environment' | 'condition' | 'threshold'>, since: Date, limit = 200): Promise<string[]> {
      const meets: Partial<Record<AlertCondition, string>> = {
        'run-failed': `r.status = 'failed'`,
        'exceptions-above': `r.status <> 'cancelled' and coalesce((r.counts ->> 'quarantined')::bigint, 0) + coalesce((r.counts ->> 'deadLettered')::bigint, 0) > $6::bigint`,
        'reconciliation-open': `r.reconciliation ->> 'closes' = 'false'`,
      };
      if (!meets[rule.condition]) return [];
      const { rows } = await sql.query<{ id: string }>(
        `select r.id from runs r
          where r.flow_id = $1 and r.environment = $2 and r.status = any($3::text[]) and r.finished_at >= $4 and $6::bigint >= 0 and ${meets[rule.condition]}
            and not exists (select 1 from alert_incidents i where i.rule_id = $5 and i.incident_key = 'run:' || r.id)
          order by r.finished_at, r.id limit $7`,
        [rule.flowId, rule.environment, ENDED, since.toISOString(), rule.id, rule.threshold, limit],
      );
      return rows.map((r) => r.id);
    },

    /** Open dead letters of a flow and environment created before `before`: how many, and the oldest's time. */
    async agedDeadLetters(flowId: string, environment: string, before: Date): Promise<{ count: number; oldestAt: string | null; oldestRunId: string | null }> {
      const { rows } = await sql.query(
        `select count(*) as n, min(created_at) as oldest,
                (select run_id from dead_letters where flow_id = $1 and environment = $2 and status = 'open' and created_at < $3 order by created_at, id limit 1) as run_id
           from dead_letters where flow_id = $1 and environment = $2 and status = 'open' and created_at < $3`,
        [flowId, environment, before.toISOString()],
      );
      const r = rows[0] ?? {};
      return { count: numberOf(r.n ?? 0), oldestAt: isoOrNull(r.oldest), oldestRunId: (r.run_id as string | null) ?? null };
    },

    /** The newest run of a flow and environment (any trigger but replay), or null. */
    async lastSourceRun(flowId: string, environment: string): Promise<{ id: string; createdAt: string } | null> {
      const { rows } = await sql.query(
        `select id, created_at from runs where flow_id = $1 and environment = $2 and trigger <> 'replay' order by created_at desc, id desc limit 1`,
        [flowId, environment],
      );
      return rows.length ? { id: rows[0].id as string, createdAt: isoOf(rows[0].created_at) } : null;
    },

    /** Inserts the incident unless this rule already has one with its key; null when another claimed it first. */
    async claimIncident(incident: NewIncident, tx: SqlClient = sql): Promise<AlertIncidentRow | null> {
      const { rows } = await tx.query(
        `with claimed as (
           insert into alert_incidents (rule_id, incident_key, flow_id, environment, run_id, summary, link, details)
           values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
           on conflict (rule_id, incident_key) do nothing returning *)
         select ${INCIDENT_COLUMNS} from claimed i join alert_rules r on r.id = i.rule_id`,
        [incident.ruleId, incident.incidentKey, incident.flowId, incident.environment, incident.runId, incident.summary, incident.link, JSON.stringify(incident.details)],
      );
      return rows.length ? toIncident(rows[0]) : null;
    },

    /** Closes the rule's open lasting incident (its key becomes `resolved:<id>`); false when none was open. */
    async resolveOpenIncident(ruleId: string, at: Date): Promise<boolean> {
      const { rowCount } = await sql.query(
        `update alert_incidents set incident_key = 'resolved:' || id, resolved_at = $2 where rule_id = $1 and incident_key = 'open'`,
        [ruleId, at.toISOString()],
      );
      return (rowCount ?? 0) > 0;
    },

    /**
     * Takes up to `limit` incidents due for sending (pending, next attempt due, not held by
     * another sender) and holds them until `holdUntil`, so two senders never send one twice at once.
     */
    async takeDue(now: Date, holdUntil: Date, limit = 20): Promise<AlertIncidentRow[]> {
      const { rows } = await sql.query(
        `with due as (
           select id from alert_incidents
            where status = 'pending' and next_attempt_at <= $1 and (claimed_until is null or claimed_until <= $1)
            order by next_attempt_at, id limit $3 for update skip locked),
         held as (update alert_incidents i set claimed_until = $2 from due where i.id = due.id returning i.*)
         select ${INCIDENT_COLUMNS} from held i join alert_rules r on r.id = i.rule_id order by i.id`,
        [now.toISOString(), holdUntil.toISOString(), limit],
      );
      return rows.map(toIncident);
    },

    /** Appends an attempt and sets the outcome: sent, failed for good, or pending until `nextAttemptAt`. */
    async recordAttempt(id: number, attempt: AlertAttempt, outcome: { status: AlertStatus; nextAttemptAt?: Date }, tx: SqlClient = sql): Promise<AlertIncidentRow | null> {
      const { rows } = await tx.query(
        `with done as (
           update alert_incidents set attempts = attempts || $2::jsonb, status = $3, claimed_until = null,
             next_attempt_at = coalesce($4::timestamptz, next_attempt_at), sent_at = case when $3 = 'sent' then $5::timestamptz else sent_at end
            where id = $1 returning *)
         select ${INCIDENT_COLUMNS} from done i join alert_rules r on r.id = i.rule_id`,
        [id, JSON.stringify([attempt]), outcome.status, outcome.nextAttemptAt?.toISOString() ?? null, attempt.at],
      );
      return rows.length ? toIncident(rows[0]) : null;
    },

    async getIncident(id: number): Promise<AlertIncidentRow | null> {
      const { rows } = await sql.query(`select ${INCIDENT_COLUMNS} from alert_incidents i join alert_rules r on r.id = i.rule_id where i.id = $1`, [id]);
      return rows.length ? toIncident(rows[0]) : null;
    },

    /** Newest first. */
    async listIncidents(filter: IncidentFilter, page: { limit: number; cursor?: string }) {
      const limit = pageLimit(page.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => { params.push(value); where.push(clause.replace('?', `$${params.length}`)); };
      if (filter.flowId) add('i.flow_id = ?', filter.flowId);
      if (filter.environment) add('i.environment = ?', filter.environment);
      if (filter.ruleId) add('i.rule_id = ?', filter.ruleId);
      if (filter.status) add('i.status = ?', filter.status);
      if (filter.runId) add('i.run_id = ?', filter.runId);
      if (page.cursor) add('i.id < ?', decodeCursor(page.cursor, ['number'])[0]);
      params.push(limit + 1);
      const { rows } = await sql.query(
        `select ${INCIDENT_COLUMNS} from alert_incidents i join alert_rules r on r.id = i.rule_id
          ${where.length ? `where ${where.join(' and ')}` : ''} order by i.id desc limit $${params.length}`,
        params,
      );
      return toPage(rows, limit, toIncident, (r) => [numberOf(r.id)]);
    },
  };
}

export type AlertsRepo = ReturnType<typeof alertsRepo>;
