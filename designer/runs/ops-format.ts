/** Words and numbers of the operator console. */
import { amountAtMinorUnits } from '../../nodes/currency-minor-units.ts';
import type { RecordOutcome, RunStatus } from '../../runtime/api/contract/enums.ts';

export const STATUS_LABEL: Record<RunStatus, string> = {
  queued: 'Queued', running: 'Running', succeeded: 'Succeeded', completed_with_exceptions: 'With exceptions', failed: 'Failed', cancelled: 'Cancelled',
};

export const OUTCOME_LABEL: Record<RecordOutcome, string> = {
  delivered: 'Delivered', quarantined: 'Quarantined', dead_lettered: 'Dead-lettered', duplicate: 'Duplicate (skipped)', filtered: 'Filtered', aggregated: 'Aggregated (into a group)',
};

export const TRIGGERS = ['manual', 'webhook', 'schedule', 'polling', 'replay'];

/** A moment with its date, year included, and time to the second ("5 Dec 2026, 14:03:09"). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** 850 ms, 12.4 s, 3 min 5 s, 2 h 10 min, 14 d. */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s < 86400 * 2) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s < 86400 * 730) return `${Math.round(s / 86400).toLocaleString()} d`;
  return `${(s / (86400 * 365.25)).toFixed(1)} years`;
}

export function runDuration(run: { startedAt: string | null; finishedAt: string | null }, now = Date.now()): string {
  if (!run.startedAt) return '—';
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return formatSeconds((end - Date.parse(run.startedAt)) / 1000);
}

export function percent(share: number): string {
  if (!share) return '0 %';
  return share < 0.001 ? '< 0.1 %' : `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

/** Totals per currency as "3,200.00 SEK · 10 EUR". */
export function formatTotals(totals: Record<string, string> | undefined): string {
  const entries = Object.entries(totals ?? {});
  if (!entries.length) return '—';
  return entries.map(([cur, v]) => `${formatAmount(v, cur)} ${cur}`).join(' · ');
}

/** Groups digits of an exact decimal string without turning it into a float, at least at the currency's minor units. */
export function formatAmount(value: string, currency?: string | null): string {
  const [int, frac] = amountAtMinorUnits(value, currency).split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = int.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${frac ? `.${frac}` : ''}`;
}
