/**
 * Trigger settings per flow and environment: the webhook secret (encrypted by
 * the caller), signatures already accepted, cron schedules and pollers. Due
 * schedules and polls are claimed by compare-and-set on their next time, so
 * two `serve` processes on one database never fire the same one twice.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import { isoOf, isoOrNull, numberOf } from './row-values.ts';

type Row = Record<string, unknown>;

export interface ScheduleRow {
  flowId: string;
  environment: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  nextFireAt: string | null;
  lastFiredAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
}

export interface PollerRow {
  flowId: string;
  environment: string;
  intervalSeconds: number;
  enabled: boolean;
  nextPollAt: string | null;
  lastPolledAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
}

const toSchedule = (r: Row): ScheduleRow => ({
  flowId: r.flow_id as string, environment: r.environment as string, cron: r.cron as string, timezone: r.timezone as string,
  enabled: Boolean(r.enabled), nextFireAt: isoOrNull(r.next_fire_at), lastFiredAt: isoOrNull(r.last_fired_at),
  lastRunId: (r.last_run_id as string | null) ?? null, lastError: (r.last_error as string | null) ?? null,
});

const toPoller = (r: Row): PollerRow => ({
  flowId: r.flow_id as string, environment: r.environment as string, intervalSeconds: numberOf(r.interval_seconds),
  enabled: Boolean(r.enabled), nextPollAt: isoOrNull(r.next_poll_at), lastPolledAt: isoOrNull(r.last_polled_at),
  lastRunId: (r.last_run_id as string | null) ?? null, lastError: (r.last_error as string | null) ?? null,
});

export function triggersRepo(sql: SqlClient) {
  return {
    // webhook secrets ------------------------------------------------------

    async getWebhookSecret(flowId: string, environment: string): Promise<{ encrypted: string; createdAt: string } | null> {
      const { rows } = await sql.query('select secret, created_at from webhook_secrets where flow_id = $1 and environment = $2', [flowId, environment]);
      return rows.length ? { encrypted: rows[0].secret as string, createdAt: isoOf(rows[0].created_at) } : null;
    },

    async putWebhookSecret(flowId: string, environment: string, encrypted: string, by: string, tx: SqlClient = sql): Promise<void> {
      await tx.query(
        `insert into webhook_secrets (flow_id, environment, secret, created_by) values ($1, $2, $3, $4)
         on conflict (flow_id, environment) do update set secret = excluded.secret, created_by = excluded.created_by, created_at = now()`,
        [flowId, environment, encrypted, by],
      );
    },

    /** Records a signature; false when it was already seen (a replay). */
    async markSignatureSeen(signatureHash: string): Promise<boolean> {
      const { rows } = await sql.query(
        'insert into webhook_signatures_seen (signature_hash) values ($1) on conflict do nothing returning signature_hash',
        [signatureHash],
      );
      return rows.length === 1;
    },

    async forgetSignature(signatureHash: string): Promise<void> {
      await sql.query('delete from webhook_signatures_seen where signature_hash = $1', [signatureHash]);
    },

    async pruneSignatures(olderThan: Date): Promise<number> {
      const { rowCount } = await sql.query('delete from webhook_signatures_seen where seen_at < $1', [olderThan.toISOString()]);
      return rowCount ?? 0;
    },

    // schedules ------------------------------------------------------------

    async getSchedule(flowId: string, environment: string): Promise<ScheduleRow | null> {
      const { rows } = await sql.query('select * from schedules where flow_id = $1 and environment = $2', [flowId, environment]);
      return rows.length ? toSchedule(rows[0]) : null;
    },

    async putSchedule(s: { flowId: string; environment: string; cron: string; timezone: string; enabled: boolean; nextFireAt: Date | null; by: string }, tx: SqlClient = sql): Promise<ScheduleRow> {
      const { rows } = await tx.query(
        `insert into schedules (flow_id, environment, cron, timezone, enabled, next_fire_at, updated_by) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (flow_id, environment) do update set cron = excluded.cron, timezone = excluded.timezone, enabled = excluded.enabled,
           next_fire_at = excluded.next_fire_at, updated_by = excluded.updated_by, updated_at = now(), last_error = null
         returning *`,
        [s.flowId, s.environment, s.cron, s.timezone, s.enabled, s.nextFireAt?.toISOString() ?? null, s.by],
      );
      return toSchedule(rows[0]);
    },

    async dueSchedules(now: Date): Promise<ScheduleRow[]> {
      const { rows } = await sql.query('select * from schedules where enabled and next_fire_at <= $1 order by next_fire_at limit 100', [now.toISOString()]);
      return rows.map(toSchedule);
    },

    /** Moves a due schedule to its next time; true only for the one process whose update won. */
    async claimSchedule(s: ScheduleRow, next: Date | null, now: Date): Promise<boolean> {
      const { rows } = await sql.query(
        `update schedules set next_fire_at = $3, last_fired_at = $4 where flow_id = $1 and environment = $2 and next_fire_at = $5 and enabled returning flow_id`,
        [s.flowId, s.environment, next?.toISOString() ?? null, now.toISOString(), s.nextFireAt],
      );
      return rows.length === 1;
    },

    async recordScheduleOutcome(flowId: string, environment: string, outcome: { runId?: string; error?: string }): Promise<void> {
      await sql.query('update schedules set last_run_id = coalesce($3, last_run_id), last_error = $4 where flow_id = $1 and environment = $2',
        [flowId, environment, outcome.runId ?? null, outcome.error ?? null]);
    },

    // pollers --------------------------------------------------------------

    async getPoller(flowId: string, environment: string): Promise<PollerRow | null> {
      const { rows } = await sql.query('select * from pollers where flow_id = $1 and environment = $2', [flowId, environment]);
      return rows.length ? toPoller(rows[0]) : null;
    },

    async putPoller(p: { flowId: string; environment: string; intervalSeconds: number; enabled: boolean; nextPollAt: Date | null; by: string }, tx: SqlClient = sql): Promise<PollerRow> {
      const { rows } = await tx.query(
        `insert into pollers (flow_id, environment, interval_seconds, enabled, next_poll_at, updated_by) values ($1, $2, $3, $4, $5, $6)
         on conflict (flow_id, environment) do update set interval_seconds = excluded.interval_seconds, enabled = excluded.enabled,
           next_poll_at = excluded.next_poll_at, updated_by = excluded.updated_by, updated_at = now(), last_error = null
         returning *`,
        [p.flowId, p.environment, p.intervalSeconds, p.enabled, p.nextPollAt?.toISOString() ?? null, p.by],
      );
      return toPoller(rows[0]);
    },

    async duePollers(now: Date): Promise<PollerRow[]> {
      const { rows } = await sql.query('select * from pollers where enabled and next_poll_at <= $1 order by next_poll_at limit 100', [now.toISOString()]);
      return rows.map(toPoller);
    },

    async claimPoller(p: PollerRow, next: Date, now: Date): Promise<boolean> {
      const { rows } = await sql.query(
        `update pollers set next_poll_at = $3, last_polled_at = $4 where flow_id = $1 and environment = $2 and next_poll_at = $5 and enabled returning flow_id`,
        [p.flowId, p.environment, next.toISOString(), now.toISOString(), p.nextPollAt],
      );
      return rows.length === 1;
    },

    async recordPollOutcome(flowId: string, environment: string, outcome: { runId?: string; error?: string }): Promise<void> {
      await sql.query('update pollers set last_run_id = coalesce($3, last_run_id), last_error = $4 where flow_id = $1 and environment = $2',
        [flowId, environment, outcome.runId ?? null, outcome.error ?? null]);
    },
  };
}

export type TriggersRepo = ReturnType<typeof triggersRepo>;
