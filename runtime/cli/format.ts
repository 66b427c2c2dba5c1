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

export function countsLine(c: OutcomeCounts): string {
  return `read ${c.read} · delivered ${c.delivered} · quarantined ${c.quarantined} · dead-lettered ${c.deadLettered} · duplicate ${c.duplicate} · filtered ${c.filtered}`;
}

export function reconciliationText(r: Reconciliation | null): string {
  if (!r) return 'reconciliation: none (the run did not start)';
  const currencies = [...new Set(Object.values(r.totals).flatMap((t) => Object.keys(t)))].sort();
  const lines = [`reconciliation: ${r.closes ? 'closes' : 'DOES NOT CLOSE'}`];
  if (currencies.length) {
    const keys = ['read', 'delivered', 'quarantined', 'deadLettered', 'duplicate', 'filtered'] as const;
    lines.push(table(['currency', ...keys], currencies.map((cur) => [cur, ...keys.map((k) => amountAtMinorUnits(r.totals[k][cur] ?? '0', cur))])));
  }
  if (r.withoutAmount) lines.push(`${r.withoutAmount} record(s) had no readable amount and are not in the totals`);
  for (const d of r.differences) lines.push(`  ! ${d}`);
  return lines.join('\n');
}

export function nodeStatsText(stats: NodeStats[], labels: Map<string, string> = new Map()): string {
  return table(['node', 'in', 'out', 'invalid', 'errors', 'ms'], stats.map((s) => [labels.get(s.nodeId) ? `${s.nodeId} (${labels.get(s.nodeId)})` : s.nodeId, s.in, s.out, s.invalid, s.errors, Math.round(s.ms)]));
}
