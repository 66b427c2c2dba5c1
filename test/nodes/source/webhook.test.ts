import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../nodes/errors.ts';
import { valueAtPath, webhookEventId, webhookEventTime, webhookSource } from '../../../nodes/source/webhook.ts';
import { collect, realBytes } from '../formats/helpers.ts';
import { inputDocument, setupContext, sourceContext } from './document-input.ts';

function read(name: string, body: string | Uint8Array, chunkSize = 4096) {
  return webhookSource.create({ eventIdField: 'id' }, setupContext('hook')).read(sourceContext(inputDocument(name, body, chunkSize)));
}

describe('source.webhook declaration', () => {
  it('is a source with one Records output and a small, valid config schema', () => {
    expect(webhookSource.type).toBe('source.webhook');
    expect(webhookSource.category).toBe('source');
    expect(webhookSource.inputs).toEqual([]);
    expect(webhookSource.outputs).toEqual([{ id: 'out', title: 'Records' }]);
    const validate = new Ajv2020({ strict: true }).compile(webhookSource.configSchema);
    expect(validate(webhookSource.defaults)).toBe(true);
    expect(validate({ eventIdField: 'event.id', eventTimeField: 'created_at' })).toBe(true);
    expect(validate({ eventIdField: 5 })).toBe(false);
    expect(validate({ secret: 'x' })).toBe(false);
    expect(webhookSource.summary!({ eventIdField: 'event.id' })).toBe('Webhook · id at event.id');
  });
});

describe('source.webhook reading', () => {
  it('makes a JSON object body one record', async () => {
    const body = realBytes('json/json-stripe-invoice-subscription-vat-inclusive-usd.json');
    const records = await collect<any>(read('delivery.json', body, 7));
    expect(records).toHaveLength(1);
    expect(records[0].number).toBe('E5B23224-0002');
  });

  it('makes each element of a JSON list a record (batch delivery)', async () => {
    const body = '[{"id":"evt_1","type":"invoice.paid"},{"id":"evt_2","type":"invoice.voided"}]';
    expect(await collect(read('delivery', body, 1))).toEqual([
      { id: 'evt_1', type: 'invoice.paid' },
      { id: 'evt_2', type: 'invoice.voided' },
    ]);
  });

  it.each(['delivery.jsonl', 'delivery.NDJSON'])('reads %s one event per line', async (name) => {
    expect(await collect(read(name, '{"id":1}\n\n{"id":2}\r\n'))).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rejects a body that is not an object or a list, naming the node', async () => {
    const err = await collect(read('delivery.json', '"ping"')).catch((e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.errorClass).toBe('validation');
    expect(err.details.nodeId).toBe('hook');
    expect(err.message).toBe('delivery.json line 1, column 1: expected a JSON object or a list of objects');
  });

  it('rejects a broken body with its line', async () => {
    const err = await collect(read('delivery.json', '{\n "id": "evt_1",\n "amount": 12,,\n}')).catch((e) => e);
    expect(err.message).toBe('delivery.json line 3, column 15: unexpected ","; expected a field name in quotes');
  });

  it('fails clearly without a body', async () => {
    const err = await collect(webhookSource.create({}, setupContext('hook')).read(sourceContext())).catch((e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.message).toBe('Webhook source "hook" received no request body.');
  });
});

describe('webhook event id and time', () => {
  const event = { id: 'evt_9', data: { object: { id: 42, created: 1570941590 }, items: [{ ref: 'A' }] } };

  it('reads dotted paths, including list indexes', () => {
    expect(valueAtPath(event, 'data.object.id')).toBe(42);
    expect(valueAtPath(event, 'data.items.0.ref')).toBe('A');
    expect(valueAtPath(event, 'data.missing.id')).toBeUndefined();
    expect(valueAtPath('text', 'length')).toBeUndefined();
  });

  it('gives the id as text and the time as written', () => {
    expect(webhookEventId({ eventIdField: 'id' }, event)).toBe('evt_9');
    expect(webhookEventId({ eventIdField: 'data.object.id' }, event)).toBe('42');
    expect(webhookEventId({ eventIdField: 'data' }, event)).toBeUndefined();
    expect(webhookEventId({}, event)).toBeUndefined();
    expect(webhookEventTime({ eventTimeField: 'data.object.created' }, event)).toBe(1570941590);
    expect(webhookEventTime({ eventTimeField: '' }, event)).toBeUndefined();
  });
});
