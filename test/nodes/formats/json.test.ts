import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { bytesOf, chunked } from '../../../nodes/formats/bytes.ts';
import { parseJson } from '../../../nodes/formats/json.ts';
import { parseJsonl } from '../../../nodes/formats/jsonl.ts';
import { collect, parseFailure, realBytes } from './helpers.ts';

type Json = any;

const FILES = [
  'json-stripe-invoice-subscription-vat-inclusive-usd.json',
  'json-fakturoid-invoice-czk-two-lines-vat21.json',
  'json-xero-creditnote-accpaycredit-gbp.json',
  'json-xero-journal-sales-vat20.json',
];

describe('JSON: real API payloads', () => {
  it.each(FILES)('%s is one record, the same at every chunk size', async (file) => {
    const bytes = realBytes(`json/${file}`);
    const expected = JSON.parse(new TextDecoder().decode(bytes)); // TextDecoder drops the BOM
    for (const size of [bytes.length, 7, 1]) {
      expect(await collect(parseJson(chunked(bytes, size), file))).toEqual([expected]);
    }
  });

  it('reads the Stripe invoice and its nested lines', async () => {
    const bytes = realBytes('json/json-stripe-invoice-subscription-vat-inclusive-usd.json');
    const [invoice] = await collect<Json>(parseJson(bytesOf(bytes), 'stripe.json'));
    expect(invoice).toMatchObject({ object: 'invoice', number: 'E5B23224-0002', currency: 'usd', tax: 522, total: 4000, created: 1570941590 });
    const lines = await collect<Json>(parseJson(chunked(bytes, 7), 'stripe.json', { recordPath: 'lines.data' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ amount: 4000, description: '1 × Fake Product (at $40.00 / month)' });
  });

  it('reads the Fakturoid invoice: string amounts and \\u escapes', async () => {
    const bytes = realBytes('json/json-fakturoid-invoice-czk-two-lines-vat21.json');
    const [invoice] = await collect<Json>(parseJson(chunked(bytes, 1), 'fakturoid.json'));
    expect(invoice).toMatchObject({ number: '2012-0004', currency: 'CZK', subtotal: '40000.0', total: '48400.0', your_street: 'Hopsinková 14' });
    const lines = await collect<Json>(parseJson(bytesOf(bytes), 'fakturoid.json', { recordPath: 'lines' }));
    expect(lines.map((l) => l.name)).toEqual(['PC', 'Notebook']);
  });

  it('reads the Xero journal lines one by one, exact numbers kept as written', async () => {
    const bytes = realBytes('json/json-xero-journal-sales-vat20.json');
    const lines = await collect<Json>(parseJson(chunked(bytes, 7), 'journal.json', { recordPath: 'JournalLines', exactNumbers: true }));
    expect(lines.map((l) => [l.AccountCode, l.NetAmount])).toEqual([['586', '72.00'], ['011', '-60.00'], ['735', '-12.00']]);
    expect(lines.reduce((acc, l) => acc.plus(l.NetAmount), new Decimal(0)).toFixed(2)).toBe('0.00');
    const plain = await collect<Json>(parseJson(bytesOf(bytes), 'journal.json', { recordPath: 'JournalLines' }));
    expect(plain[1].NetAmount).toBe(-60);
  });

  it('reads the Xero credit note (BOM) and its allocations', async () => {
    const bytes = realBytes('json/json-xero-creditnote-accpaycredit-gbp.json');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [note] = await collect<Json>(parseJson(bytesOf(bytes), 'cn.json', { exactNumbers: true }));
    expect(note).toMatchObject({ Type: 'ACCPAYCREDIT', CreditNoteNumber: '', SubTotal: '96.00', TotalTax: '19.20', Total: '115.20', CurrencyCode: 'GBP' });
    expect(note.LineItems).toEqual([]);
    const allocations = await collect<Json>(parseJson(bytesOf(bytes), 'cn.json', { recordPath: 'Allocations' }));
    expect(allocations).toHaveLength(1);
    expect(allocations[0].Invoice.InvoiceNumber).toBe('1109194711');
  });
});

describe('JSON: shapes and paths', () => {
  it('streams a top-level list element by element', async () => {
    const text = '[{"id":1,"name":"Zürich €"},\n {"id":2,"tags":["a","b"]}, 3, null]';
    expect(await collect(parseJson(chunked(text, 1), 'list.json'))).toEqual([{ id: 1, name: 'Zürich €' }, { id: 2, tags: ['a', 'b'] }, 3, null]);
  });

  it('follows dotted paths, including list indexes', async () => {
    const text = '{"meta":{"n":2},"data":{"pages":[{"items":[{"a":1}]},{"items":[{"b":2},{"c":3}]}]}}';
    expect(await collect(parseJson(bytesOf(text), 'x.json', { recordPath: 'data.pages.1.items' }))).toEqual([{ b: 2 }, { c: 3 }]);
    expect(await collect(parseJson(bytesOf(text), 'x.json', { recordPath: 'data.pages' }))).toHaveLength(2);
  });

  it('gives no records for an empty list', async () => {
    expect(await collect(parseJson(bytesOf('[]'), 'x.json'))).toEqual([]);
    expect(await collect(parseJson(bytesOf('{"data":{"items":[]}}'), 'x.json', { recordPath: 'data.items' }))).toEqual([]);
  });

  it('keeps large numbers exact when asked', async () => {
    const text = '[{"id":12345678901234567890,"amount":0.10,"rate":1.000000}]';
    expect(await collect(parseJson(bytesOf(text), 'x.json', { exactNumbers: true }))).toEqual([{ id: '12345678901234567890', amount: '0.10', rate: '1.000000' }]);
  });
});

describe('JSON: malformed input', () => {
  it.each([
    ['[{"a":1},\n{"b":2}\n{"c":3}]', 'bad.json line 3, column 1: unexpected "{"; expected "," or a closing bracket'],
    ['{\n  "amount": 1 2\n}', 'bad.json line 2, column 15: unexpected 2; expected "," or a closing bracket'],
    ['{\n  "a": tru\n}', 'bad.json line 2, column 11: unexpected character "\\n"'],
    ['{"a":1}\nx', 'bad.json line 2, column 1: unexpected character "x" after the end of the document'],
    ['[{"a":1},\n{"b":', 'bad.json line 2, column 6: the document ends too early (is the file truncated?)'],
    ['', 'bad.json: the file is empty; expected a JSON object or a list'],
    ['\n 42', 'bad.json line 2, column 2: expected a JSON object or a list of objects'],
  ])('rejects %j', async (text, message) => {
    for (const size of [1, 1000]) {
      const err = await parseFailure(parseJson(chunked(text, size), 'bad.json'));
      expect(err.errorClass).toBe('validation');
      expect(err.message).toBe(message);
    }
  });

  it('says when the record path is missing or not a list', async () => {
    const missing = await parseFailure(parseJson(bytesOf('{"data":{"item":[]}}'), 'x.json', { recordPath: 'data.items' }));
    expect(missing.message).toBe('x.json: no list found at recordPath "data.items"');
    const object = await parseFailure(parseJson(bytesOf('{"data":\n{"items":{"a":1}}}'), 'x.json', { recordPath: 'data.items' }));
    expect(object.message).toBe('x.json line 2, column 10: recordPath "data.items" points to an object, not a list of records');
  });
});

describe('JSON Lines', () => {
  it('reads one record per non-empty line, with any line ending, at every chunk size', async () => {
    const text = '{"id":1,"name":"Zürich €"}\r\n\r\n{"id":2}\n   \n[1,2]\n"text"\n{"id":3}';
    for (const size of [1, 7, 1000]) {
      expect(await collect(parseJsonl(chunked(text, size), 'x.jsonl'))).toEqual([{ id: 1, name: 'Zürich €' }, { id: 2 }, [1, 2], 'text', { id: 3 }]);
    }
  });

  it('keeps numbers exact when asked', async () => {
    expect(await collect(parseJsonl(bytesOf('{"amount":10.50}\n{"amount":-0.10}\n'), 'x.jsonl', { exactNumbers: true }))).toEqual([{ amount: '10.50' }, { amount: '-0.10' }]);
  });

  it('names the line (and column) of a bad line', async () => {
    const text = '{"id":1}\n\n{"id":2,"amount":}\n{"id":4}\n';
    const err = await parseFailure(parseJsonl(chunked(text, 1), 'events.jsonl'));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toBe('events.jsonl line 3, column 18: unexpected "}"; expected a value');
  });

  it('stops at the bad line after handing on the good ones', async () => {
    const seen: unknown[] = [];
    await expect(async () => {
      for await (const record of parseJsonl(bytesOf('{"a":1}\n{"b":2}\n{"c":\n'), 'x.jsonl')) seen.push(record);
    }).rejects.toThrow('x.jsonl line 3: the JSON ends too early (is it truncated?)');
    expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('reports a non-ASCII line by character column', async () => {
    const err = await parseFailure(parseJsonl(bytesOf('{"name":"Müller",x}'), 'x.jsonl'));
    expect(err.message).toBe('x.jsonl line 1, column 18: unexpected character "x"');
  });
});
