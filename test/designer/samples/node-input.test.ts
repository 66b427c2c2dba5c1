import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { catalog } from '../../../nodes/catalog.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { parseSample } from '../../../designer/samples/parse-sample.ts';
import { nodeOutputFor, recordsArrivingAt } from '../../../designer/samples/node-input.ts';
import { previewExpression } from '../../../designer/editor/expression-preview.ts';

const flowUrl = new URL('../../../flows/ubl-invoice-to-ap/', import.meta.url);
const doc = JSON.parse(readFileSync(new URL('flow.json', flowUrl), 'utf8')) as FlowDocument;
const sampleName = 'ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml';
const bytes = new Uint8Array(readFileSync(new URL(`samples/${sampleName}`, flowUrl)));
const expected = JSON.parse(readFileSync(new URL(`expected/${sampleName}.json`, flowUrl), 'utf8')).records[0].output;
const source = doc.nodes.find((n) => n.id === 'invoice-file');

describe('sample parsing and previews use the runtime code', () => {
  it('parses an upload with the flow’s own file source (XML, repeat lists)', async () => {
    const parsed = await parseSample(sampleName, bytes, source, catalog);
    expect(parsed.total).toBe(1);
    expect(parsed.parsedBy).toMatch(/File source/);
    const invoice = (parsed.records[0] as { Invoice: { InvoiceLine: unknown[]; ID: string } }).Invoice;
    expect(invoice.ID).toBe('12115118');
    expect(Array.isArray(invoice.InvoiceLine)).toBe(true);
  });

  it('computes what reaches a node exactly as a run does', async () => {
    const [record] = (await parseSample(sampleName, bytes, source, catalog)).records;
    const atCheck = await recordsArrivingAt(doc, 'check-invoice', record, catalog);
    expect(atCheck).toMatchObject({ ok: true, path: ['to-ap-invoice'], notes: [] });
    if (atCheck.ok) expect(atCheck.records).toEqual([expected]);
    // The validate node needs reference data the browser does not have: the preview skips its checks and says so.
    const atTarget = await recordsArrivingAt(doc, 'post-ap-invoice', record, catalog);
    expect(atTarget.ok && atTarget.records).toEqual([expected]);
    expect(atTarget.ok && atTarget.notes[0]).toMatch(/skipped/);
  });

  it('previews expressions with the runtime evaluator and pins node outputs', async () => {
    const [record] = (await parseSample(sampleName, bytes, source, catalog)).records;
    const mapping = String(doc.nodes.find((n) => n.id === 'to-ap-invoice')!.config.expression);
    const result = await previewExpression(mapping, record);
    expect(result.ok && result.value).toEqual(expected);
    expect(result.ms).toBeLessThan(1000);
    expect(await nodeOutputFor(doc, 'to-ap-invoice', record, catalog)).toEqual({ ok: true, output: expected });
    const failed = await previewExpression('$decAdd(totals.x, ', {});
    expect(failed.ok).toBe(false);
    const money = await previewExpression('$decSum(lines.netAmount)', expected);
    expect(money).toMatchObject({ ok: true, value: '229.60' });
  });
});
