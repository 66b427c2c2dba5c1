/**
 * The cash-application example end to end, on PGlite and (with TEST_DATABASE_URL) on Postgres:
 * 2,000 generated open items, a camt.054 of about 1,500 payments (full, partial, two instalments
 * of 62 invoices in one file, overpayments, unknown references) → applied amounts, open balances
 * and unapplied cash exactly as computed independently in cents; a second run of the same file
 * applies nothing twice; an instalment's lineage shows the balance before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { bytesInput } from '../../../runtime/preview/preview-job.ts';
import { defaultConnectionsFor } from '../../../runtime/queue/default-connections.ts';
import { executeRun } from '../../bench/execute-run.ts';
import { backendNames, openBackend, type OpenedBackend } from '../../runtime/queue/queue-fixtures.ts';
import { centsText, expectedApplication, generateCashData } from './cash-data.ts';
import { cashFlow, expectApplied, setUpReceivables } from './cash-fixtures.ts';

const data = generateCashData();
const expected = expectedApplication(data);

describe('generated cash data', () => {
  it('has every case, and the expectations add up', () => {
    const counts: Record<string, number> = {};
    for (const p of data.payments) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
    expect(counts).toEqual({ full: 1100, partial: 180, instalment: 124, overpayment: 40, unknown: 55 });
    expect(expected).toMatchObject({ applications: 1444, unappliedNoInvoice: 55, overpayments: 40 });
    // Every instalment pair pays its invoice off exactly.
    const split = new Set(data.payments.filter((p) => p.kind === 'instalment').map((p) => p.invoiceNo));
    expect(split.size).toBe(62);
    for (const invoice of split) expect(expected.balances.get(invoice)).toBe(0n);
    expect(generateCashData().xml).toBe(data.xml);
  });
});

for (const backend of backendNames()) {
  describe(`cash application on ${backend}`, () => {
    let b: OpenedBackend;
    beforeAll(async () => {
      b = await openBackend(backend);
      await setUpReceivables(b.database, data);
    }, 120_000);
    afterAll(() => b?.cleanup());

    it('applies every payment once: exact balances, applied and unapplied cash; a second run of the file applies nothing again', async () => {
      const doc = await cashFlow();
      await b.store.saveDraft(doc, 'tester');
      await b.store.saveVersion(doc.id, doc, 'tester', 'first');
      const connections = await defaultConnectionsFor(b.database)('dev', doc);
      const deps = { store: b.store, catalog, connections, files: { append: async () => {} } };
      const reference = createReferenceData({});
      const input = () => ({ kind: 'document' as const, document: bytesInput('camt054-20261205.xml', new TextEncoder().encode(data.xml)) });
      try {
        const { run } = await executeRun(deps, { doc, version: 1, environment: 'dev', trigger: 'manual', input: input(), reference, chunkSize: 200 });
        expect(run.status).toBe('succeeded');
        expect(run.reconciliation?.items?.counts).toMatchObject({ read: data.payments.length, delivered: data.payments.length, deadLettered: 0, quarantined: 0 });
        expect(run.reconciliation?.items?.totals.delivered).toEqual({ EUR: centsText(expected.paidCents) });
        await expectApplied(b.database, b.store, 'dev', data, expected);

        // Lineage of the second instalment of an invoice: the balance the first left, and zero after.
        const invoice = data.payments.find((p) => p.kind === 'instalment')!.invoiceNo;
        const [first, second] = data.payments.filter((p) => p.invoiceNo === invoice);
        const trace = (await b.store.findByBusinessKey(entryOf(second.ref), { limit: 10 })).items.find((t) => t.itemKey === second.ref)!;
        const full = await b.store.getTrace(run.id, trace.lineageKey);
        const step = full!.steps.find((s) => s.node === 'apply-payment')!.data as { balance: unknown };
        const amount = data.openItems.find((o) => o.invoiceNo === invoice)!.amountCents;
        expect(step.balance).toEqual({ key: invoice, before: centsText(amount - first.amountCents), after: '0.00' });

        // The same file again (a bank re-delivery): every payment a duplicate, no balance touched.
        const again = await executeRun(deps, { doc, version: 1, environment: 'dev', trigger: 'manual', input: input(), reference, chunkSize: 200 });
        expect(again.run.reconciliation?.items?.counts).toMatchObject({ read: data.payments.length, duplicate: data.payments.length, delivered: 0 });
        await expectApplied(b.database, b.store, 'dev', data, expected);
      } finally {
        await connections.close();
      }
    }, 300_000);
  });
}

/** The notification entry (the business key) a payment travelled in. */
function entryOf(paymentRef: string): string {
  const at = data.xml.indexOf(`<AcctSvcrRef>${paymentRef}</AcctSvcrRef>`);
  const entry = data.xml.lastIndexOf('<Ntry>', at);
  return /<AcctSvcrRef>(261205NTRY\d+)<\/AcctSvcrRef>/.exec(data.xml.slice(entry, at))![1];
}
