/**
 * XML documents out, checked as a bank and an e-invoicing validator would:
 * the pain.001.001.09 file the payments example flow makes from approved AP
 * invoices, and UBL 2.1 invoices (the real ones written back, and one made
 * from a canonical invoice by a mapping), are well-formed, read back by the
 * XML source as the same records, and pass the structural rules in
 * document-rules.ts (element order, required elements, NbOfTxs/CtrlSum,
 * EN 16931 totals). The rules are first held against the real documents.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import { bytesOf } from '../../../nodes/formats/bytes.ts';
import { parseXml } from '../../../nodes/formats/xml.ts';
import { loadXmlWriter, writeXml } from '../../../nodes/formats/xml-write.ts';
import { dryRunFlow } from '../../../runtime/dry-run.ts';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';
import { fileInput, loadFlowFile } from '../../../runtime/flow-files.ts';
import { en16931TotalsProblems, ibanValid, pain001TotalsProblems, pain001v09Problems, parseTree, ubl21InvoiceProblems } from './document-rules.ts';
import { UBL_WRITE, collect, realBytes } from './helpers.ts';
import { EMPTY_REFERENCE_DATA } from '../../../nodes/reference-data.ts';

const evaluators = createEvaluatorRegistry();

type Json = any;
const text = (file: string) => new TextDecoder().decode(realBytes(file));
const readBack = async (xml: string, repeat: string[] = []) => collect(parseXml(bytesOf(xml), 'doc.xml', { repeat }));
const REAL = new URL('../../../../shared/data/real/', import.meta.url);
const ubl = readdirSync(new URL('ubl/', REAL)).map((f) => `ubl/${f}`);

beforeAll(loadXmlWriter);

const functions = standardFunctions(EMPTY_REFERENCE_DATA);

/**
 * The pain.001 record the payments example flow gives for its sample, as target.sftp receives it (the traces
 * mask the IBANs, the flow's sensitive fields): its own transform on the sample row, and the dry run agreeing
 * that this record passes the flow's checks to the SFTP target.
 */
async function paymentRun(): Promise<Json> {
  const path = resolve(import.meta.dirname, '../../../flows/payments-pain001/flow.json');
  const { doc, dir } = await loadFlowFile(path);
  const result = await dryRunFlow({
    doc, catalog, evaluator: evaluators.for(doc), reference: EMPTY_REFERENCE_DATA,
    input: { kind: 'document', document: fileInput(join(dir, doc.samples![0])) },
  });
  expect(result.traces.map((t) => [t.outcome, t.endNode])).toEqual([['delivered', 'to-bank']]);
  const [row] = JSON.parse(await readFile(join(dir, doc.samples![0]), 'utf8'));
  const transform = doc.nodes.find((n) => n.id === 'to-pain001')!.config as { expression: string };
  return evaluators.for(doc).compile(transform.expression, { functions }).evaluate(row, functions);
}

describe('pain.001: the rules against the real files', () => {
  it('the German SEPA sample passes', () => {
    expect(pain001TotalsProblems(parseTree(text('iso20022/pain001-v03-de-sepa-2-transfers.xml')))).toEqual([]);
  });

  it("the PostFinance sample file's known faults are found: NbOfTxs 7 for 8 transfers, two made-up IBANs (CtrlSum 38.00 counts the EUR transfer's equivalent amount)", () => {
    expect(pain001TotalsProblems(parseTree(text('iso20022/pain001-v03-ch02-postfinance-musterfile-8-transfers.xml')))).toEqual([
      'GrpHdr/NbOfTxs is 7, the file has 8 transactions',
      'IBAN CH010023512312312365L fails its check digits',
      'IBAN IT1122334455667788991122334 fails its check digits',
    ]);
  });

  it('IBAN check digits', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
  });
});

