/** Plain-text tables and summaries for the terminal. */
import { amountAtMinorUnits } from '../../nodes/currency-minor-units.ts';
import type { OutcomeCounts, Reconciliation, NodeStats } from '../engine/run-types.ts';

export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || r[i] === undefined || r[i] === '' || /^-?[\d.,]+$/.test(String(r[i]))));
  return cells
    .map((r, ri) => r.map((c, i) => (numeric[i] && ri > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd())
    .join('\n');
}

const line = (c: OutcomeCounts) => `read ${c.read} · delivered ${c.delivered} · quarantined ${c.quarantined} · dead-lettered ${c.deadLettered} · duplicate ${c.duplicate} · filtered ${c.filtered}${c.aggregated ? ` · aggregated ${c.aggregated}` : ''}`;

/** Whether a run counted items that differ from its source records (a fan-out happened). */
function fannedOut(c: OutcomeCounts, r: Reconciliation | null | undefined): OutcomeCounts | null {
  const items = r?.items?.counts;
  if (!items) return null;
  return (Object.keys(c) as (keyof OutcomeCounts)[]).every((k) => c[k] === items[k]) ? null : items;
}

/** Counts, saying their level: source records, and items when records fanned out. */
export function countsLine(c: OutcomeCounts, r?: Reconciliation | null): string {
  const items = fannedOut(c, r);
  const groups = r?.groups ? `\n  groups: ${line(r.groups.counts).replace(/^read/, 'emitted')}` : '';
  return (items ? `source records: ${line(c)}
  items: ${line(items)}` : line(c)) + groups;
}

function totalsTable(r: Reconciliation): string[] {
  const currencies = [...new Set(Object.values(r.totals).flatMap((t) => Object.keys(t)))].sort();
  if (!currencies.length) return [];
  const keys = ['read', 'delivered', 'quarantined', 'deadLettered', 'duplicate', 'filtered', ...(r.totals.aggregated ? ['aggregated' as const] : [])] as const;
  return [table(['currency', ...keys], currencies.map((cur) => [cur, ...keys.map((k) => amountAtMinorUnits(r.totals[k]?.[cur] ?? '0', cur))]))];
}

export function reconciliationText(r: Reconciliation | null): string {
  if (!r) return 'reconciliation: none (the run did not start)';
  const items = fannedOut(r.counts, r) && r.items;
  const lines = [`reconciliation: ${r.closes ? 'closes' : 'DOES NOT CLOSE'}${items ? ' (source records and items)' : ''}`];
  if (items) lines.push('source records:');
  lines.push(...totalsTable(r));
  if (r.withoutAmount) lines.push(`${r.withoutAmount} record(s) had no readable amount and are not in the totals`);
  if (items) {
    lines.push('items:', ...totalsTable(items));
    if (items.withoutAmount) lines.push(`${items.withoutAmount} item(s) had no readable amount and are not in the totals`);
  }
  if (r.itemSums) {
    const s = r.itemSums;
    lines.push(s.differing ? `item sums: the items of ${s.differing} of ${s.checked} source record(s) do not sum to the record's amount` : `item sums: the items of ${s.checked} source record(s) sum exactly to their record's amount`);
    for (const e of s.examples) lines.push(`  ${e.sourceKey}: ${e.items} items of ${e.node} sum to ${e.itemsTotal} ${e.currency}, the record's amount is ${e.recordAmount} ${e.currency}`);
  }
  for (const d of r.differences) lines.push(`  ! ${d}`);
  for (const w of r.warnings ?? []) lines.push(`  ! ${w.notice ? 'notice' : 'warning'} ${w.code}: ${w.message}`);
  return lines.join('\n');
}

export function nodeStatsText(stats: NodeStats[], labels: Map<string, string> = new Map()): string {
  return table(['node', 'in', 'out', 'invalid', 'errors', 'ms'], stats.map((s) => [labels.get(s.nodeId) ? `${s.nodeId} (${labels.get(s.nodeId)})` : s.nodeId, s.in, s.out, s.invalid, s.errors, Math.round(s.ms)]));
}
