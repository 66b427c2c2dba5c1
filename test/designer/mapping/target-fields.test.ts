import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { catalog } from '../../../nodes/catalog.ts';
import { findField } from '../../../designer/editor/field-paths.ts';
import { fieldsReadByTarget, targetFieldsFor } from '../../../designer/mapping/target-fields.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';

const doc = JSON.parse(readFileSync(new URL('../../../flows/ubl-invoice-to-ap/flow.json', import.meta.url), 'utf8')) as FlowDocument;

describe('targetFieldsFor', () => {
  it('reads the columns of the target behind the validate node, with key columns required', () => {
    const tree = targetFieldsFor(doc, 'to-ap-invoice', catalog);
    expect(findField(tree, ['invoiceNumber'])).toMatchObject({ required: true, description: '→ column invoice_number' });
    expect(findField(tree, ['supplier', 'vatId'])!.required).toBe(true);
    expect(findField(tree, ['totals', 'payable'])!.required).toBe(false);
    expect(findField(tree, ['lines'])!.array).toBe(true);
    expect(findField(tree, ['lines', 'netAmount'])).toMatchObject({ description: '→ line column net_amount' });
  });

  it('leaves out constant and expression columns (=...): they are no fields the record must carry', () => {
    const fields = fieldsReadByTarget({ columns: { id: 'id', status: "='reconciled'", fee: '=$decMul(amount, rate)' }, keyColumns: ['id'] });
    expect(fields.map((f) => f.path.join('.'))).toEqual(['id']);
  });

  it('adds the fields a validate node schema declares', () => {
    const withSchema: FlowDocument = {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === 'check-invoice' ? { ...n, config: { ...n.config, schema: { type: 'object', required: ['buyerReference'], properties: { buyerReference: { type: 'string' } } } } } : n)),
    };
    const tree = targetFieldsFor(withSchema, 'to-ap-invoice', catalog);
    expect(findField(tree, ['buyerReference'])).toMatchObject({ required: true, types: ['string'] });
    expect(targetFieldsFor(withSchema, 'post-ap-invoice', catalog)).toEqual([]);
  });
});
