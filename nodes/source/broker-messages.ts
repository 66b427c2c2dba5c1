/**
 * What the broker sources (`source.amqp`, `source.nats`) share: their common
 * config, how a received message becomes a record, and their declaration.
 *
 * A broker source is not read by a run: the runtime keeps a consumer running
 * per deployed environment (runtime/triggers/broker-consumers.ts), which takes
 * messages in batches, turns each into a record here, queues a run holding
 * the batch (run row and records committed in one transaction) and only then
 * acknowledges the messages. A crash before the acknowledgement makes the
 * broker deliver them again; the run made from the redelivery finds them in
 * the idempotency ledger and counts them as duplicates.
 *
 * A message whose body cannot be read (not UTF-8, not JSON, over the record
 * limits) is a poison message: it becomes a record dead-lettered at the source
 * (error class `permanent`, code `MESSAGE_UNREADABLE`) holding what was
 * received, and the rest of the batch goes on. It is acknowledged like the
 * others, so the broker does not deliver it forever.
 *
 * Browser-safe: no broker client here. In the designer a sample is one
 * message body, read as the consumer would.
 */
import type { Static, TObject, TProperties } from '@sinclair/typebox';
import { schemaDefaults, StringEnum, Type } from '../config-schema.ts';
import { collectBytes } from '../formats/bytes.ts';
import { defineNode, type ConfigProblem, type NodeDeclaration, type PortDeclaration } from '../define-node.ts';
import { FlowError, type SerializedError } from '../errors.ts';
import { recordProblem } from '../formats/record-limits.ts';

/** A message as a consumer received it. */
export interface ReceivedMessage {
  body: Uint8Array;
  /**
   * Its identity, the same on every delivery: the AMQP `message-id`, the NATS `Nats-Msg-Id`
   * header or stream and sequence. Absent: the record's digest is its source key.
   */
  id?: string;
  /** The queue (AMQP) or subject (NATS) it came from, for messages and the record. */
  from: string;
}

/** A record for the run, in the shape the run's stored records take (`GivenRecord`). */
export interface MessageRecord {
  data: unknown;
  sourceKey?: string;
  error?: SerializedError;
}

/** Longest piece of an unreadable body kept in its dead letter. */
const KEPT_CHARS = 64 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

// NUL characters cannot be stored, nor written as \u0000 in the stored JSON: what is kept carries neither.
const storable = (t: string) => t.replaceAll('\u0000', '\uFFFD').replaceAll('\\u0000', '\\uFFFD');

/** What a dead letter keeps of an unreadable body: its first 64 KiB, NUL characters (which cannot be stored) replaced. */
export function keptText(text: string): string {
  return storable(text.slice(0, KEPT_CHARS));
}

/**
 * The record of one message: its body parsed by `format`, keyed by the message's identity; a
 * body that cannot be read is a record carrying the error (dead-lettered at the source).
 */
export function recordOfMessage(format: BrokerSourceCommon['format'], message: ReceivedMessage, where: string): MessageRecord {
  const key = message.id ? { sourceKey: message.id } : {};
  const name = message.id ? `message ${message.id}` : 'a message';
  const unreadable = (reason: string, received: string): MessageRecord => ({
    ...key,
    data: { message: keptText(received), from: message.from, ...(message.id ? { messageId: message.id } : {}) },
    error: new FlowError('permanent', storable(`${name} from ${where} cannot be read: ${reason}`), { code: 'MESSAGE_UNREADABLE' }).toJSON(),
  });
  let text: string;
  try {
    text = decoder.decode(message.body);
  } catch {
    return unreadable('the body is not UTF-8 text', new TextDecoder().decode(message.body));
  }
  let data: unknown;
  if (format === 'text') data = { text };
  else {
    try {
      data = JSON.parse(text);
    } catch (err) {
      return unreadable(`the body is not valid JSON (${(err as Error).message})`, text);
    }
  }
  const problem = recordProblem(data);
  if (problem) return unreadable(problem, text);
  return { ...key, data };
}

