/**
 * `source.nats`: records from a NATS JetStream stream through a durable
 * consumer (created when missing, explicit acknowledgement), each message one
 * record, acknowledged only once its run is durably queued (see
 * broker-messages.ts). A message's source key is its `Nats-Msg-Id` header, or
 * the stream and sequence it was stored at: the same on every redelivery.
 */
import { Type } from '../config-schema.ts';
import { defineBrokerSource, type BrokerSourceConfig } from './broker-messages.ts';

const fields = {
  stream: Type.String({ title: 'Stream', description: 'The JetStream stream, e.g. PO_EVENTS', minLength: 1, default: '' }),
  /** Its position in the stream survives restarts and redeploys. */
  consumer: Type.String({ title: 'Durable consumer', description: 'Created when missing; remembers what was acknowledged.', minLength: 1, default: '' }),
  subject: Type.Optional(Type.String({ title: 'Subject filter', description: 'e.g. po.approved.>; empty: every subject of the stream.', default: '' })),
  ackWaitSeconds: Type.Optional(Type.Integer({ title: 'Ack wait (s)', description: 'Unacknowledged messages are delivered again after this.', minimum: 1, maximum: 3600, default: 60 })),
};

export type NatsSourceConfig = BrokerSourceConfig<typeof fields>;

const NAME = /^[A-Za-z0-9_-]+$/;

export const natsSource = defineBrokerSource({
  type: 'source.nats',
  title: 'NATS JetStream',
  description: 'Consumes messages from a NATS JetStream stream with a durable consumer; each message is acknowledged only after its record is stored.',
  fields,
  problems: (config) => [
    ...(NAME.test(config.stream) ? [] : [{ path: '/stream', message: 'a stream name is letters, digits, - and _' }]),
    ...(NAME.test(config.consumer) ? [] : [{ path: '/consumer', message: 'a consumer name is letters, digits, - and _' }]),
  ],
  origin: (config) => `stream ${config.stream || '?'}${config.subject ? ` (${config.subject})` : ''}`,
});
