import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { bytesOf, chunked } from '../../../nodes/formats/bytes.ts';
import { parseCsv, type CsvOptions } from '../../../nodes/formats/csv.ts';
import { collect, parseFailure, realBytes } from './helpers.ts';

type Row = Record<string, string>;

const sum = (values: string[]) => values.reduce((acc, v) => acc.plus(v), new Decimal(0)).toFixed(2);

describe('CSV: real exports', () => {
  it('reads the Xero journal export with CR-only line endings', async () => {
    const bytes = realBytes('csv/csv-xero-general-ledger-journals-cr-line-endings.csv');
    expect(bytes.includes(10)).toBe(false);
    for (const size of [bytes.length, 7, 1]) {
      const rows = await collect<Row>(parseCsv(chunked(bytes, size), 'xero.csv'));
      expect(rows).toHaveLength(13);
      expect(Object.keys(rows[0])).toEqual(['JournalNumber', 'JournalDate', 'AccountName', 'NetAmount', 'TaxCode', 'Resource', 'Product', 'Reference', 'Description']);
      expect(rows[0]).toMatchObject({ JournalNumber: '1', JournalDate: '23-Jan-15', AccountName: 'Income', NetAmount: '-36000', Reference: 'INV-0001' });
      expect(rows[12]).toMatchObject({ JournalNumber: '11', JournalDate: '14-Feb-15', AccountName: 'Cash', NetAmount: '-209000', Description: 'Transfer to Checking' });
      expect(sum(rows.map((r) => r.NetAmount))).toBe('0.00');
      expect(sum(rows.filter((r) => r.AccountName === 'Income').map((r) => r.NetAmount))).toBe('-322000.00');
      expect(new Set(rows.map((r) => r.JournalNumber))).toEqual(new Set(['1', '3', '6', '10', '11']));
    }
  });

  it('reads the Outbank statement: semicolons and decimal commas', async () => {
    const bytes = realBytes('csv/csv-bank-statement-outbank-de-semicolon-decimal-comma.csv');
    const options: CsvOptions = { delimiter: ';', decimalComma: ['Amount'] };
    const rows = await collect<Row>(parseCsv(chunked(bytes, 7), 'outbank.csv', options));
    expect(rows).toHaveLength(4);
    expect(Object.keys(rows[0])).toHaveLength(25);
    expect(Object.keys(rows[0])[0]).toBe('#');
    expect(rows.map((r) => [r.Name, r.Amount, r.Currency])).toEqual([
      ['Jane Doe', '100.00', 'EUR'],
      ['Shell Gas', '-63.89', 'EUR'],
      ['Vattenfall Europe Energy', '-47.00', 'EUR'],
      ['PayPal Europe S.a.r.l. et Cie S.C.A', '-25.00', 'EUR'],
    ]);
    expect(sum(rows.map((r) => r.Amount))).toBe('-35.89');
    expect(rows.every((r) => r.Account === 'DE81254326973657190105')).toBe(true);
    // Codes stay text exactly: no lost leading zeros.
    expect(rows[0]['Posting Key']).toBe('052');
    expect(rows[0].Date).toBe('2/20/19');
    expect(rows[3]['Originator Identifier']).toBe('LU96ZZZ000000000000000');
    // Without the option the amounts stay as written.
    const raw = await collect<Row>(parseCsv(bytesOf(bytes), 'outbank.csv', { delimiter: ';' }));
    expect(raw[1].Amount).toBe('-63,89');
    // `true` converts every decimal-comma value but leaves dates, codes and ids alone.
    const all = await collect<Row>(parseCsv(chunked(bytes, 1), 'outbank.csv', { delimiter: ';', decimalComma: true }));
    expect(all.map((r) => r.Amount)).toEqual(['100.00', '-63.89', '-47.00', '-25.00']);
    expect(all[0]).toMatchObject({ '#': '1', Date: '2/20/19', 'Posting Key': '052', Number: 'DE21290466325050683191' });
  });

  it('reads the Stripe export: 50 quoted headers, commas inside quoted fields', async () => {
    const bytes = realBytes('csv/csv-stripe-payments-export-cad.csv');
    const rows = await collect<Row>(parseCsv(chunked(bytes, 7), 'stripe.csv'));
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0])).toHaveLength(50);
    expect(rows[0].description).toBe('Entry ID: 316, Product: Big Event 2021');
    expect(rows.map((r) => r.amount)).toEqual(['25.00', '27.50', '25.00', '25.00', '10.00']);
    expect(sum(rows.map((r) => r.amount))).toBe('112.50');
    expect(sum(rows.map((r) => r.fee))).toBe('4.78');
    expect(rows.every((r) => r.currency === 'cad')).toBe(true);
    expect(rows.map((r) => r.mode)).toEqual(['Test', 'Test', 'Test', 'Test', 'Live']);
    expect(rows.map((r) => r.invoice_number)).toEqual(['', '', '', '', '396BEA86-0001']);
    expect(rows[4].created).toBe('2021-03-16 11:51');
  });
});

