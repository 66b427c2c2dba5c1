/**
 * How a broker message becomes a record (nodes/source/broker-messages.ts): the
 * message id is the source key (the same on every redelivery); a body that is
 * not UTF-8, not JSON or over the record limits is a record carrying its error,
 * keeping what was received, so it is dead-lettered at the source while the
 * other messages go on. The declarations check their config.
 */
import { describe, expect, it } from 'vitest';
import { recordOfMessage } from '../../../nodes/source/broker-messages.ts';
import { amqpSource } from '../../../nodes/source/amqp.ts';
import { natsSource } from '../../../nodes/source/nats.ts';
import { amqpTarget } from '../../../nodes/target/amqp.ts';
import { natsTarget } from '../../../nodes/target/nats.ts';
import { stubEvaluator, setupContext } from '../target/target-test-context.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('recordOfMessage', () => {
  it('parses a JSON body, keyed by the message id', () => {
    expect(recordOfMessage('json', { body: bytes('{"id":"PO-1","amount":"12.50"}'), id: 'm-1', from: "queue 'po'" }, "queue 'po'"))
      .toEqual({ sourceKey: 'm-1', data: { id: 'PO-1', amount: '12.50' } });
    expect(recordOfMessage('text', { body: bytes('hello'), from: 'x' }, 'x')).toEqual({ data: { text: 'hello' } });
  });

  it('an unparseable body is a poison record: the error and what was received, the rest unaffected', () => {
    const poison = recordOfMessage('json', { body: bytes('{"id": "PO-1", '), id: 'm-2', from: "queue 'po'" }, "queue 'po' of connection 'bus'");
    expect(poison.sourceKey).toBe('m-2');
    expect(poison.data).toEqual({ message: '{"id": "PO-1", ', from: "queue 'po'", messageId: 'm-2' });
    expect(poison.error).toMatchObject({ errorClass: 'permanent', code: 'MESSAGE_UNREADABLE' });
    expect(poison.error?.message).toMatch(/^message m-2 from queue 'po' of connection 'bus' cannot be read: the body is not valid JSON/);
  });

  it('not UTF-8, or a NUL character (which cannot be stored): poison too', () => {
    expect(recordOfMessage('json', { body: new Uint8Array([0x7b, 0xff, 0x7d]), from: 'q' }, 'q').error?.message).toMatch(/not UTF-8/);
    const nul = recordOfMessage('json', { body: bytes('{"memo":"a\\u0000b"}'), from: 'q' }, 'q');
    expect(nul.error?.message).toMatch(/NUL/);
    // The stored run input refuses any \u0000 in its JSON: the kept text has none.
    expect(JSON.stringify(nul)).not.toContain('\\u0000');
    expect(JSON.stringify(recordOfMessage('json', { body: bytes('{"memo":"a\u0000b"}'), from: 'q' }, 'q').data)).not.toContain('\\u0000');
  });
});

describe('broker node declarations', () => {
  it('check their config', () => {
    expect(amqpSource.check!({ ...amqpSource.defaults }, stubEvaluator).map((p) => p.path)).toEqual(['/connection', '/queue']);
    expect(amqpSource.check!({ ...amqpSource.defaults, connection: 'bus', queue: 'q', prefetch: 10, batchSize: 50 }, stubEvaluator).map((p) => p.path)).toEqual(['/prefetch']);
    expect(natsSource.check!({ ...natsSource.defaults, connection: 'bus', stream: 'A B', consumer: 'c' }, stubEvaluator).map((p) => p.path)).toEqual(['/stream']);
    expect(amqpTarget.check!({ ...amqpTarget.defaults, connection: 'bus' }, stubEvaluator).map((p) => p.path)).toEqual(['/routingKey']);
    expect(natsTarget.check!({ ...natsTarget.defaults, connection: 'bus', subject: 'po.*' }, stubEvaluator).map((p) => p.path)).toEqual(['/subject']);
    expect(natsTarget.deliveryTarget!({ ...natsTarget.defaults, connection: 'bus', subject: 'po.created' })).toEqual({ connection: 'bus', object: 'subject:po.created' });
  });

  it('a sample message body is read as the consumer reads it; without one the source says how it is fed', async () => {
    const source = amqpSource.create({ ...amqpSource.defaults, connection: 'bus', queue: 'q' }, setupContext('events'));
    const input = { name: 'po.json', chunks: async function* () { yield bytes('{"id":"PO-9"}'); } };
    const read: unknown[] = [];
    for await (const r of source.read({ input, connections: {} as never, proposeWatermark: () => {}, signal: new AbortController().signal })) read.push(r);
    expect(read).toEqual([{ id: 'PO-9' }]);
    const err = await (async () => {
      for await (const _ of source.read({ connections: {} as never, proposeWatermark: () => {}, signal: new AbortController().signal })) { /* nothing */ }
    })().catch((e: Error) => e);
    expect((err as Error).message).toMatch(/is fed by its consumer: deploy the flow/);
  });
});
