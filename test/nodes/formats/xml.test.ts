import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { bytesOf, chunked } from '../../../nodes/formats/bytes.ts';
import { parseXml, sniffXmlEncoding } from '../../../nodes/formats/xml.ts';
import { collect, parseFailure, realBytes } from './helpers.ts';

type Json = any;

const UBL_REPEAT = ['InvoiceLine', 'CreditNoteLine', 'TaxTotal', 'TaxSubtotal'];

async function one(bytes: Uint8Array | string, options = {}, name = 'doc.xml'): Promise<Json> {
  const records = await collect<Json>(parseXml(bytesOf(bytes), name, options));
  expect(records).toHaveLength(1);
  return records[0];
}

describe('XML: the eight UBL sample invoices', () => {
  // [file, root, ID, lines, currency, TaxExclusiveAmount, TaxAmount of the first TaxTotal, PayableAmount] — SOURCES.md
  const cases: [string, string, string, number, string, string, string, string][] = [
    ['ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml', 'Invoice', '12115118', 20, 'EUR', '229.60', '20.73', '250.33'],
    ['ubl-invoice-en16931-allowances-charges-prepaid-nok.xml', 'Invoice', 'TOSL108', 5, 'NOK', '1436.50', '365.28', '801.78'],
    ['ubl-invoice-en16931-freight-charge-two-vat-rates-dkk.xml', 'Invoice', 'TOSL108', 2, 'DKK', '1700.00', '305.00', '2005.00'],
    ['ubl-invoice-en16931-dkk-vat-also-in-eur-prepaid.xml', 'Invoice', 'TOSL110', 3, 'DKK', '4000.00', '675.00', '2337.50'],
    ['ubl-invoice-en16931-vat-outside-scope-sek.xml', 'Invoice', 'INVOICE_test_7', 2, 'SEK', '3200.00', '0.00', '3200.00'],
    ['ubl-invoice-en16931-utility-10-lines-base-quantity-eur.xml', 'Invoice', '1100512149', 10, 'EUR', '908.91', '190.87', '1099.78'],
    ['ubl-creditnote-en16931-vat-exempt-eur.xml', 'CreditNote', '018304 / 28865', 1, 'EUR', '100.11', '0.00', '100.11'],
    ['ubl-invoice-peppol-bis3-four-vat-breakdowns-sek.xml', 'Invoice', '2018210', 4, 'SEK', '700', '130', '830'],
  ];

  it.each(cases)('%s', async (file, root, id, lines, currency, taxExcl, tax, payable) => {
    const record = await one(realBytes(`ubl/${file}`), { repeat: UBL_REPEAT }, file);
    expect(Object.keys(record)).toEqual([root]);
    const doc = record[root];
    expect(doc['@xmlns']).toBe(`urn:oasis:names:specification:ubl:schema:xsd:${root}-2`);
    expect(doc.ID).toBe(id);
    expect(doc[`${root}Line`]).toHaveLength(lines);
    expect(doc.DocumentCurrencyCode).toBe(currency);
    expect(doc.LegalMonetaryTotal.TaxExclusiveAmount).toEqual({ '@currencyID': currency, '#text': taxExcl });
    expect(doc.TaxTotal[0].TaxAmount).toEqual({ '@currencyID': currency, '#text': tax });
    expect(doc.LegalMonetaryTotal.PayableAmount).toEqual({ '@currencyID': currency, '#text': payable });
  });

  it('reads the 20-line invoice as the convention says', async () => {
    const { Invoice } = await one(realBytes('ubl/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml'), { repeat: ['InvoiceLine'] });
    expect(Invoice.LegalMonetaryTotal.PayableAmount).toEqual({ '@currencyID': 'EUR', '#text': '250.33' });
    expect(Invoice.InvoiceLine).toHaveLength(20);
    expect(Invoice.InvoiceLine[0]).toEqual({
      ID: '1',
      InvoicedQuantity: { '@unitCode': 'EA', '#text': '2' },
      LineExtensionAmount: { '@currencyID': 'EUR', '#text': '19.90' },
      Item: {
        Name: 'PATAT FRITES 10MM 10KG',
        SellersItemIdentification: { ID: '166022' },
        ClassifiedTaxCategory: { ID: 'S', Percent: '6', TaxScheme: { ID: 'VAT' } },
      },
      Price: { PriceAmount: { '@currencyID': 'EUR', '#text': '9.95' } },
    });
    // Two PaymentMeans siblings become a list even without `repeat`; IBAN spaces kept.
    expect(Invoice.PaymentMeans.map((p: Json) => p.PayeeFinancialAccount.ID)).toEqual(['NL57 RABO 0107307510', 'NL03 INGB 0004489902']);
    // Not in `repeat` and occurring once: a plain object.
    expect(Array.isArray(Invoice.TaxTotal)).toBe(false);
    expect(Invoice.TaxTotal.TaxSubtotal.map((s: Json) => s.TaxAmount['#text'])).toEqual(['10.99', '9.74']);
    expect(Invoice['@schemaLocation']).toMatch(/^urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 /);
    // The 20 line amounts add up exactly to LineExtensionAmount.
    const sum = Invoice.InvoiceLine.reduce((acc: Decimal, l: Json) => acc.plus(l.LineExtensionAmount['#text']), new Decimal(0));
    expect(sum.toFixed(2)).toBe(Invoice.LegalMonetaryTotal.LineExtensionAmount['#text']);
  });

  it('keeps the credit note root, its odd ID and non-ASCII text', async () => {
    const record = await one(realBytes('ubl/ubl-creditnote-en16931-vat-exempt-eur.xml'));
    expect(Object.keys(record)).toEqual(['CreditNote']);
    expect(record.CreditNote['@xmlns']).toBe('urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2');
    expect(record.CreditNote.ID).toBe('018304 / 28865');
    expect(record.CreditNote.CreditNoteTypeCode).toBe('381');
    expect(record.CreditNote.CreditNoteLine.Item.Name).toBe('Exonération du versement du PP');
  });

  it('preserves the leading space of the PEPPOL TaxScheme " VAT" in both places', async () => {
    const { Invoice } = await one(realBytes('ubl/ubl-invoice-peppol-bis3-four-vat-breakdowns-sek.xml'), { repeat: UBL_REPEAT });
    expect(Invoice.AllowanceCharge[0].TaxCategory.TaxScheme.ID).toBe(' VAT');
    expect(JSON.stringify(Invoice).match(/"ID":" VAT"/g)).toHaveLength(2);
    expect(Invoice.TaxTotal[0].TaxSubtotal.map((s: Json) => s.TaxCategory.Percent)).toEqual(['6', '25', '12', '0']);
  });

  it('gives identical records for 1-byte and 7-byte chunks (multi-byte characters split)', async () => {
    for (const file of ['ubl-creditnote-en16931-vat-exempt-eur.xml', 'ubl-invoice-en16931-utility-10-lines-base-quantity-eur.xml', 'ubl-invoice-peppol-bis3-four-vat-breakdowns-sek.xml']) {
      const bytes = realBytes(`ubl/${file}`);
      const whole = await collect(parseXml(bytesOf(bytes), file, { repeat: UBL_REPEAT }));
      expect(await collect(parseXml(chunked(bytes, 1), file, { repeat: UBL_REPEAT }))).toEqual(whole);
      expect(await collect(parseXml(chunked(bytes, 7), file, { repeat: UBL_REPEAT }))).toEqual(whole);
    }
    const { Invoice } = await one(realBytes('ubl/ubl-invoice-en16931-utility-10-lines-base-quantity-eur.xml'));
    expect(JSON.stringify(Invoice)).toContain('Getransporteerde kWh’s');
  });
});

