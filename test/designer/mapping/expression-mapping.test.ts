import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import jsonata from 'jsonata';
import {
  flattenMapping, generateExpression, getFieldExpression, parseMapping, pathExpression, removeField, setFieldExpression, type Mapping,
} from '../../../designer/mapping/expression-mapping.ts';

function parsed(expr: string): Mapping {
  const r = parseMapping(expr);
  if (!r.ok) throw new Error(r.reason);
  return r.mapping;
}

describe('parseMapping', () => {
  it('reads fields, nested objects and keeps expressions as written', () => {
    const m = parsed('{ "id": ID, "total": $decSum(lines.amount), "supplier": { "name": seller.name, "vat": seller.`@vat` }, "kind": x ? "a" : "b" }');
    expect(m.preamble).toBeNull();
    expect(m.fields).toEqual([
      { key: 'id', expression: 'ID' },
      { key: 'total', expression: '$decSum(lines.amount)' },
      { key: 'supplier', fields: [{ key: 'name', expression: 'seller.name' }, { key: 'vat', expression: 'seller.`@vat`' }] },
      { key: 'kind', expression: 'x ? "a" : "b"' },
    ]);
  });

  it('is not fooled by separators inside strings, comments, regexes and arrays', () => {
    const m = parsed(`{ "a": "x, y: z", "b": $replace(t, /[,:]/, ";"), /* c, d */ "c": [1, 2], 'd q': $f(1, {"k": 2}) }`);
    expect(flattenMapping(m.fields)).toEqual([
      { path: ['a'], expression: '"x, y: z"' },
      { path: ['b'], expression: '$replace(t, /[,:]/, ";")' },
      { path: ['c'], expression: '[1, 2]' },
      { path: ['d q'], expression: '$f(1, {"k": 2})' },
    ]);
  });

  it('keeps the bindings of a block before the object', () => {
    const m = parsed('(\n  $doc := Invoice ? Invoice : CreditNote;\n  $amount := function($a) { $a.`#text` };\n  { "number": $doc.ID }\n)');
    expect(m.preamble).toEqual(['$doc := Invoice ? Invoice : CreditNote', '$amount := function($a) { $a.`#text` }']);
    expect(m.fields).toEqual([{ key: 'number', expression: '$doc.ID' }]);
  });

  it('treats $ and an empty expression as an empty mapping', () => {
    expect(parsed('$')).toEqual({ preamble: null, fields: [] });
    expect(parsed('  ')).toEqual({ preamble: null, fields: [] });
  });

  it('refuses expressions that are not field-by-field objects', () => {
    expect(parseMapping('$merge([a, b])').ok).toBe(false);
    expect(parseMapping('{ "a": 1 ').ok).toBe(false);
    expect(parseMapping('{ $k: 1 }').ok).toBe(false);
    expect(parseMapping('items.{ "a": 1 }').ok).toBe(false);
  });
});

describe('generateExpression', () => {
  it('writes readable, indented JSONata that evaluates to the mapped object', async () => {
    const fields = setFieldExpression(setFieldExpression([], ['supplier', 'name'], 'seller.name'), ['id'], 'ID');
    const text = generateExpression({ preamble: null, fields });
    expect(text).toBe('{\n  "supplier": {\n    "name": seller.name\n  },\n  "id": ID\n}');
    expect(await jsonata(text).evaluate({ ID: 7, seller: { name: 'ACME' } })).toEqual({ supplier: { name: 'ACME' }, id: 7 });
  });

  it('leaves out fields without an expression and writes {} when nothing is mapped', () => {
    expect(generateExpression({ preamble: null, fields: [{ key: 'a', expression: ' ' }] })).toBe('{}');
  });

  it('indents multi-line expressions and block bindings', () => {
    const text = generateExpression({ preamble: ['$x := 1'], fields: [{ key: 'lines', expression: '[items.{\n  "n": ID\n}]' }] });
    expect(text).toBe('(\n  $x := 1;\n  {\n    "lines": [items.{\n      "n": ID\n    }]\n  }\n)');
  });
});

describe('round trip', () => {
  const cases = [
    '{\n  "id": ID,\n  "supplier": {\n    "name": seller.name\n  }\n}',
    '(\n  $d := Invoice;\n  {\n    "n": $d.ID,\n    "lines": [$d.InvoiceLine.{\n      "no": ID\n    }]\n  }\n)',
  ];
  it.each(cases)('generate(parse(x)) is x for generated text %#', (text) => {
    expect(generateExpression(parsed(text))).toBe(text);
  });

  it('reaches a fixed point from hand-written text and keeps the meaning', async () => {
    const doc = JSON.parse(readFileSync(new URL('../../../flows/ubl-invoice-to-ap/flow.json', import.meta.url), 'utf8'));
    const original: string = doc.nodes.find((n: { id: string }) => n.id === 'to-ap-invoice').config.expression;
    const once = generateExpression(parsed(original));
    expect(generateExpression(parsed(once))).toBe(once);
    expect(parsed(once)).toEqual(parsed(original));
    const input = { Invoice: { ID: 'INV-1', DocumentCurrencyCode: 'EUR', LegalMonetaryTotal: { PayableAmount: { '#text': '10.00' } } } };
    expect(await jsonata(once).evaluate(input)).toEqual(await jsonata(original).evaluate(input));
    expect(flattenMapping(parsed(once).fields).map((f) => f.path.join('.'))).toContain('supplier.vatId');
  });
});

describe('field edits', () => {
  const fields = parsed('{ "a": x, "b": { "c": y, "d": z } }').fields;
  it('reads, replaces and removes target paths', () => {
    expect(getFieldExpression(fields, ['b', 'd'])).toBe('z');
    expect(getFieldExpression(setFieldExpression(fields, ['b', 'c'], 'q'), ['b', 'c'])).toBe('q');
    expect(removeField(removeField(fields, ['b', 'c']), ['b', 'd'])).toEqual([{ key: 'a', expression: 'x' }]);
    expect(setFieldExpression(fields, ['a'], '')).toEqual([fields[1]]);
  });
  it('quotes field names that are not identifiers', () => {
    expect(pathExpression(['PayableAmount', '#text'])).toBe('PayableAmount.`#text`');
    expect(pathExpression(['order', 'in'])).toBe('order.`in`');
  });
});