describe('CSV: options', () => {
  const expected = [
    { id: '1', name: 'Zürich AG', amount: '10.50' },
    { id: '2', name: 'Café "Nord"', amount: '-3.00' },
  ];

  it.each([
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
    ['\\r', '\r'],
  ])('reads %s line endings at every chunk boundary', async (_label, eol) => {
    const text = ['id,name,amount', '1,Zürich AG,10.50', '2,"Café ""Nord""",-3.00', ''].join(eol);
    for (const size of [1, 2, 7, 1000]) expect(await collect(parseCsv(chunked(text, size), 'x.csv'))).toEqual(expected);
  });

  it.each([[';'], ['\t'], ['|']])('splits on %j', async (delimiter) => {
    const text = `id${delimiter}name${delimiter}amount\n1${delimiter}Zürich AG${delimiter}10.50\n2${delimiter}"Café ""Nord"""${delimiter}-3.00\n`;
    expect(await collect(parseCsv(chunked(text, 1), 'x.csv', { delimiter }))).toEqual(expected);
  });

  it('gives arrays without a header row, and honours another quote character', async () => {
    const text = "1;'a;b';x\n2;'it''s';y\n";
    expect(await collect(parseCsv(bytesOf(text), 'x.csv', { header: false, delimiter: ';', quote: "'" }))).toEqual([
      ['1', 'a;b', 'x'],
      ['2', "it's", 'y'],
    ]);
  });

  it('keeps quoted line breaks inside a field', async () => {
    const text = 'id,memo\r\n1,"line one\r\nline two"\r\n2,plain\r\n';
    expect(await collect(parseCsv(chunked(text, 1), 'x.csv'))).toEqual([
      { id: '1', memo: 'line one\r\nline two' },
      { id: '2', memo: 'plain' },
    ]);
  });

  it('strips a UTF-8 BOM and skips empty lines', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('id,v\n\n1,a\n\n\n2,b\n')]);
    expect(await collect(parseCsv(chunked(bytes, 1), 'bom.csv'))).toEqual([{ id: '1', v: 'a' }, { id: '2', v: 'b' }]);
  });

  it('decodes windows-1252, iso-8859-1 and utf-16le', async () => {
    // "name;amount\nMüller €;5\n" in windows-1252: ü = 0xFC, € = 0x80
    const cp1252 = new Uint8Array([...new TextEncoder().encode('name;amount\nM'), 0xfc, ...new TextEncoder().encode('ller '), 0x80, ...new TextEncoder().encode(';5\n')]);
    expect(await collect(parseCsv(chunked(cp1252, 1), 'w.csv', { delimiter: ';', encoding: 'windows-1252' }))).toEqual([{ name: 'Müller €', amount: '5' }]);
    const latin1 = new Uint8Array([...new TextEncoder().encode('name\nG'), 0xe9, ...new TextEncoder().encode('rard\n')]);
    expect(await collect(parseCsv(bytesOf(latin1), 'l.csv', { encoding: 'iso-8859-1' }))).toEqual([{ name: 'Gérard' }]);
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from('name,amount\r\nZürich €,1\r\n', 'utf16le')]);
    expect(await collect(parseCsv(chunked(utf16, 1), 'u.csv', { encoding: 'utf-16le' }))).toEqual([{ name: 'Zürich €', amount: '1' }]);
  });

  it('converts decimal commas in chosen columns (by name, or by index without header)', async () => {
    const text = 'ref;amount;fx\nA;1.234,56;1,5\nB;-12,5;2\nC;99,00-;3\n';
    expect(await collect(parseCsv(bytesOf(text), 'x.csv', { delimiter: ';', decimalComma: ['amount'] }))).toEqual([
      { ref: 'A', amount: '1234.56', fx: '1,5' },
      { ref: 'B', amount: '-12.5', fx: '2' },
      { ref: 'C', amount: '-99.00', fx: '3' },
    ]);
    const rows = await collect(parseCsv(bytesOf('A;1.234,56\n'), 'x.csv', { delimiter: ';', header: false, decimalComma: [1] }));
    expect(rows).toEqual([['A', '1234.56']]);
  });

  it('trims when asked and turns canonical numbers into numbers only when asked', async () => {
    const text = 'code, amount ,note\n052, 12.50 , x \n7,-3,1e3\n';
    expect(await collect(parseCsv(bytesOf(text), 'x.csv'))).toEqual([
      { code: '052', ' amount ': ' 12.50 ', note: ' x ' },
      { code: '7', ' amount ': '-3', note: '1e3' },
    ]);
    expect(await collect(parseCsv(bytesOf(text), 'x.csv', { trim: true, numbers: true }))).toEqual([
      { code: '052', amount: 12.5, note: 'x' },
      { code: 7, amount: -3, note: '1e3' },
    ]);
  });

  it('gives no records for an empty file or a header alone', async () => {
    expect(await collect(parseCsv(bytesOf(''), 'x.csv'))).toEqual([]);
    expect(await collect(parseCsv(bytesOf('a,b\n'), 'x.csv'))).toEqual([]);
  });
});

