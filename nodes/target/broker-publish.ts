/**
 * What the broker targets (`target.amqp`, `target.nats`) share: each record
 * is published as a JSON message whose id is the record's idempotency key
 * (AMQP `message-id`; NATS `Nats-Msg-Id`, which JetStream uses to drop a
 * repeat within the stream's duplicate window), and a record is delivered
 * only when the broker confirmed it (AMQP publisher confirms on a confirm
 * channel, JetStream publish acks). A broker that cannot be reached fails the
 * batch as transient (the engine retries it with back-off); a message the
 * broker refuses (nack, unroutable, no stream for the subject) fails alone.
 *
 * Browser-safe: the publishing is the runtime's (ConnectionResolver.broker).
 */
import {
  defineNode, TARGET_OUT_PORT, type BrokerDestination, type BrokerProtocol, type ConfigProblem, type JsonSchema, type NodeDeclaration, type PublishOutcome, type TargetOutcome,
} from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { jsonTextOf } from '../formats/json-text.ts';
import { IDEMPOTENCY_KEY_SCHEMA, checkIdempotencyKey } from './idempotency-config.ts';

export interface BrokerTargetCommon {
  /** Name of an `amqp` or `nats` connection the flow declares. */
  connection: string;
  batchSize: number;
  idempotencyKey: string;
}

/** What differs between the broker targets. */
export interface BrokerTargetSpec<C extends BrokerTargetCommon> {
  type: string;
  protocol: BrokerProtocol;
  title: string;
  description: string;
  fields: Record<string, JsonSchema>;
  required: string[];
  defaults: C;
  problems(config: C): ConfigProblem[];
  destination(config: C): BrokerDestination;
  /** The object written, for the idempotency scope (`exchange:x/key`, `subject:a.b`). */
  object(config: C): string;
}

const encoder = new TextEncoder();

/** Declares a broker target (see the module comment). */
export function defineBrokerTarget<C extends BrokerTargetCommon>(spec: BrokerTargetSpec<C>): NodeDeclaration<C, 'target'> {
  const complete = (config: C): C => ({ ...spec.defaults, ...config });
  return defineNode<C, 'target'>({
    type: spec.type,
    version: 1,
    title: spec.title,
    description: spec.description,
    category: 'target',
    inputs: [{ id: 'in', title: 'Records' }],
    outputs: [TARGET_OUT_PORT],
    configSchema: {
      type: 'object',
      required: ['connection', 'idempotencyKey', ...spec.required],
      additionalProperties: false,
      properties: {
        connection: { type: 'string', title: 'Connection', minLength: 1 },
        ...spec.fields,
        batchSize: { type: 'integer', title: 'Batch size', description: 'Messages published before waiting for the broker\'s confirms.', minimum: 1, maximum: 10_000, default: 100 },
        idempotencyKey: IDEMPOTENCY_KEY_SCHEMA,
      },
    },
    defaults: spec.defaults,
    expressionFields: ['/idempotencyKey'],
    summary: (config) => `${spec.object(complete(config))} · ${config.connection || '(no connection)'}`,
    check: (config, evaluator) => [
      ...(config.connection ? [] : [{ path: '/connection', message: 'choose the broker connection to publish to' }]),
      ...spec.problems(complete(config)),
      ...checkIdempotencyKey(config.idempotencyKey, evaluator),
    ],
    deliveryTarget: (config) => ({ connection: config.connection, object: spec.object(complete(config)) }),
    create(raw, setup) {
      const config = complete(raw);
      const destination = spec.destination(config);
      return {
        batchSize: config.batchSize,
        async write(items, ctx): Promise<TargetOutcome[]> {
          const broker = ctx.connections.broker?.(config.connection, spec.protocol);
          if (!broker) throw new FlowError('permanent', `${spec.title} target "${setup.nodeId}" cannot publish here (no broker connections)`, { nodeId: setup.nodeId });
          const messages = items.map((item) => ({ body: encoder.encode(jsonTextOf(item.data) ?? 'null'), id: item.key, contentType: 'application/json' }));
          const outcomes = await broker.publish(destination, messages, ctx.signal);
          return outcomes.map((o, i) => (o.ok
            ? { ok: true, ...(o.ref !== undefined ? { ref: o.ref } : {}), answer: publishAnswer(items[i].key, destination, o) }
            : { ok: false, error: new FlowError(o.error.errorClass, o.error.message, { ...o.error.details, nodeId: setup.nodeId }) }));
        },
      };
    },
  });
}

/** What a broker target passes on by its `out` port: the message id, where it went, and JetStream's stream sequence. */
function publishAnswer(messageId: string, destination: BrokerDestination, outcome: PublishOutcome & { ok: true }): Record<string, unknown> {
  return {
    messageId,
    ...destination,
    ...(outcome.stream !== undefined ? { stream: outcome.stream } : {}),
    ...(outcome.sequence !== undefined ? { sequence: outcome.sequence } : {}),
  };
}
