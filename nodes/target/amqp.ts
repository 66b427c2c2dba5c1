/**
 * `target.amqp`: publishes each record as a persistent JSON message to an
 * exchange of an AMQP 0-9-1 broker (RabbitMQ) with a routing key, on a
 * confirm channel; `message-id` is the idempotency key (see broker-publish.ts).
 * Published as mandatory: a message no queue is bound to receive comes back
 * and fails its record instead of vanishing.
 */
import { Type } from '../config-schema.ts';
import { defineBrokerTarget, type BrokerTargetConfig } from './broker-publish.ts';

const fields = {
  /** Exchange published to; empty: the default exchange (the routing key names a queue). */
  exchange: Type.Optional(Type.String({ title: 'Exchange', description: 'Empty: the default exchange, where the routing key is a queue name.', default: '' })),
  routingKey: Type.Optional(Type.String({ title: 'Routing key', description: 'e.g. po.approved (or the queue name on the default exchange)', default: '' })),
};

export type AmqpTargetConfig = BrokerTargetConfig<typeof fields>;

export const amqpTarget = defineBrokerTarget({
  type: 'target.amqp',
  protocol: 'amqp',
  title: 'AMQP publish (RabbitMQ)',
  description: 'Publishes each record as a JSON message to a RabbitMQ exchange, confirmed by the broker, message-id = idempotency key.',
  fields,
  problems: (config) => (!config.exchange && !config.routingKey ? [{ path: '/routingKey', message: 'on the default exchange the routing key names the queue: give one' }] : []),
  destination: (config) => ({ exchange: config.exchange, routingKey: config.routingKey }),
  object: (config) => `exchange:${config.exchange || '(default)'}/${config.routingKey}`,
});
