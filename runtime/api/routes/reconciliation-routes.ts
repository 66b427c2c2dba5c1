/**
 * Daily reconciliation per flow and environment: the runs' control counts and
 * per-currency totals summed in SQL (exact numeric), and whether the day closes.
 */
import { amountAtMinorUnits } from '../../../nodes/currency-minor-units.ts';
import { ExactDecimal } from '../../../nodes/expression/money.ts';
import { ANY_ROLE } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';

const OUTCOMES = ['read', 'delivered', 'quarantined', 'deadLettered', 'duplicate', 'filtered'] as const;
type Outcome = (typeof OUTCOMES)[number];

export interface DailyReconciliation {
  day: string;
  flowId: string;
  environment: string | null;
  runs: number;
  replayRuns: number;
  /** Runs whose own reconciliation does not close. */
  runsNotClosing: number;
  counts: Record<Outcome, number>;
  totals: Record<Outcome, Record<string, string>>;
  /** Every run closes, and read = the sum of the outcomes in count and in every currency. */
  closes: boolean;
  differences: string[];
}

function closing(d: DailyReconciliation): string[] {
  const out: string[] = [];
  const parts = OUTCOMES.slice(1);
  const sumCount = parts.reduce((a, k) => a + d.counts[k], 0);
  if (sumCount !== d.counts.read) out.push(`${d.counts.read} read, ${sumCount} accounted for`);
  const currencies = new Set(OUTCOMES.flatMap((k) => Object.keys(d.totals[k])));
  for (const cur of currencies) {
    const read = new ExactDecimal(d.totals.read[cur] ?? 0);
    const rest = parts.reduce((a, k) => a.plus(d.totals[k][cur] ?? 0), new ExactDecimal(0));
    if (!read.equals(rest)) out.push(`${cur}: ${amountAtMinorUnits(read.toFixed(), cur)} read, ${amountAtMinorUnits(rest.toFixed(), cur)} accounted for`);
  }
  if (d.runsNotClosing) out.push(`${d.runsNotClosing} run(s) do not close`);
  return out;
}

/** Days newest first, then flow and environment. */
export async function dailyReconciliation(ctx: ApiContext, q: { flow?: string; environment?: string; days: number }): Promise<DailyReconciliation[]> {
  const since = new Date(ctx.now().getTime() - q.days * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const params: unknown[] = [since.toISOString()];
  let where = 'finished_at is not null and created_at >= $1';
  if (q.flow) { params.push(q.flow); where += ` and flow_id = $${params.length}`; }
  if (q.environment) { params.push(q.environment); where += ` and environment = $${params.length}`; }
  const day = `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`;
  const { rows: countRows } = await ctx.repos.sql.query<Record<string, unknown>>(
    `select ${day} as day, flow_id, environment, count(*) as runs,
       count(*) filter (where trigger = 'replay') as replay_runs,
       count(*) filter (where reconciliation ->> 'closes' = 'false') as not_closing,
       ${OUTCOMES.map((k) => `coalesce(sum((counts ->> '${k}')::bigint), 0) as "${k}"`).join(', ')}
     from runs where ${where} group by 1, 2, 3`, params);
  const { rows: totalRows } = await ctx.repos.sql.query<{ day: string; flow_id: string; environment: string | null; outcome: string; currency: string; total: unknown }>(
    `select ${day} as day, flow_id, environment, o.key as outcome, c.key as currency, sum(c.value::numeric)::text as total
     from runs, jsonb_each(reconciliation -> 'totals') o, jsonb_each_text(o.value) c
     where ${where} and reconciliation is not null group by 1, 2, 3, 4, 5`, params);
  const key = (r: Record<string, unknown>) => `${r.day}|${r.flow_id}|${r.environment ?? ''}`;
  const byKey = new Map<string, DailyReconciliation>();
  for (const r of countRows) {
    byKey.set(key(r), {
      day: String(r.day), flowId: String(r.flow_id), environment: (r.environment as string | null) ?? null,
      runs: Number(r.runs), replayRuns: Number(r.replay_runs), runsNotClosing: Number(r.not_closing),
      counts: Object.fromEntries(OUTCOMES.map((k) => [k, Number(r[k])])) as Record<Outcome, number>,
      totals: Object.fromEntries(OUTCOMES.map((k) => [k, {}])) as Record<Outcome, Record<string, string>>,
      closes: true, differences: [],
    });
  }
  for (const r of totalRows) {
    const d = byKey.get(key(r));
    if (d && (OUTCOMES as readonly string[]).includes(r.outcome)) d.totals[r.outcome as Outcome][r.currency] = amountAtMinorUnits(new ExactDecimal(String(r.total)).toFixed(), r.currency);
  }
  const items = [...byKey.values()];
  for (const d of items) {
    d.differences = closing(d);
    d.closes = d.differences.length === 0;
  }
  return items.sort((a, b) => b.day.localeCompare(a.day) || a.flowId.localeCompare(b.flowId) || (a.environment ?? '').localeCompare(b.environment ?? ''));
}

export function registerReconciliationRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/reconciliation/daily'], tags: ['Operations'], summary: 'Daily reconciliation per flow and environment', roles: ANY_ROLE,
    description: 'Finished runs grouped by UTC day of their start: counts and per-currency totals by outcome (exact decimals), and whether the day closes. '
      + 'Replays are included (they re-read records quarantined earlier) and counted in `replayRuns`.',
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json({ items: await dailyReconciliation(ctx, { flow: q.flow, environment: q.environment, days: q.days ?? 30 }) }, 200);
  });
}