/** The config every broker source has, around its protocol's own fields. */
const commonFields = {
  connection: Type.String({ title: 'Connection', description: 'An amqp or nats connection the flow declares', minLength: 1, default: '' }),
  format: Type.Optional(StringEnum(['json', 'text'] as const, { title: 'Message format', description: 'json: each message body is one JSON record; text: the record is { "text": body }.', default: 'json' })),
  batchSize: Type.Optional(Type.Integer({ title: 'Messages per run', description: 'Most messages taken into one run.', minimum: 1, maximum: 10_000, default: 500 })),
  batchWaitMs: Type.Optional(Type.Integer({ title: 'Batch wait (ms)', description: 'How long a run waits for more messages before it is queued.', minimum: 0, maximum: 60_000, default: 1000 })),
};

/** What every broker source's config holds, each field with a default filled in (the consumers read these). */
export type BrokerSourceCommon = Required<Static<TObject<typeof commonFields>>>;
/** A broker source's config (the common fields and the protocol's `fields`), each field with a default filled in. */
export type BrokerSourceConfig<F extends TProperties> = BrokerSourceCommon & Required<Static<TObject<F>>>;

/** What differs between the broker sources; the rest is declared once, by `defineBrokerSource`. */
export interface BrokerSourceSpec<F extends TProperties> {
  type: string;
  title: string;
  description: string;
  /** The protocol's own config fields (queue; stream and consumer …). */
  fields: F;
  /** Problems with the protocol's own fields (across fields, or what the schema cannot say). */
  problems(config: BrokerSourceConfig<F>): ConfigProblem[];
  /** Where messages come from, in messages and on the canvas (`queue 'po-events'`). */
  origin(config: BrokerSourceConfig<F>): string;
}

const OUT: PortDeclaration[] = [{ id: 'out', title: 'Records' }];

/** Declares a broker source (see the module comment): its config is one schema, the common fields around the protocol's own. */
export function defineBrokerSource<F extends TProperties>(spec: BrokerSourceSpec<F>): NodeDeclaration<BrokerSourceConfig<F>, 'source'> {
  const { connection, ...common } = commonFields;
  // The schema's generic type is erased here (TypeBox cannot spread a generic `F`); the spec's functions get the config typed.
  const properties: TProperties = { connection, ...spec.fields, ...common };
  const config = Type.Object(properties, { additionalProperties: false });
  const defaults = schemaDefaults(config);
  const complete = (raw: Record<string, unknown>) => ({ ...defaults, ...raw }) as BrokerSourceConfig<F>;
  return defineNode({
    type: spec.type,
    version: 1,
    title: spec.title,
    description: spec.description,
    category: 'source',
    inputs: [],
    outputs: OUT,
    config,
    summary: (raw) => `${spec.origin(complete(raw))} · ${complete(raw).connection || '(no connection)'}`,
    check: (raw) => [
      ...(complete(raw).connection ? [] : [{ path: '/connection', message: 'choose the broker connection to consume from' }]),
      ...spec.problems(complete(raw)),
    ],
    create(raw, setup) {
      const c = complete(raw);
      return {
        async *read(ctx) {
          if (!ctx.input) {
            throw new FlowError('permanent', `${spec.title} source "${setup.nodeId}" is fed by its consumer: deploy the flow to an environment and keep \`ledgerflow serve\` (or \`worker\`) running; a saved message body can be tried as the input`, { nodeId: setup.nodeId });
          }
          // A saved message body (designer sample, CLI --input): read as the consumer reads a message.
          const record = recordOfMessage(c.format, { body: await collectBytes(ctx.input.chunks()), from: ctx.input.name }, `sample ${ctx.input.name}`);
          if (record.error) throw new FlowError('validation', record.error.message, { nodeId: setup.nodeId, code: record.error.code });
          yield record.data;
        },
      };
    },
  }) as unknown as NodeDeclaration<BrokerSourceConfig<F>, 'source'>;
}
