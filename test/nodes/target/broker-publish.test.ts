/**
 * target.amqp and target.nats against the real servers of the machine
 * (RabbitMQ 127.0.0.1:5672 guest/guest, NATS JetStream 127.0.0.1:4222):
 * every record is delivered only once the broker confirmed it, with the
 * idempotency key as message id; a message the broker cannot store fails
 * alone; wrong credentials and an unreachable server fail naming the
 * connection and quoting the server, without the password.
 */
import amqp from 'amqplib';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpTarget } from '../../../nodes/target/amqp.ts';
import { natsTarget } from '../../../nodes/target/nats.ts';
import { createConnectionResolver, type ClosableConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import { setupContext, targetContext } from './target-test-context.ts';

const RABBIT = 'amqp://guest:guest@127.0.0.1:5672';
const NATS = '127.0.0.1:4222';
const tag = `${process.pid}_${Date.now().toString(36)}`;

describe('target.amqp', () => {
  const queue = `lf_test_publish_${tag}`;
  let model: amqp.ChannelModel;
  let channel: amqp.Channel;
  let resolver: ClosableConnectionResolver;

  beforeAll(async () => {
    model = await amqp.connect(RABBIT);
    channel = await model.createChannel();
    await channel.assertQueue(queue, { durable: true });
    resolver = createConnectionResolver({
      rabbit: { kind: 'amqp', url: RABBIT },
      wrong: { kind: 'amqp', url: 'amqp://guest:not-the-password@127.0.0.1:5672', secretValues: ['not-the-password'] },
    });
  });
  afterAll(async () => {
    await resolver.close();
    await channel.deleteQueue(queue).catch(() => {});
    await model.close();
  });

  it('publishes each record persistently, confirmed, with the idempotency key as message-id', async () => {
    const target = amqpTarget.create({ ...amqpTarget.defaults, connection: 'rabbit', routingKey: queue }, setupContext());
    const outcomes = await target.write([{ key: 'PO-1', data: { po: 'PO-1', amount: '10.00' } }, { key: 'PO-2', data: { po: 'PO-2', amount: '20.50' } }], targetContext({ connections: resolver }));
    // The answer passed on by the out port: the message id and where it went.
    expect(outcomes).toEqual(['PO-1', 'PO-2'].map((messageId) => ({ ok: true, ref: `(default)/${queue}`, answer: { messageId, exchange: '', routingKey: queue } })));
    const got: amqp.GetMessage[] = [];
    for (let m = await channel.get(queue); m; m = await channel.get(queue)) got.push(m);
    expect(got.map((m) => [m.properties.messageId, m.properties.deliveryMode, JSON.parse(m.content.toString())])).toEqual([
      ['PO-1', 2, { po: 'PO-1', amount: '10.00' }], ['PO-2', 2, { po: 'PO-2', amount: '20.50' }],
    ]);
    for (const m of got) channel.ack(m);
  });

  it('fails a message no queue receives (mandatory, returned) instead of losing it', async () => {
    const target = amqpTarget.create({ ...amqpTarget.defaults, connection: 'rabbit', exchange: 'amq.direct', routingKey: `nobody_${tag}` }, setupContext());
    const [outcome] = await target.write([{ key: 'K-1', data: { a: 1 } }], targetContext({ connections: resolver }));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.errorClass).toBe('permanent');
      expect(outcome.error.message).toMatch(/connection 'rabbit'.*returned message K-1: no queue is bound to exchange 'amq.direct'.*NO_ROUTE/);
    }
  });

  it('wrong credentials: the connection named, the server quoted, the password hidden', async () => {
    const target = amqpTarget.create({ ...amqpTarget.defaults, connection: 'wrong', routingKey: queue }, setupContext());
    const err = await target.write([{ key: 'K', data: {} }], targetContext({ connections: resolver })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/^connection 'wrong' \(amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672\/?\) could not be opened: .*ACCESS.REFUSED/);
    expect(message).not.toContain('not-the-password');
    expect((err as { errorClass?: string }).errorClass).toBe('permanent');
  });
});

describe('target.nats', () => {
  const stream = `LF_TEST_PUB_${tag}`;
  const subject = `lftest.pub.${tag}`;
  let nc: NatsConnection;
  let resolver: ClosableConnectionResolver;

  beforeAll(async () => {
    nc = await connect({ servers: NATS });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject] });
    resolver = createConnectionResolver({ nats: { kind: 'nats', servers: NATS }, down: { kind: 'nats', servers: '127.0.0.1:1' } });
  });
  afterAll(async () => {
    await resolver.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
  });

  it('publishes with a publish ack per record; Nats-Msg-Id is the key, so a repeat is stored once', async () => {
    const target = natsTarget.create({ ...natsTarget.defaults, connection: 'nats', subject }, setupContext());
    const ctx = targetContext({ connections: resolver });
    const first = await target.write([{ key: 'INV-1', data: { n: 1 } }, { key: 'INV-2', data: { n: 2 } }], ctx);
    // The answer passed on by the out port: the message id, subject, stream and the stream's sequence.
    expect(first).toEqual([1, 2].map((sequence) => ({ ok: true, ref: `${stream}:${sequence}`, answer: { messageId: `INV-${sequence}`, subject, stream, sequence } })));
    // A retried batch (same keys): acknowledged, not stored again.
    const again = await target.write([{ key: 'INV-1', data: { n: 1 } }], ctx);
    expect(again).toEqual([{ ok: true, ref: `${stream}:1`, answer: { messageId: 'INV-1', subject, stream, sequence: 1 } }]);
    const info = await (await nc.jetstreamManager()).streams.info(stream);
    expect(info.state.messages).toBe(2);
    const stored = await (await nc.jetstreamManager()).streams.getMessage(stream, { seq: 2 });
    expect(stored.header.get('Nats-Msg-Id')).toBe('INV-2');
    expect(stored.json()).toEqual({ n: 2 });
  });

  it('a subject no stream captures fails the record, naming connection and subject', async () => {
    const target = natsTarget.create({ ...natsTarget.defaults, connection: 'nats', subject: `lftest.nostream.${tag}` }, setupContext());
    const [outcome] = await target.write([{ key: 'X', data: {} }], targetContext({ connections: resolver }));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toMatch(/connection 'nats'.*no JetStream stream captures subject 'lftest\.nostream/);
  });

  it('an unreachable server fails the batch as transient, naming the connection', async () => {
    const target = natsTarget.create({ ...natsTarget.defaults, connection: 'down', subject }, setupContext());
    const err = await target.write([{ key: 'X', data: {} }], targetContext({ connections: resolver })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^connection 'down' \(127\.0\.0\.1:1\) could not be opened: /);
    expect((err as { errorClass?: string }).errorClass).toBe('transient');
  });
});
