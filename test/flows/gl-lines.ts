/**
 * Seeded, realistic GL lines for the actuals → planning example
 * (flows/actuals-to-planning): an ERP export as finance teams get it, CSV with
 * semicolons and decimal commas ("-12.345,67"), four companies in their own
 * currencies plus some foreign-currency lines, posted and preliminary entries.
 * Every 1,000th line has a GL account the planning model does not map, and
 * every 1,250th no cost centre (both are quarantined by the flow).
 */
import { seededRandom } from '../seeded-random.ts';

export interface GlLine {
  entryId: string;
  postingDate: string;
  company: string;
  account: string;
  costCentre: string;
  currency: string;
  /** The amount as a decimal string with a point ("-12345.67"). */
  amount: string;
  status: 'posted' | 'preliminary';
}

const COMPANIES = [['DE01', 'EUR'], ['CH01', 'CHF'], ['US01', 'USD'], ['GB01', 'GBP']] as const;
const ACCOUNTS = ['4000', '4100', '5000', '6000', '6200', '6420', '6800', '7000'];
const COST_CENTRES = ['CC-1000', 'CC-1100', 'CC-2000', 'CC-2100', 'CC-3000', 'CC-3100', 'CC-4000', 'CC-5000'];
const CURRENCIES = ['EUR', 'CHF', 'USD', 'GBP'];

export function generateGlLines(n: number, seed = 17): GlLine[] {
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const lines: GlLine[] = [];
  for (let i = 1; i <= n; i++) {
    const [company, home] = pick(COMPANIES);
    const account = i % 1000 === 0 ? '9999' : pick(ACCOUNTS);
    const cents = Math.floor(next() * 5_000_000) + 1;
    // Revenue is a credit (negative in the GL); costs are debits, with an occasional reversal.
    const sign = account.startsWith('4') ? -1 : next() < 0.04 ? -1 : 1;
    const month = 1 + Math.floor(next() * 3);
    const day = 1 + Math.floor(next() * 28);
    lines.push({
      entryId: `JE-2026-${String(i).padStart(6, '0')}`,
      postingDate: `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      company,
      account,
      costCentre: i % 1250 === 0 ? '' : pick(COST_CENTRES),
      currency: next() < 0.9 ? home : pick(CURRENCIES),
      amount: centsText(sign * cents),
      status: next() < 0.88 ? 'posted' : 'preliminary',
    });
  }
  return lines;
}

function centsText(cents: number): string {
  const abs = String(Math.abs(cents)).padStart(3, '0');
  return `${cents < 0 ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

/** "-12345.67" as the ERP writes it: "-12.345,67". */
export function decimalComma(amount: string): string {
  const [whole, fraction] = amount.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}${digits},${fraction}`;
}

/** The export file: semicolons, a header row, decimal commas. */
export function glLinesCsv(lines: readonly GlLine[]): string {
  const rows = lines.map((l) => [l.entryId, l.postingDate, l.company, l.account, l.costCentre, l.currency, decimalComma(l.amount), l.status].join(';'));
  return `entry_id;posting_date;company;account;cost_center;currency;amount;status\n${rows.join('\n')}\n`;
}
