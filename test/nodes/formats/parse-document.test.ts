import { describe, expect, it } from 'vitest';
import { bytesOf, chunked, peekBytes } from '../../../nodes/formats/bytes.ts';
import { detectFormat } from '../../../nodes/formats/detect-format.ts';
import { parseDocument } from '../../../nodes/formats/parse-document.ts';
import { collect, parseFailure, realBytes } from './helpers.ts';

type Json = any;
const enc = (text: string) => new TextEncoder().encode(text);

describe('detectFormat', () => {
  it.each([
    ['statement.CSV', 'x', 'csv'],
    ['export.tsv', '{', 'csv'],
    ['invoice.json', '<', 'json'],
    ['events.jsonl', '', 'jsonl'],
    ['events.ndjson', '', 'jsonl'],
    ['camt.053.xml', '', 'xml'],
  ])('goes by the extension of %s', (name, head, format) => {
    expect(detectFormat(name, enc(head))).toBe(format);
  });

  it.each([
    ['\ufeff<?xml version="1.0"?><a/>', 'xml'],
    ['  \n<Invoice/>', 'xml'],
    ['{"a":1,\n"b":2}', 'json'],
    ['[\n{"a":1}\n]', 'json'],
    ['{"a":1}\n{"a":2}\n', 'jsonl'],
    ['id;amount\n1;2,50\n', 'csv'],
    ['', 'csv'],
  ])('sniffs %j without a known extension', (head, format) => {
    expect(detectFormat('upload', enc(head))).toBe(format);
  });
});

describe('peekBytes', () => {
  it('replays the head it read, then the rest', async () => {
    const { head, stream } = await peekBytes(chunked('abcdefghij', 3), 4);
    expect(new TextDecoder().decode(head)).toBe('abcdef');
    expect(new TextDecoder().decode(Buffer.concat(await collect<Uint8Array>(stream)))).toBe('abcdefghij');
  });
});

describe('parseDocument', () => {
  it('detects each real document type and applies that format’s options', async () => {
    const options = {
      csv: { delimiter: ';', decimalComma: ['Amount'] },
      xml: { recordElement: 'Document/BkToCstmrStmt/Stmt/Ntry' },
      json: { recordPath: 'JournalLines', exactNumbers: true },
    };
    const csv = await collect<Json>(parseDocument(chunked(realBytes('csv/csv-bank-statement-outbank-de-semicolon-decimal-comma.csv'), 7), 'outbank.csv', options));
    expect(csv.map((r) => r.Amount)).toEqual(['100.00', '-63.89', '-47.00', '-25.00']);
    const xml = await collect<Json>(parseDocument(chunked(realBytes('iso20022/camt053-v04-ch-postfinance-13-entries-batches.xml'), 1000), 'camt', options));
    expect(xml).toHaveLength(13);
    expect(xml[0].Ntry['@xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:camt.053.001.04');
    const json = await collect<Json>(parseDocument(chunked(realBytes('json/json-xero-journal-sales-vat20.json'), 1), 'journal', options));
    expect(json.map((l) => l.NetAmount)).toEqual(['72.00', '-60.00', '-12.00']);
  });

  it('reads JSON Lines by extension and by sniffing', async () => {
    const text = '{"id":1}\n{"id":2}\n';
    expect(await collect(parseDocument(bytesOf(text), 'events.ndjson'))).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await collect(parseDocument(chunked(text, 1), 'body'))).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('reads a .tsv file tab-separated in auto mode', async () => {
    expect(await collect(parseDocument(bytesOf('a\tb\n1\t2\n'), 'x.tsv'))).toEqual([{ a: '1', b: '2' }]);
  });

  it('uses the top-level encoding for every format', async () => {
    const bytes = new Uint8Array([...enc('name\nM'), 0xfc, ...enc('ller\n')]);
    expect(await collect(parseDocument(bytesOf(bytes), 'x.csv', { encoding: 'windows-1252' }))).toEqual([{ name: 'Müller' }]);
    const json = new Uint8Array([...enc('{"name":"M'), 0xfc, ...enc('ller"}')]);
    expect(await collect(parseDocument(bytesOf(json), 'x.json', { encoding: 'windows-1252' }))).toEqual([{ name: 'Müller' }]);
  });

  it('honours an explicit format over the extension', async () => {
    expect(await collect(parseDocument(bytesOf('a,b\n1,2\n'), 'data.json', { format: 'csv' }))).toEqual([{ a: '1', b: '2' }]);
    const err = await parseFailure(parseDocument(bytesOf('a,b\n1,2\n'), 'data.json'));
    expect(err.errorClass).toBe('validation');
    expect(err.message).toMatch(/^data\.json line 1, column 1: unexpected character "a"/);
  });

  it('rejects an unknown format', async () => {
    const err = await parseFailure(parseDocument(bytesOf('x'), 'x.bin', { format: 'pdf' as never }));
    expect(err.message).toBe('x.bin: unknown document format "pdf" (use csv, json, jsonl or xml)');
  });
});