describe('pain.001.001.09 from approved AP invoices (flows/payments-pain001)', () => {
  it('is well-formed, passes the bank rules and reads back as the same record', async () => {
    const record = await paymentRun();
    const header = record.Document.CstmrCdtTrfInitn.GrpHdr;
    // 6543.14 + 112.72 + 0.10 + 2500.00 + 19999.99, exactly (floating point gives 29155.949999…).
    expect(header).toMatchObject({ NbOfTxs: '5', CtrlSum: '29155.95' });
    expect(record.Document.CstmrCdtTrfInitn.PmtInf.map((b: Json) => [b.NbOfTxs, b.CtrlSum])).toEqual([['3', '6655.96'], ['1', '2500.00'], ['1', '19999.99']]);
    const xml = writeXml(record);
    expect(pain001v09Problems(xml)).toEqual([]);
    expect(await readBack(xml, ['PmtInf', 'CdtTrfTxInf', 'Ustrd'])).toEqual([record]);
  });

  it('the rules catch a wrong CtrlSum, a wrong NbOfTxs, elements out of order, a missing element and a bad IBAN', async () => {
    const record = await paymentRun();
    const tamper = (change: (r: Json) => void) => {
      const copy = structuredClone(record);
      change(copy);
      return pain001v09Problems(writeXml(copy));
    };
    expect(tamper((r) => { r.Document.CstmrCdtTrfInitn.GrpHdr.CtrlSum = '29155.94'; })).toEqual(['GrpHdr/CtrlSum is 29155.94, the amounts add up to 29155.95']);
    expect(tamper((r) => { r.Document.CstmrCdtTrfInitn.PmtInf[0].NbOfTxs = '2'; })).toEqual(['PmtInf PAY-20261201-170000-7890-2026-12-03: NbOfTxs is 2, the block has 3']);
    expect(tamper((r) => {
      const { MsgId, ...rest } = r.Document.CstmrCdtTrfInitn.GrpHdr;
      r.Document.CstmrCdtTrfInitn.GrpHdr = { ...rest, MsgId };
    })).toContain('Document/CstmrCdtTrfInitn/GrpHdr: required element MsgId is missing (or out of order)');
    expect(tamper((r) => { delete r.Document.CstmrCdtTrfInitn.PmtInf[0].DbtrAcct; })).toContain('Document/CstmrCdtTrfInitn/PmtInf[0]: required element DbtrAcct is missing (or out of order)');
    expect(tamper((r) => { r.Document.CstmrCdtTrfInitn.PmtInf[0].CdtTrfTxInf[0].CdtrAcct.Id.IBAN = 'AT611904300234573202'; })).toEqual(['IBAN AT611904300234573202 fails its check digits']);
  });
});