describe('CSV: malformed input', () => {
  it('names the file and line of a row with the wrong number of fields', async () => {
    const err = await parseFailure(parseCsv(chunked('id,name,amount\n1,a,2\n2,b,3\n3,c\n4,d,5\n', 1), 'payments.csv'));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toBe('payments.csv line 4: the row has 2 fields but the header has 3 columns');
  });

  it('without a header compares rows with the first row', async () => {
    const err = await parseFailure(parseCsv(bytesOf('1;a\n2;b;c\n'), 'x.csv', { header: false, delimiter: ';' }));
    expect(err.message).toBe('x.csv line 2: the row has 3 fields but earlier rows have 2');
  });

  it('reports a quote that is never closed', async () => {
    const err = await parseFailure(parseCsv(bytesOf('id,memo\n1,"open\n2,x\n'), 'q.csv'));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toMatch(/^q\.csv line \d+: a quoted field is never closed/);
  });

  it('reports text after a closing quote', async () => {
    const err = await parseFailure(parseCsv(bytesOf('id,memo\n1,"a"b\n'), 'q.csv'));
    expect(err.message).toBe('q.csv line 2: unexpected text after the closing quote of a field');
  });

  it('reports bytes that are not valid UTF-8 and suggests the encoding', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('name\nok\nM'), 0xfc, ...new TextEncoder().encode('ller\n')]);
    const err = await parseFailure(parseCsv(bytesOf(bytes), 'export.csv'));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toMatch(/^export\.csv: the file is not valid utf-8 text .*windows-1252/);
  });

  it('rejects an unknown encoding name', async () => {
    const err = await parseFailure(parseCsv(bytesOf('a\n1\n'), 'x.csv', { encoding: 'klingon' }));
    expect(err.message).toMatch(/^x\.csv: unknown text encoding "klingon"/);
  });
});
