/**
 * `target.nats`: publishes each record as a JSON message to a subject of a
 * NATS JetStream stream and waits for the stream's publish ack;
 * `Nats-Msg-Id` is the idempotency key, so the stream drops a repeat within
 * its duplicate window (see broker-publish.ts).
 */
import { Type } from '../config-schema.ts';
import { defineBrokerTarget, type BrokerTargetConfig } from './broker-publish.ts';

const fields = {
  subject: Type.String({ title: 'Subject', description: 'A subject a stream captures, e.g. erp.documents.created', minLength: 1, default: '' }),
};

export type NatsTargetConfig = BrokerTargetConfig<typeof fields>;

export const natsTarget = defineBrokerTarget({
  type: 'target.nats',
  protocol: 'nats',
  title: 'NATS JetStream publish',
  description: 'Publishes each record as a JSON message to a JetStream subject, acknowledged by the stream, Nats-Msg-Id = idempotency key.',
  fields,
  problems: (config) => (/^[^\s*>]+$/.test(config.subject) ? [] : [{ path: '/subject', message: 'publish to one subject: no spaces or wildcards (* >)' }]),
  destination: (config) => ({ subject: config.subject }),
  object: (config) => `subject:${config.subject}`,
});