describe('UBL 2.1 invoices out', () => {
  it.each(ubl)('%s: the rules hold for the real document and for it written back', async (file) => {
    const original = text(file);
    const [record] = (await readBack(original)) as Json[];
    const xml = writeXml(record, UBL_WRITE);
    const isInvoice = 'Invoice' in record;
    if (isInvoice) {
      expect(ubl21InvoiceProblems(original)).toEqual([]);
      expect(ubl21InvoiceProblems(xml)).toEqual([]);
    }
    expect(en16931TotalsProblems(parseTree(xml))).toEqual([]);
    expect(await readBack(xml)).toEqual([record]);
  });

  it('written without the cac/cbc rule, or with totals that do not add up, it is refused', async () => {
    const [record] = (await readBack(text(ubl.find((f) => f.includes('20-lines'))!))) as Json[];
    expect(ubl21InvoiceProblems(writeXml(record, {}))[0]).toMatch(/^Invoice\/\w+ is in 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2', UBL puts it in cbc$/);
    record.Invoice.LegalMonetaryTotal.PayableAmount['#text'] = '250.34';
    expect(ubl21InvoiceProblems(writeXml(record, UBL_WRITE))).toEqual(['BR-CO-16: PayableAmount 250.34 ≠ TaxInclusiveAmount − prepaid + rounding 250.33']);
  });

  it('a mapping makes a UBL invoice from a canonical AR invoice, with exact totals', async () => {
    const invoice = {
      number: 'AR-2026-1001', issueDate: '2026-12-01', dueDate: '2026-12-31', currency: 'EUR', buyerReference: 'PO-77',
      seller: { name: 'Ledgerflow Demo GmbH', vatId: 'DE123456789', street: 'Hafenstraße 1', city: 'Hamburg', postcode: '20457', country: 'DE', iban: 'DE89370400440532013000' },
      buyer: { name: 'Van Dijk Logistiek B.V.', vatId: 'NL123456789B01', street: 'Kade 7', city: 'Rotterdam', postcode: '3011', country: 'NL' },
      lines: [
        { id: '1', description: 'Consulting, November', quantity: '12.5', unit: 'HUR', price: '96.40', vatRate: '19' },
        { id: '2', description: 'Licence', quantity: '3', unit: 'C62', price: '0.10', vatRate: '19' },
        { id: '3', description: 'Training book', quantity: '2', unit: 'C62', price: '33.33', vatRate: '7' },
      ],
    };
    const mapping = `(
      $lines := lines.{ "id": id, "q": quantity, "unit": unit, "price": price, "rate": vatRate, "net": $decRound($decMul(quantity, price), 2), "description": description };
      $rates := $distinct($lines.rate);
      $breakdown := $rates.( $r := $; $taxable := $decSum($lines[rate = $r].net); { "rate": $r, "taxable": $taxable, "tax": $decRound($decDiv($decMul($taxable, $r), 100), 2) } );
      $net := $decSum($lines.net);
      $tax := $decSum($breakdown.tax);
      $party := function($p) { { "PartyName": { "Name": $p.name }, "PostalAddress": { "StreetName": $p.street, "CityName": $p.city, "PostalZone": $p.postcode, "Country": { "IdentificationCode": $p.country } }, "PartyTaxScheme": { "CompanyID": $p.vatId, "TaxScheme": { "ID": "VAT" } }, "PartyLegalEntity": { "RegistrationName": $p.name } } };
      $amount := function($v) { { "@currencyID": $$.currency, "#text": $v } };
      { "Invoice": {
        "@xmlns": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
        "CustomizationID": "urn:cen.eu:en16931:2017",
        "ID": number, "IssueDate": issueDate, "DueDate": dueDate, "InvoiceTypeCode": "380",
        "DocumentCurrencyCode": currency, "BuyerReference": buyerReference,
        "AccountingSupplierParty": { "Party": $party(seller) },
        "AccountingCustomerParty": { "Party": $party(buyer) },
        "PaymentMeans": { "PaymentMeansCode": "58", "PayeeFinancialAccount": { "ID": seller.iban } },
        "TaxTotal": [{ "TaxAmount": $amount($tax), "TaxSubtotal": [$breakdown.{ "TaxableAmount": $amount(taxable), "TaxAmount": $amount(tax), "TaxCategory": { "ID": "S", "Percent": rate, "TaxScheme": { "ID": "VAT" } } }] }],
        "LegalMonetaryTotal": {
          "LineExtensionAmount": $amount($net), "TaxExclusiveAmount": $amount($net),
          "TaxInclusiveAmount": $amount($decAdd($net, $tax)), "PayableAmount": $amount($decAdd($net, $tax))
        },
        "InvoiceLine": [$lines.{
          "ID": id, "InvoicedQuantity": { "@unitCode": unit, "#text": q }, "LineExtensionAmount": $amount(net),
          "Item": { "Name": description, "ClassifiedTaxCategory": { "ID": "S", "Percent": rate, "TaxScheme": { "ID": "VAT" } } },
          "Price": { "PriceAmount": $amount(price) }
        }]
      } }
    )`;
    const doc = { evaluator: undefined } as never;
    const record = (await evaluators.for(doc).compile(mapping, { functions }).evaluate(invoice, functions)) as Json;
    // 12.5 × 96.40 = 1205.00; 3 × 0.10 = 0.30; 2 × 33.33 = 66.66 → 1271.96; VAT 19 % of 1205.30 = 229.01, 7 % of 66.66 = 4.67.
    expect(record.Invoice.LegalMonetaryTotal.PayableAmount['#text']).toBe('1505.64');
    const xml = writeXml(record, UBL_WRITE);
    expect(ubl21InvoiceProblems(xml)).toEqual([]);
    expect(xml).toContain('<cbc:PayableAmount currencyID="EUR">1505.64</cbc:PayableAmount>');
    expect(await readBack(xml, ['InvoiceLine', 'TaxTotal', 'TaxSubtotal'])).toEqual([record]);
  });
});
