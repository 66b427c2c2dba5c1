/**
 * Daily reconciliation per flow and environment: the runs' control counts and
 * per-currency totals (summed exactly by the store), and whether the day closes.
 */
import { amountAtMinorUnits } from '../../nodes/currency-minor-units.ts';
import { ExactDecimal } from '../../nodes/expression/money.ts';
import { RECONCILIATION_OUTCOMES as OUTCOMES, type DailyRunCounts, type ReconciliationOutcome as Outcome } from '../store/service-reconciliation.ts';
import type { AppContext } from './app-context.ts';

export interface DailyReconciliation extends DailyRunCounts {
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
export async function dailyReconciliation(ctx: Pick<AppContext, 'repos'>, q: { flow?: string; environment?: string; days: number; now: Date }): Promise<DailyReconciliation[]> {
  const since = new Date(q.now.getTime() - q.days * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const filter = { since, flowId: q.flow, environment: q.environment };
  const [countRows, totalRows] = [await ctx.repos.reconciliation.dailyRunCounts(filter), await ctx.repos.reconciliation.dailyRunTotals(filter)];
  const key = (r: { day: string; flowId: string; environment: string | null }) => `${r.day}|${r.flowId}|${r.environment ?? ''}`;
  const byKey = new Map<string, DailyReconciliation>();
  for (const r of countRows) {
    byKey.set(key(r), {
      ...r,
      totals: Object.fromEntries(OUTCOMES.map((k) => [k, {}])) as Record<Outcome, Record<string, string>>,
      closes: true, differences: [],
    });
  }
  for (const r of totalRows) {
    const d = byKey.get(key(r));
    if (d && (OUTCOMES as readonly string[]).includes(r.outcome)) d.totals[r.outcome as Outcome][r.currency] = amountAtMinorUnits(new ExactDecimal(r.total).toFixed(), r.currency);
  }
  const items = [...byKey.values()];
  for (const d of items) {
    d.differences = closing(d);
    d.closes = d.differences.length === 0;
  }
  return items.sort((a, b) => b.day.localeCompare(a.day) || a.flowId.localeCompare(b.flowId) || (a.environment ?? '').localeCompare(b.environment ?? ''));
}
