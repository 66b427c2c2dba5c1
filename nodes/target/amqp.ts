/**
 * `target.amqp`: publishes each record as a persistent JSON message to an
 * exchange of an AMQP 0-9-1 broker (RabbitMQ) with a routing key, on a
 * confirm channel; `message-id` is the idempotency key (see broker-publish.ts).
 * Published as mandatory: a message no queue is bound to receive comes back
 * and fails its record instead of vanishing.
 */
import { defineBrokerTarget, type BrokerTargetCommon } from './broker-publish.ts';

export interface AmqpTargetConfig extends BrokerTargetCommon {
  /** Exchange published to; empty: the default exchange (the routing key names a queue). */
  exchange: string;
  routingKey: string;
}

export const amqpTarget = defineBrokerTarget<AmqpTargetConfig>({
  type: 'target.amqp',
  protocol: 'amqp',
  title: 'AMQP publish (RabbitMQ)',
  description: 'Publishes each record as a JSON message to a RabbitMQ exchange, confirmed by the broker, message-id = idempotency key.',
  fields: {
    exchange: { type: 'string', title: 'Exchange', description: 'Empty: the default exchange, where the routing key is a queue name.', default: '' },
    routingKey: { type: 'string', title: 'Routing key', description: 'e.g. po.approved (or the queue name on the default exchange)', default: '' },
  },
  required: [],
  defaults: { connection: '', exchange: '', routingKey: '', batchSize: 100, idempotencyKey: '$sourceKey' },
  problems: (config) => (!config.exchange && !config.routingKey ? [{ path: '/routingKey', message: 'on the default exchange the routing key names the queue: give one' }] : []),
  destination: (config) => ({ exchange: config.exchange, routingKey: config.routingKey }),
  object: (config) => `exchange:${config.exchange || '(default)'}/${config.routingKey}`,
});
