import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { defineNode, quarantinePorts, sourceOutputPort, targetIdempotencyKey } from '../../nodes/define-node.ts';
import { Expression, StringEnum, Type } from '../../nodes/config-schema.ts';
import { createReferenceEvaluator } from '../../nodes/expression/jsonata-evaluator.ts';
import { catalog } from '../../nodes/catalog.ts';

const evaluator = createReferenceEvaluator();
const noWrites = () => ({ batchSize: 1, write: async () => [] });

/** A target declared the one way: its config a TypeBox schema, nothing else about the config written. */
const declared = defineNode({
  type: 'test.declared', version: 1, title: 'Declared', description: '', category: 'target',
  inputs: [{ id: 'in', title: 'In' }], outputs: [],
  config: Type.Object({
    connection: Type.String({ minLength: 1, default: '' }),
    mode: StringEnum(['insert', 'upsert'], { default: 'upsert' }),
    options: Type.Object({ size: Type.Optional(Type.Integer({ default: 5 })), strict: Type.Optional(Type.Boolean({ default: true })) }),
    rules: Type.Array(Type.Object({ when: Expression({ minLength: 1 }), note: Type.Optional(Type.String()) }), { default: [] }),
    filter: Type.Optional(Expression()),
    idempotencyKey: Expression({ minLength: 1, default: '$sourceKey' }),
  }, { additionalProperties: false }),
  check: (config) => (config.mode === 'insert' && config.rules.length > 0 ? [{ path: '/rules', message: 'insert takes no rules' }] : []),
  deliveryTarget: (config) => ({ connection: config.connection, object: 'x' }),
  create: noWrites,
});

describe('defineNode from one config schema', () => {
  it('derives the JSON Schema, the defaults (nested objects too) and the expression fields', () => {
    expect(declared.defaults).toEqual({ connection: '', mode: 'upsert', options: { size: 5, strict: true }, rules: [], idempotencyKey: '$sourceKey' });
    expect(declared.expressionFields).toEqual(['/rules/*/when', '/filter', '/idempotencyKey']);
    // Plain JSON Schema: a strict ajv compiles it, and the expression mark is a standard annotation.
    const validate = new Ajv2020({ strict: true }).compile(declared.configSchema);
    expect(validate(declared.defaults)).toBe(false); // the default connection is empty: the flow must choose one
    expect(validate({ ...declared.defaults, connection: 'erp' })).toBe(true);
    expect(validate({ ...declared.defaults, connection: 'erp', mode: 'delete' })).toBe(false);
    expect(Object.getOwnPropertySymbols(declared.configSchema)).toEqual([]);
  });

  it('checks every expression field it holds without being told, after the cross-field rules', () => {
    const problems = declared.check!({ ...declared.defaults, connection: 'erp', mode: 'insert', rules: [{ when: 'a >' }, { when: '' }], filter: '(' }, evaluator);
    expect(problems.map((p) => p.path)).toEqual(['/rules', '/rules/0/when', '/rules/1/when', '/filter']);
    expect(declared.check!({ ...declared.defaults, connection: 'erp', rules: [{ when: 'a > 1' }] }, evaluator)).toEqual([]);
  });

  it('gives the engine the declared properties: idempotency key, source port, quarantine ports', () => {
    expect(targetIdempotencyKey(declared, { ...declared.defaults, idempotencyKey: 'invoice.id' })).toBe('invoice.id');
    expect(targetIdempotencyKey(catalog.get('transform.jsonata')!, { idempotencyKey: 'x' })).toBeUndefined();
    expect(sourceOutputPort(catalog.get('source.file')!, {})).toBe('out');
    expect([...quarantinePorts(catalog.get('validate.record')!, {})]).toEqual(['invalid']);
    expect([...quarantinePorts(catalog.get('route.condition')!, { routes: [], defaultPort: 'default' })]).toEqual([]);
  });

  it('every node type of the catalog derives its expression fields from its schema', () => {
    const fields = Object.fromEntries(catalog.all().map((d) => [d.type, d.expressionFields ?? []]));
    expect(fields).toMatchObject({
      'transform.jsonata': ['/expression', '/itemKey', '/itemAmount', '/itemCurrency'],
      'route.condition': ['/routes/*/condition'],
      'validate.record': ['/rules/*/expression', '/references/*/value', '/references/*/at'],
      'target.http': ['/idempotencyKey'],
      'target.postgres': ['/idempotencyKey'],
      'target.file': ['/idempotencyKey'],
      'source.file': [],
    });
  });
});

describe('every node type of the catalog', () => {
  it('has its defaults and expression fields from its config schema, nothing about its config written twice', async () => {
    const { expressionPointers, schemaDefaults } = await import('../../nodes/config-schema.ts');
    const apart = catalog.all().filter((d) => JSON.stringify(d.defaults) !== JSON.stringify(schemaDefaults(d.configSchema))
      || JSON.stringify([...(d.expressionFields ?? [])].sort()) !== JSON.stringify(expressionPointers(d.configSchema).sort()));
    expect(apart.map((d) => d.type)).toEqual([]);
    // The check catches a declaration that writes its defaults apart from its schema.
    const written = { ...catalog.get('target.amqp')!, defaults: { connection: '', exchange: 'x' } };
    expect(JSON.stringify(written.defaults)).not.toBe(JSON.stringify(schemaDefaults(written.configSchema)));
  });
});
