import { describe, expect, it } from 'vitest';
import { allFields, fieldsFromSchema, findField, inferFieldTree } from '../../../designer/editor/field-paths.ts';

describe('inferFieldTree', () => {
  const records = [
    { id: 'A1', amount: 10.5, supplier: { name: 'ACME', vat: 'DE1' }, lines: [{ sku: 'x', qty: 1 }, { sku: 'y', qty: 2, note: 'n' }] },
    { id: 'A2', amount: '3.20', supplier: { name: 'Beta' }, lines: [] },
  ];
  const tree = inferFieldTree(records);

  it('lists the union of fields with their types and an example', () => {
    expect(tree.map((n) => n.name)).toEqual(['id', 'amount', 'supplier', 'lines']);
    expect(findField(tree, ['amount'])!.types.sort()).toEqual(['number', 'string']);
    expect(findField(tree, ['id'])!.example).toBe('A1');
  });

  it('looks through arrays and marks them', () => {
    const lines = findField(tree, ['lines'])!;
    expect(lines.array).toBe(true);
    expect(lines.children.map((c) => c.name)).toEqual(['sku', 'qty', 'note']);
    expect(findField(tree, ['lines', 'qty'])!.segments).toEqual(['lines', 'qty']);
  });

  it('marks fields missing from some records as optional', () => {
    expect(findField(tree, ['supplier', 'name'])!.required).toBe(true);
    expect(findField(tree, ['supplier', 'vat'])!.required).toBe(false);
    expect(allFields(tree).length).toBe(9);
  });
});

describe('fieldsFromSchema', () => {
  it('reads properties, required and array items', () => {
    const tree = fieldsFromSchema({
      type: 'object',
      required: ['invoiceNumber'],
      properties: {
        invoiceNumber: { type: 'string', description: 'The number' },
        lines: { type: 'array', items: { type: 'object', required: ['amount'], properties: { amount: { type: 'string' } } } },
      },
    });
    expect(findField(tree, ['invoiceNumber'])).toMatchObject({ required: true, types: ['string'], description: 'The number' });
    expect(findField(tree, ['lines'])).toMatchObject({ array: true, required: false, types: ['object'] });
    expect(findField(tree, ['lines', 'amount'])).toMatchObject({ required: true, segments: ['lines', 'amount'] });
  });
});
