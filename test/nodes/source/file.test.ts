import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../nodes/errors.ts';
import { fileSource, type FileSourceConfig } from '../../../nodes/source/file.ts';
import { collect, realBytes } from '../formats/helpers.ts';
import { inputDocument, setupContext, sourceContext } from './document-input.ts';

type Json = any;

function config(overrides: Partial<FileSourceConfig> = {}): FileSourceConfig {
  return {
    ...fileSource.defaults,
    ...overrides,
    csv: { ...fileSource.defaults.csv, ...overrides.csv },
    json: { ...fileSource.defaults.json, ...overrides.json },
    xml: { ...fileSource.defaults.xml, ...overrides.xml },
  };
}

function read(cfg: FileSourceConfig, name: string, content: string | Uint8Array, chunkSize = 4096) {
  return fileSource.create(cfg, setupContext('load')).read(sourceContext(inputDocument(name, content, chunkSize)));
}

describe('source.file declaration', () => {
  it('is a source with one Records output and no inputs', () => {
    expect(fileSource.type).toBe('source.file');
    expect(fileSource.version).toBe(1);
    expect(fileSource.category).toBe('source');
    expect(fileSource.inputs).toEqual([]);
    expect(fileSource.outputs).toEqual([{ id: 'out', title: 'Records' }]);
  });

  it('has a draft 2020-12 config schema that accepts its defaults and rejects nonsense', () => {
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(fileSource.configSchema);
    expect(validate(fileSource.defaults)).toBe(true);
    expect(validate(config({ format: 'xml', xml: { recordElement: 'Document/BkToCstmrStmt/Stmt', repeat: ['Ntry'] } }))).toBe(true);
    expect(validate(config({ format: 'csv', csv: { ...fileSource.defaults.csv, delimiter: ';', decimalComma: ['Amount'] } }))).toBe(true);
    expect(validate({ ...fileSource.defaults, format: 'pdf' })).toBe(false);
    expect(validate({ ...fileSource.defaults, csv: { delimiter: ',,' } })).toBe(false);
    // Every field the designer renders has a title.
    const props = fileSource.configSchema.properties as Record<string, { title?: string; properties?: Record<string, { title?: string }> }>;
    for (const [key, prop] of Object.entries(props)) {
      expect(prop.title, key).toBeTruthy();
      for (const [inner, p] of Object.entries(prop.properties ?? {})) expect(p.title, `${key}.${inner}`).toBeTruthy();
    }
  });

  it.each([
    [{ format: 'xml', xml: { recordElement: 'Document/BkToCstmrStmt/Stmt', repeat: [] } }, 'XML · record Stmt'],
    [{ format: 'xml' }, 'XML · whole document'],
    [{ format: 'csv', csv: { delimiter: ';', decimalComma: ['Amount'] } }, 'CSV · semicolon-separated · decimal comma'],
    [{ format: 'csv', encoding: 'windows-1252' }, 'CSV · comma-separated · windows-1252'],
    [{ format: 'json', json: { recordPath: 'data.items', exactNumbers: false } }, 'JSON · records at data.items'],
    [{ format: 'jsonl' }, 'JSON Lines'],
    [{}, 'Any format'],
  ])('summarises %j as %j', (overrides, text) => {
    expect(fileSource.summary!(config(overrides as Partial<FileSourceConfig>))).toBe(text);
  });

  it('checks config beyond the schema', () => {
    expect(fileSource.check!(config(), {} as never)).toEqual([]);
    const problems = fileSource.check!(
      config({ encoding: 'klingon', csv: { ...fileSource.defaults.csv, quote: ',' }, json: { recordPath: 'data..items', exactNumbers: false }, xml: { recordElement: 'ubl:Invoice', repeat: [] } }),
      {} as never,
    );
    expect(problems.map((p) => p.path)).toEqual(['/csv/quote', '/encoding', '/json/recordPath', '/xml/recordElement']);
  });
});

describe('source.file reading', () => {
  it('reads a camt.053 statement as one Stmt record', async () => {
    const cfg = config({ format: 'xml', xml: { recordElement: 'Document/BkToCstmrStmt/Stmt', repeat: ['Ntry', 'TxDtls'] } });
    const records = await collect<Json>(read(cfg, 'statement.xml', realBytes('iso20022/camt053-v02-fi-fffs-sample-10-entries.xml'), 1000));
    expect(records).toHaveLength(1);
    expect(records[0].Stmt['@xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:camt.053.001.02');
    expect(records[0].Stmt.Ntry).toHaveLength(10);
  });

  it('detects the format from the file name in auto mode', async () => {
    const cfg = config({ csv: { ...fileSource.defaults.csv, delimiter: ';', decimalComma: ['Amount'] }, xml: { recordElement: '', repeat: ['InvoiceLine'] } });
    const rows = await collect<Json>(read(cfg, 'outbank.csv', realBytes('csv/csv-bank-statement-outbank-de-semicolon-decimal-comma.csv'), 7));
    expect(rows.map((r) => r.Amount)).toEqual(['100.00', '-63.89', '-47.00', '-25.00']);
    const [invoice] = await collect<Json>(read(cfg, 'invoice.xml', realBytes('ubl/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml')));
    expect(invoice.Invoice.InvoiceLine).toHaveLength(20);
  });

  it('reads JSON and JSON Lines with the configured record path', async () => {
    const cfg = config({ format: 'auto', json: { recordPath: 'JournalLines', exactNumbers: true } });
    const lines = await collect<Json>(read(cfg, 'journal.json', realBytes('json/json-xero-journal-sales-vat20.json')));
    expect(lines.map((l) => l.NetAmount)).toEqual(['72.00', '-60.00', '-12.00']);
    expect(await collect(read(cfg, 'events.jsonl', '{"amount":1.50}\n{"amount":2}\n'))).toEqual([{ amount: '1.50' }, { amount: '2' }]);
  });

  it('fails clearly when no file was given', async () => {
    const behaviour = fileSource.create(config(), setupContext('load-invoices'));
    const err = await collect(behaviour.read(sourceContext())).catch((e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.errorClass).toBe('validation');
    expect(err.details.nodeId).toBe('load-invoices');
    expect(err.message).toBe('File source "load-invoices" has no file to read: upload a file or run the flow with an input file.');
  });

  it('passes on parse errors as validation errors naming the node, file and line', async () => {
    const err = await collect(read(config({ format: 'csv' }), 'payments.csv', 'a,b\n1,2\n3\n')).catch((e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.errorClass).toBe('validation');
    expect(err.details.nodeId).toBe('load');
    expect(err.message).toBe('payments.csv line 3: the row has 1 field but the header has 2 columns');
  });

  it('stops reading when the run is aborted', async () => {
    const controller = new AbortController();
    const text = `id\n${Array.from({ length: 100 }, (_, i) => i).join('\n')}\n`;
    const behaviour = fileSource.create(config({ format: 'csv' }), setupContext('load'));
    const seen: unknown[] = [];
    for await (const record of behaviour.read(sourceContext(inputDocument('ids.csv', text, 8), controller.signal))) {
      seen.push(record);
      if (seen.length === 3) controller.abort();
    }
    expect(seen).toEqual([{ id: '0' }, { id: '1' }, { id: '2' }]);
  });
});
