/**
 * Setting up the cash-application example against a backend: its tables (setup.sql, without the
 * sample's seed rows) in the `ar` target database, and the generated open items.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { applySetupScript, targetDatabase } from '../../../runtime/store/target-databases.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { centsText, type CashData, type ExpectedApplication } from './cash-data.ts';

export const FLOW_DIR = resolve(import.meta.dirname, '../../../flows/cash-application');

export async function cashFlow(): Promise<FlowDocument> {
  return JSON.parse(await readFile(resolve(FLOW_DIR, 'flow.json'), 'utf8'));
}

/** The example's tables, emptied, holding the generated open items. */
export async function setUpReceivables(database: Database, data: CashData): Promise<void> {
  await applySetupScript(database, ['ar'], await readFile(resolve(FLOW_DIR, 'setup.sql'), 'utf8'));
  const ar = targetDatabase(database, 'ar');
  await ar.query('truncate ar_open_item, cash_application, cash_unapplied');
  await applySetupScript(database, ['ar'], data.setupSql);
}

const cents = (value: unknown) => BigInt(String(value).replace('.', ''));

/** The tables and the keyed state hold exactly what `expected` says, each payment applied once. */
export async function expectApplied(database: Database, store: Store, environment: string, data: CashData, expected: ExpectedApplication): Promise<void> {
  const ar = targetDatabase(database, 'ar');
  const applied = await ar.query<{ n: unknown; paid: unknown; applied: unknown; unapplied: unknown }>(
    'select count(*) as n, coalesce(sum(paid), 0)::text as paid, coalesce(sum(applied), 0)::text as applied, coalesce(sum(unapplied), 0)::text as unapplied from cash_application');
  const row = applied.rows[0];
  expect(Number(row.n)).toBe(expected.applications);
  expect(String(row.applied)).toBe(centsText(expected.appliedCents));
  const listed = await ar.query<{ n: unknown; total: unknown }>('select count(*) as n, coalesce(sum(amount), 0)::text as total from unapplied_cash');
  expect(Number(listed.rows[0].n)).toBe(expected.unappliedNoInvoice + expected.overpayments);
  expect(String(listed.rows[0].total)).toBe(centsText(expected.unappliedCents));
  const noInvoice = await ar.query<{ n: unknown }>('select count(*) as n from cash_unapplied');
  expect(Number(noInvoice.rows[0].n)).toBe(expected.unappliedNoInvoice);
  // Paid = applied + unapplied, to the cent.
  expect(cents(row.paid) + cents(listed.rows[0].total) - cents(row.unapplied)).toBe(expected.paidCents);

  // Every open balance in the keyed state, exactly; each payment applied once.
  const state = await store.keyedState.read(`${environment}/ar-open-balance`, [...expected.balances.keys()]);
  const wrong = [...expected.balances].filter(([invoice, balance]) => state.get(invoice) !== centsText(balance));
  expect(wrong.slice(0, 5).map(([invoice, balance]) => ({ invoice, expected: centsText(balance), got: state.get(invoice) }))).toEqual([]);
  expect(state.size).toBe(expected.balances.size);
  const changes = await store.sql.query<{ n: unknown }>("select count(*) as n from keyed_state_changes where scope = $1", [`${environment}/ar-open-balance`]);
  expect(Number(changes.rows[0].n)).toBe(expected.applications);
  expect(data.payments.length).toBe(expected.applications + expected.unappliedNoInvoice);
}
