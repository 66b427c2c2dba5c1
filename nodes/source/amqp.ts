/**
 * `source.amqp`: records from a queue of an AMQP 0-9-1 broker (RabbitMQ),
 * each message one record, acknowledged only once its run is durably queued
 * (see broker-messages.ts). The queue is the broker's: declare it there, with
 * its own dead-letter exchange if you want one for messages the broker
 * expires; unreadable messages are Ledgerflow's dead letters.
 */
import { Type } from '../config-schema.ts';
import { defineBrokerSource, type BrokerSourceConfig } from './broker-messages.ts';

const fields = {
  queue: Type.String({ title: 'Queue', description: 'The queue to consume, e.g. po-events', minLength: 1, default: '' }),
  /** At least the batch size, or a batch never fills. */
  prefetch: Type.Optional(Type.Integer({ title: 'Prefetch', description: 'Messages the broker hands out unacknowledged; at least the messages per run.', minimum: 1, maximum: 65_535, default: 1000 })),
};

export type AmqpSourceConfig = BrokerSourceConfig<typeof fields>;

export const amqpSource = defineBrokerSource({
  type: 'source.amqp',
  title: 'AMQP queue (RabbitMQ)',
  description: 'Consumes messages from a RabbitMQ (AMQP 0-9-1) queue; each message is acknowledged only after its record is stored.',
  fields,
  problems: (config) => [
    ...(config.queue ? [] : [{ path: '/queue', message: 'name the queue to consume' }]),
    ...(config.prefetch < config.batchSize ? [{ path: '/prefetch', message: `prefetch (${config.prefetch}) must be at least the messages per run (${config.batchSize}), or a batch can never fill` }] : []),
  ],
  origin: (config) => `queue '${config.queue}'`,
});
