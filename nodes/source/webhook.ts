/**
 * Webhook source: each delivery's body is the input document. A JSON object is
 * one event, a JSON list is a batch of events, and a body named *.jsonl or
 * *.ndjson holds one event per line. The id and time fields are read by the
 * runtime to drop duplicate deliveries and order late events.
 */
import { Type, type Static } from '../config-schema.ts';
import { defineNode, type SourceContext } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';

const config = Type.Object({
  /** Dotted path of the event id in each event, e.g. `id` or `event.id`; used to drop duplicates. */
  eventIdField: Type.Optional(Type.String({
    title: 'Event id field',
    description: 'Where each event carries its unique id, as a dotted path (e.g. "id" or "event.id"). Senders retry deliveries; an event whose id was already received is not processed twice.',
    default: '',
  })),
  /** Dotted path of the time the event happened, e.g. `created_at`. */
  eventTimeField: Type.Optional(Type.String({
    title: 'Event time field',
    description: 'Where each event says when it happened, as a dotted path (e.g. "created_at"). Used to recognise events that arrive late or out of order.',
    default: '',
  })),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', additionalProperties: false });

export type WebhookSourceConfig = Static<typeof config>;

/** The value at a dotted path (`a.b.0.c`) of a record, or undefined. */
export function valueAtPath(record: unknown, dottedPath: string): unknown {
  let current: unknown = record;
  for (const key of dottedPath.split('.')) {
    if (key === '') continue;
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The event id of a webhook record, as text, when the config names an id field and the event has one. */
export function webhookEventId(config: WebhookSourceConfig, record: unknown): string | undefined {
  if (!config.eventIdField) return undefined;
  const id = valueAtPath(record, config.eventIdField);
  return typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? String(id) : undefined;
}

/** The event time of a webhook record, as written by the sender, when the config names a time field. */
export function webhookEventTime(config: WebhookSourceConfig, record: unknown): string | number | undefined {
  if (!config.eventTimeField) return undefined;
  const time = valueAtPath(record, config.eventTimeField);
  return typeof time === 'string' || typeof time === 'number' ? time : undefined;
}

/** Receives events pushed by another system (HTTP POST) as records. */
export const webhookSource = defineNode({
  type: 'source.webhook',
  version: 1,
  title: 'Webhook',
  description: 'Receives events that another system posts to this flow: a JSON object is one record, a JSON list a batch of records.',
  category: 'source',
  inputs: [],
  outputs: [{ id: 'out', title: 'Records' }],
  config,
  summary(config) {
    return config.eventIdField ? `Webhook · id at ${config.eventIdField}` : 'Webhook';
  },
  create(_config, setup) {
    return {
      async *read(ctx: SourceContext): AsyncIterable<unknown> {
        const input = ctx.input;
        if (!input) {
          throw new FlowError('validation', `Webhook source "${setup.nodeId}" received no request body.`, { nodeId: setup.nodeId });
        }
        const lines = /\.(jsonl|ndjson)$/i.test(input.name);
        try {
          // Loaded when a body is read: the designer opens flows without the parsers.
          const records = lines
            ? (await import('../formats/jsonl.ts')).parseJsonl(input.chunks(), input.name, { checkOnly: ctx.check })
            : (await import('../formats/json.ts')).parseJson(input.chunks(), input.name);
          // Handed on as they come: a loop of its own here would cost a generator step per record. The
          // caller checks its signal between records (readRoots, precheck, a sample's parse).
          yield* records;
        } catch (err) {
          throw toFlowError(err, 'validation', { nodeId: setup.nodeId });
        }
      },
    };
  },
});
