import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileTarget, type FileTargetConfig } from '../../../nodes/target/file.ts';
import type { TargetItem } from '../../../nodes/define-node.ts';
import { createFileSink, type ClosableFileSink } from '../../../runtime/connectors/files.ts';
import { setupContext, stubEvaluator, targetContext } from './target-test-context.ts';

let dir: string;
let sink: ClosableFileSink;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lf-file-target-'));
  sink = createFileSink(dir);
});

afterEach(async () => {
  await sink.close();
  await rm(dir, { recursive: true, force: true });
});

const items = (...data: unknown[]): TargetItem[] => data.map((d, i) => ({ key: `k${i}`, data: d }));

function target(over: Partial<FileTargetConfig>) {
  return fileTarget.create({ ...fileTarget.defaults, ...over }, setupContext('export'));
}

describe('target.file', () => {
  it('appends JSON lines across batches, numbering records in the ref', async () => {
    const t = target({ path: 'out/invoices.jsonl', format: 'jsonl' });
    const ctx = targetContext({ files: sink });
    expect(await t.write(items({ no: 'INV-1', total: '10.00' }, { no: 'INV-2', lines: [{ a: 1 }] }), ctx)).toEqual([
      { ok: true, ref: 'out/invoices.jsonl:1', answer: { file: 'out/invoices.jsonl', recordNumber: 1 } },
      { ok: true, ref: 'out/invoices.jsonl:2', answer: { file: 'out/invoices.jsonl', recordNumber: 2 } },
    ]);
    expect(await t.write(items({ no: 'INV-3' }), ctx)).toEqual([{ ok: true, ref: 'out/invoices.jsonl:3', answer: { file: 'out/invoices.jsonl', recordNumber: 3 } }]);
    await sink.close();
    const lines = (await readFile(join(dir, 'out/invoices.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ no: 'INV-1', total: '10.00' }, { no: 'INV-2', lines: [{ a: 1 }] }, { no: 'INV-3' }]);
  });

  it('writes CSV with the header once, mapped columns and correct quoting', async () => {
    const t = target({
      path: 'payments.csv',
      format: 'csv',
      delimiter: ';',
      csvColumns: { Invoice: 'no', Supplier: 'supplier.name', 'First line': 'lines.0.amount', Note: 'note' },
    });
    const ctx = targetContext({ files: sink });
    await t.write(items({ no: 'INV-1', supplier: { name: 'Acme; Sons' }, lines: [{ amount: '1.50' }], note: 'say "hi"\nbye' }), ctx);
    await t.write(items({ no: 'INV-2', supplier: { name: 'Beta' }, lines: [] }), ctx);
    await sink.close();
    const text = await readFile(join(dir, 'payments.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('Invoice;Supplier;First line;Note');
    expect(text).toContain('"Acme; Sons"');
    expect(parse(text, { delimiter: ';' })).toEqual([
      ['Invoice', 'Supplier', 'First line', 'Note'],
      ['INV-1', 'Acme; Sons', '1.50', 'say "hi"\nbye'],
      ['INV-2', 'Beta', '', ''],
    ]);
  });

  it('without CSV columns uses the first record’s fields, objects as JSON', async () => {
    const t = target({ path: 'plain.csv', format: 'csv' });
    const outcomes = await t.write(items({ a: 1, 'b.c': { c: true } }, { a: 2, 'b.c': null, extra: 'ignored' }, 'not a record'), targetContext({ files: sink }));
    expect(outcomes[0].ok && outcomes[1].ok).toBe(true);
    expect(outcomes[2].ok).toBe(false);
    await sink.close();
    expect(parse(await readFile(join(dir, 'plain.csv'), 'utf8'))).toEqual([
      ['a', 'b.c'],
      ['1', '{"c":true}'],
      ['2', ''],
    ]);
  });

  it('check() refuses paths that leave the output folder', () => {
    const paths = (path: string) => fileTarget.check!({ ...fileTarget.defaults, path }, stubEvaluator).map((p) => p.message);
    expect(paths('../etc/passwd')[0]).toContain("may not leave the output folder");
    expect(paths('/etc/passwd')[0]).toContain('relative');
    expect(paths('C:\\x.csv')[0]).toContain('relative');
    expect(paths('ok/sub/file.jsonl')).toEqual([]);
    expect(() => target({ path: '../x' })).toThrow('misconfigured');
  });
});

describe('target.file, format xml', () => {
  const doc = (id: string, amount: string) => ({
    Document: { '@xmlns': 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09', CstmrCdtTrfInitn: { GrpHdr: { MsgId: id, NbOfTxs: '1', CtrlSum: amount } } },
  });

  it('writes each record as its own document, named from the record, and replaces a file of that name whole', async () => {
    const t = target({ path: 'payments/pain001-{{Document.CstmrCdtTrfInitn.GrpHdr.MsgId}}.xml', format: 'xml' });
    const ctx = targetContext({ files: sink });
    expect(await t.write(items(doc('PAY-1', '10.00'), doc('PAY-2', '0.50')), ctx)).toEqual([
      { ok: true, ref: 'payments/pain001-PAY-1.xml', answer: { file: 'payments/pain001-PAY-1.xml' } },
      { ok: true, ref: 'payments/pain001-PAY-2.xml', answer: { file: 'payments/pain001-PAY-2.xml' } },
    ]);
    // Written again (a replayed record): the file holds one document, not two.
    await t.write(items(doc('PAY-1', '10.00')), ctx);
    await sink.close();
    const text = await readFile(join(dir, 'payments/pain001-PAY-1.xml'), 'utf8');
    expect(text.match(/<Document /g)).toHaveLength(1);
    expect(text).toContain('<CtrlSum>10.00</CtrlSum>');
    const { parseXml } = await import('../../../nodes/formats/xml.ts');
    const { bytesOf } = await import('../../../nodes/formats/bytes.ts');
    const back: unknown[] = [];
    for await (const r of parseXml(bytesOf(text), 'x.xml')) back.push(r);
    expect(back).toEqual([doc('PAY-1', '10.00')]);
  });

  it('fails a record alone when its name or shape has no file or XML form', async () => {
    const t = target({ path: 'out/{{id}}.xml', format: 'xml' });
    const outcomes = await t.write(items({ id: '../x', R: '1' }, { R: '1' }, { id: 'ok', R: '1' }, { id: 'two', A: '1', B: '2' }), targetContext({ files: sink }));
    expect(outcomes.map((o) => (o.ok ? o.ref : o.error.message))).toEqual([
      "the value '../x' of {{id}} cannot be part of a file name",
      'the record has no value for {{id}} used in the file name',
      expect.stringMatching(/exactly one root element, and the record has 2: id, R/),
      expect.stringMatching(/exactly one root element, and the record has 3: id, A, B/),
    ]);
  });

  it('wants a placeholder in the file name and declared prefixes', () => {
    const problems = fileTarget.check!({ ...fileTarget.defaults, path: 'out/payment.xml', format: 'xml', xml: { prefixes: { leaf: 'cbc' } } }, stubEvaluator);
    expect(problems.map((p) => p.path)).toEqual(['/path', '/xml/prefixes/leaf']);
  });
});