describe('XML: ISO 20022 bank files', () => {
  const STMT = 'Document/BkToCstmrStmt/Stmt';
  // [file, version, Stmt Id, IBAN, entries, TxDtls, credits, debits, [balance type, amount]…]
  const camt053: [string, string, string, string, number, number, string, string, [string, string][]][] = [
    ['camt053-v02-fi-fffs-sample-10-entries.xml', '02', 'BANKSTMTID0972009', 'FI7433010001222090', 10, 12, '23075.00', '9430.17',
      [['OPBD', '10000.00'], ['PRCD', '10000.00'], ['CLBD', '23644.83'], ['CLAV', '33644.83']]],
    ['camt053-v04-ch-postfinance-13-entries-batches.xml', '04', '20160430375204000008574', 'CH0309000000250090342', 13, 32, '1810.56', '1272.95',
      [['OPBD', '322152.16'], ['CLBD', '322689.77']]],
    ['camt053-v02-de-vrbank-4-entries.xml', '02', '0352C5320131227220503', 'DE14740618130000033626', 4, 5, '1.00', '11.00',
      [['PRCD', '33.06'], ['CLBD', '23.06']]],
  ];

  it.each(camt053)('%s: one Stmt record with its entries', async (file, version, id, iban, entries, txDtls, credits, debits, balances) => {
    const records = await collect<Json>(parseXml(chunked(realBytes(`iso20022/${file}`), 7), file, { recordElement: STMT, repeat: ['Ntry', 'TxDtls', 'Bal'] }));
    expect(records).toHaveLength(1);
    const { Stmt } = records[0];
    expect(Object.keys(records[0])).toEqual(['Stmt']);
    expect(Stmt['@xmlns']).toBe(`urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}`);
    expect(Stmt.GrpHdr).toBeUndefined();
    expect(Stmt.Id).toBe(id);
    expect(Stmt.Acct.Id.IBAN).toBe(iban);
    expect(Stmt.Ntry).toHaveLength(entries);
    const details = Stmt.Ntry.flatMap((e: Json) => [e.NtryDtls ?? []].flat().flatMap((d: Json) => d.TxDtls ?? []));
    expect(details).toHaveLength(txDtls);
    const total = (ind: string) =>
      Stmt.Ntry.filter((e: Json) => e.CdtDbtInd === ind).reduce((acc: Decimal, e: Json) => acc.plus(e.Amt['#text']), new Decimal(0)).toFixed(2);
    expect(total('CRDT')).toBe(credits);
    expect(total('DBIT')).toBe(debits);
    expect(Stmt.Bal.map((b: Json) => [b.Tp.CdOrPrtry.Cd, b.Amt['#text']])).toEqual(balances);
    // opening + credits − debits = closing
    const opening = new Decimal(balances[0][1]);
    const closing = balances.find(([type]) => type === 'CLBD')![1];
    expect(opening.plus(credits).minus(debits).toFixed(2)).toBe(closing);
  });

  it('emits each entry as its own record with a deeper recordElement', async () => {
    const file = 'camt053-v02-fi-fffs-sample-10-entries.xml';
    const records = await collect<Json>(parseXml(bytesOf(realBytes(`iso20022/${file}`)), file, { recordElement: `${STMT}/Ntry` }));
    expect(records).toHaveLength(10);
    expect(records.every((r) => Object.keys(r)[0] === 'Ntry' && r.Ntry['@xmlns'] === 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02')).toBe(true);
    expect(records[0].Ntry.Sts).toBe('BOOK');
    expect(records[0].Ntry.BookgDt.Dt).toBe('2009-10-29');
  });

  it('keeps the empty <BkTxCd/> and the German text of the VR-Bank file', async () => {
    const file = 'camt053-v02-de-vrbank-4-entries.xml';
    const [{ Stmt }] = await collect<Json>(parseXml(chunked(realBytes(`iso20022/${file}`), 1), file, { recordElement: STMT, repeat: ['Ntry'] }));
    expect(Stmt.Ntry.map((e: Json) => [e.CdtDbtInd, e.Amt])).toEqual([
      ['DBIT', { '@Ccy': 'EUR', '#text': '2.00' }],
      ['DBIT', { '@Ccy': 'EUR', '#text': '3.00' }],
      ['CRDT', { '@Ccy': 'EUR', '#text': '1.00' }],
      ['DBIT', { '@Ccy': 'EUR', '#text': '6.00' }],
    ]);
    expect(Stmt.Ntry[0].BkTxCd).toBe('');
    expect(Stmt.Ntry[0].AddtlNtryInf).toMatch(/^Überweisungs-Gutschrift/);
  });

  it('reads the camt.054 notification, which has CR-only line endings', async () => {
    const file = 'camt054-v02-fi-fffs-credit-debit-notification.xml';
    const bytes = realBytes(`iso20022/${file}`);
    expect(bytes.includes(10)).toBe(false);
    const [{ Ntfctn }] = await collect<Json>(parseXml(chunked(bytes, 7), file, { recordElement: '*/BkToCstmrDbtCdtNtfctn/Ntfctn', repeat: ['Ntry'] }));
    expect(Ntfctn['@xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:camt.054.001.02');
    expect(Ntfctn.Id).toBe('BANKFILEID00001NTR00001');
    expect(Ntfctn.Ntry).toHaveLength(6);
    const reversed = Ntfctn.Ntry.filter((e: Json) => e.RvslInd === 'true');
    expect(reversed.map((e: Json) => [e.Sts, e.Amt['#text']])).toEqual([['INFO', '100.00']]);
  });

  it('reads both pain.001 files, keeping the NbOfTxs inconsistency visible', async () => {
    const ch = await one(realBytes('iso20022/pain001-v03-ch02-postfinance-musterfile-8-transfers.xml'), { repeat: ['PmtInf', 'CdtTrfTxInf'] });
    const chInit = ch.Document.CstmrCdtTrfInitn;
    expect(ch.Document['@xmlns']).toBe('http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd');
    expect(chInit.GrpHdr.NbOfTxs).toBe('7');
    expect(chInit.GrpHdr.CtrlSum).toBe('38.00');
    expect(chInit.PmtInf).toHaveLength(5);
    const transfers = chInit.PmtInf.flatMap((p: Json) => p.CdtTrfTxInf);
    expect(transfers).toHaveLength(8);
    const sum = transfers.reduce((acc: Decimal, t: Json) => acc.plus((t.Amt.InstdAmt ?? t.Amt.EqvtAmt.Amt)['#text']), new Decimal(0));
    expect(sum.toFixed(2)).toBe('38.00');

    const de = await one(realBytes('iso20022/pain001-v03-de-sepa-2-transfers.xml'), { recordElement: 'Document/CstmrCdtTrfInitn/PmtInf', repeat: ['CdtTrfTxInf'] });
    expect(de.PmtInf['@xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    expect(de.PmtInf.PmtInfId).toBe('Payment-Information-ID-4711');
    expect(de.PmtInf.CtrlSum).toBe('6655.86');
    expect(de.PmtInf.CdtTrfTxInf.map((t: Json) => [t.Cdtr.Nm, t.Amt.InstdAmt])).toEqual([
      ['Creditor Name', { '@Ccy': 'EUR', '#text': '6543.14' }],
      ['Other Creditor Name', { '@Ccy': 'EUR', '#text': '112.72' }],
    ]);
  });
});

describe('XML: the conversion convention', () => {
  it('drops prefixes and namespace declarations, keeps attributes by local name', async () => {
    const xml = `<?xml version="1.0"?><!-- c --><?pi x?><ns:Root xmlns:ns="urn:a" xmlns:o="urn:b" o:kind="x" plain="y"><o:Child>1</o:Child></ns:Root>`;
    expect(await one(xml)).toEqual({ Root: { '@xmlns': 'urn:a', '@kind': 'x', '@plain': 'y', Child: '1' } });
  });

  it('has no @xmlns when the root has no namespace', async () => {
    expect(await one('<a><b>x</b></a>')).toEqual({ a: { b: 'x' } });
  });

  it('keeps text exact: no numbers, no trimming, CDATA and entities as text', async () => {
    const xml = '<a><n>007</n><amt>1e3</amt><s>  padded </s><c><![CDATA[<b>&raw</b>]]></c><e>Smith &amp; Co &#8364;</e></a>';
    expect(await one(xml)).toEqual({ a: { n: '007', amt: '1e3', s: '  padded ', c: '<b>&raw</b>', e: 'Smith & Co €' } });
  });

  it('turns empty elements into "" or an object of attributes', async () => {
    expect(await one('<a><e/><f></f><g x="1"/><h x="2">t</h></a>')).toEqual({ a: { e: '', f: '', g: { '@x': '1' }, h: { '@x': '2', '#text': 't' } } });
  });

  it('makes repeated siblings a list and `repeat` names always a list', async () => {
    const xml = '<a><L>1</L><M>x</M><L>2</L><R>only</R><S><R>nested</R></S></a>';
    expect(await one(xml)).toEqual({ a: { L: ['1', '2'], M: 'x', R: 'only', S: { R: 'nested' } } });
    expect(await one(xml, { repeat: ['R', 'L'] })).toEqual({ a: { L: ['1', '2'], M: 'x', R: ['only'], S: { R: ['nested'] } } });
  });

  it('drops whitespace between elements but keeps mixed text', async () => {
    expect(await one('<a>\n  <b>x</b>\n  <c> </c>\n</a>')).toEqual({ a: { b: 'x', c: ' ' } });
    expect(await one('<p>Hello <b>you</b> there</p>')).toEqual({ p: { b: 'you', '#text': 'Hello  there' } });
  });

  it('does not let an element named __proto__ change object prototypes', async () => {
    const record = await one('<a><__proto__><polluted>yes</polluted></__proto__></a>');
    expect(({} as Json).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(record.a)).toBe(Object.prototype);
    expect(record.a.__proto__).toEqual({ polluted: 'yes' });
  });

  it('reads the encoding from the XML declaration or the BOM', async () => {
    const latin1 = new Uint8Array([...new TextEncoder().encode('<?xml version="1.0" encoding="ISO-8859-1"?><a>M'), 0xfc, ...new TextEncoder().encode('ller</a>')]);
    expect(sniffXmlEncoding(latin1)).toBe('ISO-8859-1');
    expect(await one(latin1)).toEqual({ a: 'Müller' });
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from('<a>Zürich €</a>', 'utf16le')]);
    expect(await collect(parseXml(chunked(utf16, 1), 'u.xml'))).toEqual([{ a: 'Zürich €' }]);
  });

  it('is safe when 4-byte characters are split across chunks', async () => {
    const xml = '<a t="€𝄞">𝄞 ä €</a>';
    expect(await collect(parseXml(chunked(xml, 1), 'x.xml'))).toEqual([{ a: { '@t': '€𝄞', '#text': '𝄞 ä €' } }]);
  });
});

describe('XML: malformed input', () => {
  it('names the file, line and column of an unclosed tag in a truncated invoice', async () => {
    const bytes = realBytes('ubl/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml');
    const text = new TextDecoder().decode(bytes);
    const cut = text.indexOf('<cbc:ID>12115118') + '<cbc:ID>1211'.length;
    const line = text.slice(0, cut).split('\n').length;
    const column = text.indexOf('<cbc:ID>12115118') - text.lastIndexOf('\n', cut) ;
    const err = await parseFailure(parseXml(chunked(bytes.subarray(0, cut), 7), 'invoice.xml'));
    expect(err.errorClass).toBe('validation');
    expect(line).toBe(16);
    expect(err.message).toBe(`invoice.xml line 16, column ${column}: unclosed tag <cbc:ID> (the file ends before it is closed; is it truncated?)`);
    expect(column).toBe(5);
  });

  it.each([
    ['<a>\n<b>x</c>\n</a>', /^bad\.xml line 2, column \d+: tag <b> opened at line 2 is not closed/],
    ['<a/>\n<b/>', /^bad\.xml line 2, column \d+: documents may contain only one root/],
    ['<a>\n  <b x=1/>\n</a>', /^bad\.xml line 2, column \d+: unquoted attribute value/],
    ['<a>&nbsp;</a>', /^bad\.xml line 1, column \d+: undefined entity/],
    ['<x:a>1</x:a>', /^bad\.xml line 1, column \d+: unbound namespace prefix/],
    ['', /^bad\.xml line 1, column \d+: document must contain a root element/],
  ])('rejects %j', async (xml, message) => {
    const err = await parseFailure(parseXml(bytesOf(xml), 'bad.xml'));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toMatch(message);
  });

  it('says when the record path cannot match the document', async () => {
    const err = await parseFailure(parseXml(bytesOf(realBytes('ubl/ubl-creditnote-en16931-vat-exempt-eur.xml')), 'cn.xml', { recordElement: 'Document/BkToCstmrStmt/Stmt' }));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toMatch(/^cn\.xml line \d+, column \d+: the root element is <CreditNote>, so no element matches record path Document\/BkToCstmrStmt\/Stmt$/);
  });

  it('rejects bytes that are not valid in the declared encoding', async () => {
    const bad = new Uint8Array([...new TextEncoder().encode('<a>M'), 0xfc, ...new TextEncoder().encode('ller</a>')]);
    const err = await parseFailure(parseXml(bytesOf(bad), 'latin.xml'));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toMatch(/^latin\.xml: the file is not valid utf-8 text \(near line 1\)/);
  });
});
