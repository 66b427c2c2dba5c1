import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { inputPorts, outputPorts } from '../../../nodes/define-node.ts';
import { jsonataTransform, type JsonataTransformConfig } from '../../../nodes/transform/jsonata.ts';
import { evaluator, flowErrorOf, setup } from '../expression/fixtures.ts';

const journal = JSON.parse(
  readFileSync(new URL('../../../../shared/data/real/json/json-xero-journal-sales-vat20.json', import.meta.url), 'utf8').replace(/^\uFEFF/, ''),
);

const create = (config: Partial<JsonataTransformConfig>, nodeId = 'map') =>
  jsonataTransform.create({ ...jsonataTransform.defaults, ...config }, setup(nodeId));

const lineMapping = `JournalLines.{
  "journal": $$.JournalNumber,
  "account": AccountCode,
  "net": $decFormat(NetAmount, 2),
  "source": $sourceKey
}`;

interface Case {
  name: string;
  config: Partial<JsonataTransformConfig>;
  data: unknown;
  bindings?: Record<string, unknown>;
  /** Data of each emission, all on port `out`. */
  out: unknown[];
}

const cases: Case[] = [
  { name: 'maps one record to one', config: { expression: '{"id": poNumber}' }, data: { poNumber: 'PO-1' }, out: [{ id: 'PO-1' }] },
  { name: 'fast path field', config: { expression: 'header' }, data: { header: { a: 1 } }, out: [{ a: 1 }] },
  { name: 'fans an array out into records', config: { expression: 'lines' }, data: { lines: [{ n: 1 }, { n: 2 }, { n: 3 }] }, out: [{ n: 1 }, { n: 2 }, { n: 3 }] },
  { name: 'keeps the array as one record without fan-out', config: { expression: 'lines', fanOut: false }, data: { lines: [{ n: 1 }, { n: 2 }] }, out: [[{ n: 1 }, { n: 2 }]] },
  { name: 'an empty array fans out into nothing', config: { expression: '[]' }, data: {}, out: [] },
  { name: 'nothing (undefined) emits nothing', config: { expression: 'missing' }, data: { present: 1 }, out: [] },
  { name: 'a filter that removes the record', config: { expression: "$[status = 'open']" }, data: { status: 'closed' }, out: [] },
  { name: 'null is a value and is emitted', config: { expression: 'value' }, data: { value: null }, out: [null] },
  { name: 'per-record bindings are visible', config: { expression: '{"key": $sourceKey}' }, data: {}, bindings: { sourceKey: 'f.csv#2' }, out: [{ key: 'f.csv#2' }] },
  {
    name: 'a real Xero journal fans out into balanced lines',
    config: { expression: lineMapping },
    data: journal,
    bindings: { sourceKey: 'xero#2' },
    out: [
      { journal: 2, account: '586', net: '72.00', source: 'xero#2' },
      { journal: 2, account: '011', net: '-60.00', source: 'xero#2' },
      { journal: 2, account: '735', net: '-12.00', source: 'xero#2' },
    ],
  },
];

describe('transform.jsonata', () => {
  it.each(cases)('$name', async ({ config, data, bindings, out }) => {
    const emissions = await create(config).process(data, bindings ?? {});
    expect(emissions.map((e) => e.port)).toEqual(out.map(() => 'out'));
    expect(JSON.parse(JSON.stringify(emissions.map((e) => e.data)))).toEqual(out);
  });

  it('answers synchronously for a fast-path expression', () => {
    const result = create({ expression: 'header' }).process({ header: 1 }, {});
    expect(result).toEqual([{ port: 'out', data: 1 }]);
  });

  it('turns an evaluation error into a mapping error naming the node', async () => {
    const err = await flowErrorOf(() => create({ expression: 'amount * 2' }, 'map-po').process({ amount: 'ten' }, {}));
    expect(err.errorClass).toBe('mapping');
    expect(err.details).toMatchObject({ nodeId: 'map-po', code: 'T2001', position: 7 });
    expect(err.message).toContain('The left side of the "*" operator must evaluate to a number');
  });

  it('refuses to create with a syntax error, naming node, field and position', async () => {
    const err = await flowErrorOf(() => create({ expression: '{"a": poNumber' }, 'map-po'));
    expect(err.errorClass).toBe('mapping');
    expect(err.details).toMatchObject({ nodeId: 'map-po', field: '/expression', code: 'S0203', position: 14 });
  });

  it('check() reports syntax problems with the config path', () => {
    expect(jsonataTransform.check!({ expression: 'a.b]', fanOut: true }, evaluator)).toEqual([
      { path: '/expression', message: 'unexpected "]"', position: 3, code: 'S0201' },
    ]);
    expect(jsonataTransform.check!({ expression: '', fanOut: true }, evaluator)).toEqual([{ path: '/expression', message: 'The expression is empty' }]);
    expect(jsonataTransform.check!({ expression: lineMapping, fanOut: true }, evaluator)).toEqual([]);
  });

  it('declares ports, expression fields, a summary and a config schema its defaults satisfy', () => {
    expect(jsonataTransform.type).toBe('transform.jsonata');
    expect(jsonataTransform.category).toBe('transform');
    expect(inputPorts(jsonataTransform, jsonataTransform.defaults).map((p) => p.id)).toEqual(['in']);
    expect(outputPorts(jsonataTransform, jsonataTransform.defaults).map((p) => p.id)).toEqual(['out']);
    expect(jsonataTransform.expressionFields).toEqual(['/expression', '/itemKey', '/itemAmount', '/itemCurrency']);
    expect(jsonataTransform.summary!({ expression: lineMapping, fanOut: true })).toBe('JournalLines.{ "journal": $$.JournalNumber, "account": Acco…');

    const validate = new Ajv2020({ strict: true }).compile(jsonataTransform.configSchema);
    expect(validate(jsonataTransform.defaults)).toBe(true);
    expect(validate({ expression: 'a', fanOut: 'yes' })).toBe(false);
    expect(validate({ fanOut: true })).toBe(false);
  });
});
