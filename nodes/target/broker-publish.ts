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
import type { Static, TObject, TProperties } from '@sinclair/typebox';
import { schemaDefaults, Type } from '../config-schema.ts';
import {
  defineNode, TARGET_OUT_PORT, type BrokerDestination, type BrokerProtocol, type ConfigProblem, type NodeDeclaration, type PublishOutcome, type TargetOutcome,
} from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { jsonTextOf } from '../formats/json-text.ts';
import { IdempotencyKey } from './idempotency-config.ts';

/** The config every broker target has, around its protocol's own fields. */
const commonFields = {
  connection: Type.String({ title: 'Connection', description: 'An amqp or nats connection the flow declares', minLength: 1, default: '' }),
  batchSize: Type.Optional(Type.Integer({ title: 'Batch size', description: 'Messages published before waiting for the broker\'s confirms.', minimum: 1, maximum: 10_000, default: 100 })),
  idempotencyKey: IdempotencyKey,
};

type CommonConfig = Required<Static<TObject<typeof commonFields>>>;
/** A broker target's config (the common fields and the protocol's `fields`), each field with a default filled in. */
export type BrokerTargetConfig<F extends TProperties> = CommonConfig & Required<Static<TObject<F>>>;

/** What differs between the broker targets. */
export interface BrokerTargetSpec<F extends TProperties> {
  type: string;
  protocol: BrokerProtocol;
  title: string;
  description: string;
  /** The protocol's own config fields (exchange and routing key; subject). */
  fields: F;
  problems(config: BrokerTargetConfig<F>): ConfigProblem[];
  destination(config: BrokerTargetConfig<F>): BrokerDestination;
  /** The object written, for the idempotency scope (`exchange:x/key`, `subject:a.b`). */
  object(config: BrokerTargetConfig<F>): string;
}

const encoder = new TextEncoder();

/** Declares a broker target (see the module comment): its config is one schema, the common fields around the protocol's own. */
export function defineBrokerTarget<F extends TProperties>(spec: BrokerTargetSpec<F>): NodeDeclaration<BrokerTargetConfig<F>, 'target'> {
  const { connection, batchSize, idempotencyKey } = commonFields;
  // The schema's generic type is erased here (TypeBox cannot spread a generic `F`); the spec's functions get the config typed.
  const properties: TProperties = { connection, ...spec.fields, batchSize, idempotencyKey };
  const config = Type.Object(properties, { additionalProperties: false });
  const defaults = schemaDefaults(config);
  const complete = (raw: Record<string, unknown>) => ({ ...defaults, ...raw }) as BrokerTargetConfig<F>;
  return defineNode({
    type: spec.type,
    version: 1,
    title: spec.title,
    description: spec.description,
    category: 'target',
    inputs: [{ id: 'in', title: 'Records' }],
    outputs: [TARGET_OUT_PORT],
    config,
    summary: (raw) => `${spec.object(complete(raw))} · ${complete(raw).connection || '(no connection)'}`,
    check: (raw) => [
      ...(complete(raw).connection ? [] : [{ path: '/connection', message: 'choose the broker connection to publish to' }]),
      ...spec.problems(complete(raw)),
    ],
    deliveryTarget: (raw) => ({ connection: complete(raw).connection, object: spec.object(complete(raw)) }),
    create(raw, setup) {
      const c = complete(raw);
      const destination = spec.destination(c);
      return {
        batchSize: c.batchSize,
        async write(items, ctx): Promise<TargetOutcome[]> {
          const broker = ctx.connections.broker?.(c.connection, spec.protocol);
          if (!broker) throw new FlowError('permanent', `${spec.title} target "${setup.nodeId}" cannot publish here (no broker connections)`, { nodeId: setup.nodeId });
          const messages = items.map((item) => ({ body: encoder.encode(jsonTextOf(item.data) ?? 'null'), id: item.key, contentType: 'application/json' }));
          const outcomes = await broker.publish(destination, messages, ctx.signal);
          return outcomes.map((o, i) => (o.ok
            ? { ok: true, ...(o.ref !== undefined ? { ref: o.ref } : {}), answer: publishAnswer(items[i].key, destination, o) }
            : { ok: false, error: new FlowError(o.error.errorClass, o.error.message, { ...o.error.details, nodeId: setup.nodeId }) }));
        },
      };
    },
  }) as unknown as NodeDeclaration<BrokerTargetConfig<F>, 'target'>;
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
