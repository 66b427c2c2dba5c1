/**
 * Daily reconciliation figures of finished runs, summed in SQL (exact
 * numeric): per UTC day of the run's start, flow and environment, the control
 * counts by outcome and the per-currency totals by outcome.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import { numberOf } from './row-values.ts';

export const RECONCILIATION_OUTCOMES = ['read', 'delivered', 'quarantined', 'deadLettered', 'duplicate', 'filtered', 'aggregated'] as const;
export type ReconciliationOutcome = (typeof RECONCILIATION_OUTCOMES)[number];

export interface DailyRunCounts {
  day: string;
  flowId: string;
  environment: string | null;
  runs: number;
  replayRuns: number;
  /** Runs whose own reconciliation does not close. */
  runsNotClosing: number;
  counts: Record<ReconciliationOutcome, number>;
}

export interface DailyRunTotal {
  day: string;
  flowId: string;
  environment: string | null;
  outcome: string;
  currency: string;
  /** The exact decimal sum, as text. */
  total: string;
}

export interface DailyFilter {
  /** Runs created at or after this instant. */
  since: Date;
  flowId?: string;
  environment?: string;
}

export function reconciliationRepo(sql: SqlClient) {
  const where = (q: DailyFilter) => {
    const params: unknown[] = [q.since.toISOString()];
    let text = 'finished_at is not null and created_at >= $1';
    if (q.flowId) { params.push(q.flowId); text += ` and flow_id = $${params.length}`; }
    if (q.environment) { params.push(q.environment); text += ` and environment = $${params.length}`; }
    return { text, params };
  };
  const day = `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`;
  return {
    async dailyRunCounts(q: DailyFilter): Promise<DailyRunCounts[]> {
      const w = where(q);
      const { rows } = await sql.query<Record<string, unknown>>(
        `select ${day} as day, flow_id, environment, count(*) as runs,
           count(*) filter (where trigger = 'replay') as replay_runs,
           count(*) filter (where reconciliation ->> 'closes' = 'false') as not_closing,
           ${RECONCILIATION_OUTCOMES.map((k) => `coalesce(sum((counts ->> '${k}')::bigint), 0) as "${k}"`).join(', ')}
         from runs where ${w.text} group by 1, 2, 3`, w.params);
      return rows.map((r) => ({
        day: String(r.day), flowId: String(r.flow_id), environment: (r.environment as string | null) ?? null,
        runs: numberOf(r.runs), replayRuns: numberOf(r.replay_runs), runsNotClosing: numberOf(r.not_closing),
        counts: Object.fromEntries(RECONCILIATION_OUTCOMES.map((k) => [k, numberOf(r[k])])) as Record<ReconciliationOutcome, number>,
      }));
    },

    async dailyRunTotals(q: DailyFilter): Promise<DailyRunTotal[]> {
      const w = where(q);
      const { rows } = await sql.query<{ day: string; flow_id: string; environment: string | null; outcome: string; currency: string; total: unknown }>(
        `select ${day} as day, flow_id, environment, o.key as outcome, c.key as currency, sum(c.value::numeric)::text as total
         from runs, jsonb_each(reconciliation -> 'totals') o, jsonb_each_text(o.value) c
         where ${w.text} and reconciliation is not null group by 1, 2, 3, 4, 5`, w.params);
      return rows.map((r) => ({ day: String(r.day), flowId: String(r.flow_id), environment: r.environment ?? null, outcome: r.outcome, currency: r.currency, total: String(r.total) }));
    },
  };
}

export type ReconciliationRepo = ReturnType<typeof reconciliationRepo>;
