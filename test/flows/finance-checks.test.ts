/**
 * The example flows' finance controls catch real mistakes: a real document is
 * altered the way a bad export would alter it, and the flow must quarantine
 * it with the rule that explains why.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.ts';
import { parseDocument } from '../../nodes/formats/index.ts';
import { fileFormatOptions } from '../../nodes/source/file.ts';
import { dryRunFlow } from '../../runtime/dry-run.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { fileInput, loadFlowFile, loadReferenceData } from '../../runtime/flow-files.ts';

const evaluators = createEvaluatorRegistry();

const FLOWS = resolve(import.meta.dirname, '../../flows');

async function runAltered(flowName: string, sample: string, alter: (record: any) => void) {
  const { doc, dir } = await loadFlowFile(join(FLOWS, flowName, 'flow.json'));
  const reference = await loadReferenceData(doc, dir);
  const source = doc.nodes.find((n) => n.type === 'source.file' || n.type === 'source.sftp')!;
  // source.sftp reads its files with the file source's settings, kept under `parse`.
  const parsing = source.type === 'source.sftp' ? (source.config as { parse: never }).parse : (source.config as never);
  const records: any[] = [];
  for await (const r of parseDocument(fileInput(join(dir, 'samples', sample)).chunks(), sample, fileFormatOptions(parsing))) records.push(r);
  records.forEach(alter);
  return dryRunFlow({ doc, catalog, evaluator: evaluators.for(doc), reference, input: { kind: 'records', records: records.map((data) => ({ data })) } });
}

const rulesOf = (result: Awaited<ReturnType<typeof runAltered>>) => result.traces.flatMap((t) => (t.failures ?? []).filter((f) => f.severity === 'error').map((f) => f.rule));

describe('camt.053 balance check', () => {
  it('passes the real statement and quarantines one whose closing balance was altered', async () => {
    const ok = await runAltered('camt053-cash-entries', 'camt053-v02-fi-fffs-sample-10-entries.xml', () => {});
    expect(ok.counts).toMatchObject({ read: 1, delivered: 1, quarantined: 0 });
    const bad = await runAltered('camt053-cash-entries', 'camt053-v02-fi-fffs-sample-10-entries.xml', (r) => {
      const clbd = r.Stmt.Bal.find((b: any) => b.Tp.CdOrPrtry.Cd === 'CLBD');
      clbd.Amt['#text'] = '23644.84';
    });
    expect(bad.counts).toMatchObject({ read: 1, delivered: 0, quarantined: 1 });
    expect(rulesOf(bad)).toEqual(['balances-reconcile']);
    expect(bad.traces[0].failures![0].message).toBe('Opening balance + booked credits − debits (23644.83) differs from the closing balance 23644.84');
  });

  it('quarantines a statement whose entry was dropped, with no cash entry posted', async () => {
    const bad = await runAltered('camt053-cash-entries', 'camt053-v02-de-vrbank-4-entries.xml', (r) => { r.Stmt.Ntry.pop(); });
    expect(bad.counts).toMatchObject({ quarantined: 1, delivered: 0 });
    expect(bad.outputs?.['post-cash-entry'] ?? []).toHaveLength(0);
  });
});

describe('UBL invoice totals', () => {
  it('quarantines an invoice whose line amount no longer adds up, naming both rules that break', async () => {
    const bad = await runAltered('ubl-invoice-to-ap', 'ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml', (r) => {
      r.Invoice.InvoiceLine[3].LineExtensionAmount['#text'] = '9.99';
    });
    expect(bad.counts).toMatchObject({ quarantined: 1, delivered: 0 });
    expect(rulesOf(bad)).toContain('lines-add-up');
  });

  it('quarantines an unknown tax category and an unknown supplier together', async () => {
    const bad = await runAltered('ubl-invoice-to-ap', 'ubl-invoice-en16931-freight-charge-two-vat-rates-dkk.xml', (r) => {
      r.Invoice.InvoiceLine[0].Item.ClassifiedTaxCategory.ID = 'X';
      r.Invoice.AccountingSupplierParty.Party.PartyTaxScheme[0].CompanyID = 'DK99999999';
    });
    expect(rulesOf(bad).sort()).toEqual(['supplier-known', 'tax-categories-known']);
  });
});
