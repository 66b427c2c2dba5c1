/**
 * Message brokers: AMQP 0-9-1 (RabbitMQ, through amqplib) and NATS JetStream
 * (through nats). Publishing for the broker targets (confirm channel;
 * JetStream publish acks, `Nats-Msg-Id` for the stream's deduplication), and
 * consuming for the broker sources' consumers (runtime/triggers/broker-consumers.ts):
 * messages are handed over in batches and acknowledged only when the batch's
 * handler resolved; when it throws they are handed back to the broker
 * (nack with requeue, NAK), which delivers them again.
 *
 * Errors name the connection and quote the server; the connection's password
 * and token never appear in them.
 */
import amqp from 'amqplib';
import { AckPolicy, connect as natsConnect, headers as natsHeaders, nanos, type JsMsg, type NatsConnection } from 'nats';
import type { BrokerConnection, BrokerDestination, BrokerPublication, PublishOutcome } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';
import { redact } from '../../nodes/secret-redaction.ts';
import type { ReceivedMessage } from '../../nodes/source/broker-messages.ts';

export interface AmqpBinding {
  kind: 'amqp';
  /** amqp:// or amqps:// URL; the password in it comes from a secret. */
  url: string;
  secretValues?: string[];
}

export interface NatsBinding {
  kind: 'nats';
  /** Comma-separated server URLs or host:port. */
  servers: string;
  user?: string;
  password?: string;
  token?: string;
  secretValues?: string[];
}

export type BrokerBinding = AmqpBinding | NatsBinding;

/** What is wrong with a broker binding's shape, or null. */
export function brokerBindingProblem(name: string, b: Record<string, unknown>): string | null {
  if (b.kind === 'amqp') {
    return typeof b.url === 'string' && /^amqps?:\/\/[^/]/.test(b.url) ? null : `connection '${name}' needs a url starting with amqp:// or amqps://`;
  }
  if (typeof b.servers !== 'string' || b.servers.trim() === '') return `connection '${name}' needs servers (e.g. nats://127.0.0.1:4222)`;
  for (const field of ['user', 'password', 'token']) {
    if (b[field] !== undefined && typeof b[field] !== 'string') return `connection '${name}': ${field} must be text`;
  }
  return null;
}

/** The values hidden from every message about this connection. */
function hiddenValues(binding: BrokerBinding): string[] {
  const values = [...(binding.secretValues ?? [])];
  if (binding.kind === 'amqp') {
    try {
      const password = decodeURIComponent(new URL(binding.url).password);
      if (password) values.push(password);
    } catch {
      // Not a URL: the shape check says so.
    }
  } else {
    for (const v of [binding.password, binding.token]) if (v) values.push(v);
  }
  return values.filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}

/** `connection 'rabbit' (amqp://guest:***@host:5672/)`: where, with no credential. */
export function describeBroker(name: string, binding: BrokerBinding): string {
  if (binding.kind === 'nats') return `connection '${name}' (${binding.servers})`;
  try {
    const url = new URL(binding.url);
    if (url.password) url.password = '***';
    return `connection '${name}' (${url.href})`;
  } catch {
    return `connection '${name}'`;
  }
}

const PERMANENT_SERVER_ERRORS = /ACCESS[-_]REFUSED|NOT[-_]FOUND|NOT[-_]ALLOWED|PRECONDITION|Authorization Violation|authentication|permissions violation|stream not found|consumer not found|no responders|invalid/i;

/** A FlowError naming the connection and quoting the server; credentials replaced by `***`. */
export function brokerError(name: string, binding: BrokerBinding, err: unknown, what = ''): FlowError {
  const raw = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  const serverMessage = redact(raw, hiddenValues(binding));
  const errorClass = PERMANENT_SERVER_ERRORS.test(raw) || code === '503' ? 'permanent' : 'transient';
  return new FlowError(errorClass, `${describeBroker(name, binding)}${what ? ` ${what}` : ''}: ${serverMessage}`, { code: 'BROKER' });
}

// ---------------------------------------------------------------------------
// Publishing

/** A broker connection for targets, opened on first use. */
export interface BrokerClient extends BrokerConnection {
  close(): Promise<void>;
}

export function createBrokerClient(name: string, binding: BrokerBinding): BrokerClient {
  return binding.kind === 'amqp' ? amqpPublisher(name, binding) : natsPublisher(name, binding);
}

async function openAmqp(name: string, binding: AmqpBinding): Promise<amqp.ChannelModel> {
  try {
    const model = await amqp.connect(binding.url, { clientProperties: { connection_name: `ledgerflow:${name}` } });
    // A lost connection fails what is in hand instead of the process.
    model.on('error', () => {});
    return model;
  } catch (err) {
    throw brokerError(name, binding, err, 'could not be opened');
  }
}

function amqpPublisher(name: string, binding: AmqpBinding): BrokerClient {
  let opened: Promise<{ model: amqp.ChannelModel; channel: amqp.ConfirmChannel; closed: Promise<never> }> | undefined;

  const open = () => {
    opened ??= (async () => {
      const model = await openAmqp(name, binding);
      const channel = await model.createConfirmChannel();
      const closed = new Promise<never>((_, reject) => {
        const fail = (err?: Error) => {
          opened = undefined;
          reject(brokerError(name, binding, err ?? new Error('the channel was closed'), 'lost its channel'));
        };
        channel.on('error', fail);
        channel.on('close', () => fail());
        model.on('close', () => fail());
      });
      closed.catch(() => {});
      return { model, channel, closed };
    })();
    opened.catch(() => { opened = undefined; });
    return opened;
  };

  return {
    protocol: 'amqp',
    async publish(destination: BrokerDestination, messages: BrokerPublication[]): Promise<PublishOutcome[]> {
      if (!('exchange' in destination)) throw new FlowError('permanent', `${describeBroker(name, binding)} is an AMQP connection: publish to an exchange`);
      const { channel, closed } = await open();
      const where = `exchange '${destination.exchange || '(default)'}' with routing key '${destination.routingKey}'`;
      const returned = new Map<string, string>();
      const onReturn = (msg: amqp.Message) => {
        const fields = msg.fields as unknown as { replyCode?: number; replyText?: string };
        returned.set(String(msg.properties.messageId), `${fields.replyCode ?? ''} ${fields.replyText ?? 'returned'}`.trim());
      };
      channel.on('return', onReturn);
      try {
        const confirms = messages.map((m) => new Promise<PublishOutcome>((resolve) => {
          channel.publish(destination.exchange, destination.routingKey, Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength), {
            messageId: m.id, contentType: m.contentType, persistent: true, mandatory: true, ...(m.headers ? { headers: m.headers } : {}),
          }, (err) => {
            if (err) resolve({ ok: false, error: brokerError(name, binding, err, `did not confirm message ${m.id} to ${where}`) });
            else if (returned.has(m.id)) {
              resolve({ ok: false, error: new FlowError('permanent', `${describeBroker(name, binding)} returned message ${m.id}: no queue is bound to ${where} (${returned.get(m.id)})`, { code: 'UNROUTABLE' }) });
            } else resolve({ ok: true, ref: `${destination.exchange || '(default)'}/${destination.routingKey}` });
          });
        }));
        return await Promise.race([Promise.all(confirms), closed]);
      } finally {
        channel.off('return', onReturn);
      }
    },
    async close() {
      const o = opened;
      opened = undefined;
      if (o) await o.then(({ model }) => model.close()).catch(() => {});
    },
  };
}

/** Opens the broker connection and closes it again: proves address and credentials (a "test connection"). */
export async function probeBroker(name: string, binding: BrokerBinding): Promise<void> {
  if (binding.kind === 'amqp') await (await openAmqp(name, binding)).close();
  else await (await openNats(name, binding)).close();
}

async function openNats(name: string, binding: NatsBinding): Promise<NatsConnection> {
  try {
    return await natsConnect({
      servers: binding.servers.split(',').map((s) => s.trim()).filter(Boolean),
      name: `ledgerflow:${name}`,
      ...(binding.user ? { user: binding.user } : {}),
      ...(binding.password ? { pass: binding.password } : {}),
      ...(binding.token ? { token: binding.token } : {}),
      timeout: 10_000,
      maxReconnectAttempts: -1,
    });
  } catch (err) {
    throw brokerError(name, binding, err, 'could not be opened');
  }
}

function natsPublisher(name: string, binding: NatsBinding): BrokerClient {
  let opened: Promise<NatsConnection> | undefined;
  const open = () => {
    opened ??= openNats(name, binding);
    opened.catch(() => { opened = undefined; });
    return opened;
  };
  return {
    protocol: 'nats',
    async publish(destination: BrokerDestination, messages: BrokerPublication[]): Promise<PublishOutcome[]> {
      if (!('subject' in destination)) throw new FlowError('permanent', `${describeBroker(name, binding)} is a NATS connection: publish to a subject`);
      const nc = await open();
      if (nc.isClosed()) {
        opened = undefined;
        throw brokerError(name, binding, new Error('the connection is closed'));
      }
      const js = nc.jetstream();
      return Promise.all(messages.map(async (m): Promise<PublishOutcome> => {
        const h = natsHeaders();
        h.set('Content-Type', m.contentType);
        for (const [k, v] of Object.entries(m.headers ?? {})) h.set(k, v);
        try {
          const ack = await js.publish(destination.subject, m.body, { msgID: m.id, headers: h, timeout: 10_000 });
          return { ok: true, ref: `${ack.stream}:${ack.seq}`, stream: ack.stream, sequence: ack.seq };
        } catch (err) {
          const noStream = (err as { code?: string }).code === '503';
          const error = noStream
            ? new FlowError('permanent', `${describeBroker(name, binding)}: no JetStream stream captures subject '${destination.subject}' (message ${m.id} not stored)`, { code: 'NO_STREAM' })
            : brokerError(name, binding, err, `did not acknowledge message ${m.id} on subject '${destination.subject}'`);
          return { ok: false, error };
        }
      }));
    },
    async close() {
      const o = opened;
      opened = undefined;
      if (o) await o.then((nc) => nc.drain()).catch(() => {});
    },
  };
}

// ---------------------------------------------------------------------------
// Consuming

/** Where and how a consumer takes messages. */
export type ConsumeSpec =
  | { kind: 'amqp'; queue: string; prefetch: number; batchSize: number; batchWaitMs: number }
  | { kind: 'nats'; stream: string; consumer: string; subject: string; ackWaitSeconds: number; batchSize: number; batchWaitMs: number };

/**
 * Called with each batch, one at a time. Resolving acknowledges every message of the batch;
 * throwing hands them back to the broker (delivered again).
 */
export type BatchHandler = (messages: ReceivedMessage[]) => Promise<void>;

export interface RunningConsumer {
  /** Stops taking messages; a batch in hand is finished (acknowledged or handed back) first. */
  stop(): Promise<void>;
  /** Settles when the consumer stopped by itself (the connection failed); rejects with why. */
  ended: Promise<void>;
}

/** Starts consuming; throws a FlowError naming the connection when it cannot connect or find its queue/stream. */
export async function startConsumer(name: string, binding: BrokerBinding, spec: ConsumeSpec, handle: BatchHandler): Promise<RunningConsumer> {
  if (binding.kind === 'amqp' && spec.kind === 'amqp') return consumeAmqp(name, binding, spec, handle);
  if (binding.kind === 'nats' && spec.kind === 'nats') return consumeNats(name, binding, spec, handle);
  throw new FlowError('permanent', `${describeBroker(name, binding)} is a ${binding.kind} connection, but the source needs a ${spec.kind} connection`);
}

async function consumeAmqp(name: string, binding: AmqpBinding, spec: Extract<ConsumeSpec, { kind: 'amqp' }>, handle: BatchHandler): Promise<RunningConsumer> {
  const model = await openAmqp(name, binding);
  let channel: amqp.Channel;
  try {
    channel = await model.createChannel();
    channel.on('error', () => {});
    await channel.checkQueue(spec.queue);
  } catch (err) {
    await model.close().catch(() => {});
    throw brokerError(name, binding, err, `cannot consume queue '${spec.queue}'`);
  }
  await channel.prefetch(Math.max(spec.prefetch, spec.batchSize));
  let batch: amqp.ConsumeMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  let working: Promise<void> = Promise.resolve();
  let stopping = false;
  let endWith: (err?: Error) => void = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    endWith = (err) => (err ? reject(err) : resolve());
  });
  ended.catch(() => {});

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!batch.length) return;
    const taken = batch;
    batch = [];
    working = working.then(async () => {
      const last = taken[taken.length - 1];
      try {
        await handle(taken.map((m) => ({
          body: m.content, from: `queue '${spec.queue}'`,
          ...(m.properties.messageId !== undefined && m.properties.messageId !== null ? { id: String(m.properties.messageId) } : {}),
        })));
        // Batches are handled in delivery order on one channel: `allUpTo` acknowledges exactly this batch.
        channel.ack(last, true);
      } catch {
        channel.nack(last, true, true);
      }
    }).catch(() => {});
  };

  const { consumerTag } = await channel.consume(spec.queue, (msg) => {
    if (!msg) {
      endWith(new FlowError('transient', `${describeBroker(name, binding)}: the broker cancelled the consumer of queue '${spec.queue}'`));
      return;
    }
    batch.push(msg);
    if (batch.length >= spec.batchSize) flush();
    else timer ??= setTimeout(flush, spec.batchWaitMs);
  }, { noAck: false });
  model.on('close', () => {
    if (!stopping) endWith(brokerError(name, binding, new Error('the connection was closed'), 'stopped consuming'));
  });

  return {
    ended,
    async stop() {
      stopping = true;
      await channel.cancel(consumerTag).catch(() => {});
      // What arrived but was not handed over goes back now; the batch in hand finishes first.
      if (timer) clearTimeout(timer);
      const left = batch;
      batch = [];
      await working;
      if (left.length) channel.nack(left[left.length - 1], true, true);
      await model.close().catch(() => {});
      endWith();
    },
  };
}

async function consumeNats(name: string, binding: NatsBinding, spec: Extract<ConsumeSpec, { kind: 'nats' }>, handle: BatchHandler): Promise<RunningConsumer> {
  const nc = await openNats(name, binding);
  let consumer;
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.info(spec.stream);
    const wanted = { durable_name: spec.consumer, ack_policy: AckPolicy.Explicit, ack_wait: nanos(spec.ackWaitSeconds * 1000), max_ack_pending: Math.max(1000, spec.batchSize * 2), ...(spec.subject ? { filter_subject: spec.subject } : {}) };
    try {
      await jsm.consumers.info(spec.stream, spec.consumer);
      await jsm.consumers.update(spec.stream, spec.consumer, { ack_wait: wanted.ack_wait, max_ack_pending: wanted.max_ack_pending, ...(spec.subject ? { filter_subject: spec.subject } : {}) });
    } catch (err) {
      if ((err as { code?: string }).code !== '404' && !/consumer not found/i.test((err as Error).message)) throw err;
      await jsm.consumers.add(spec.stream, wanted);
    }
    consumer = await nc.jetstream().consumers.get(spec.stream, spec.consumer);
  } catch (err) {
    await nc.close().catch(() => {});
    throw brokerError(name, binding, err, `cannot consume stream '${spec.stream}' (consumer '${spec.consumer}')`);
  }

  let stopping = false;
  const loop = (async () => {
    while (!stopping && !nc.isClosed()) {
      const taken: JsMsg[] = [];
      const messages = await consumer.fetch({ max_messages: spec.batchSize, expires: Math.max(1000, spec.batchWaitMs) });
      for await (const m of messages) taken.push(m);
      if (!taken.length) continue;
      try {
        await handle(taken.map((m) => ({
          body: m.data, from: `subject '${m.subject}'`,
          id: m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`,
        })));
        // Acknowledged and confirmed by the server before the next batch is taken.
        await Promise.all(taken.map((m) => m.ackAck()));
      } catch {
        for (const m of taken) m.nak(1000);
      }
    }
  })();
  const ended = loop.then(() => {
    if (!stopping) throw brokerError(name, binding, new Error('the connection was closed'), 'stopped consuming');
  }, (err) => {
    throw brokerError(name, binding, err, 'stopped consuming');
  });
  ended.catch(() => {});
  return {
    ended,
    async stop() {
      stopping = true;
      await loop.catch(() => {});
      await nc.drain().catch(() => {});
    },
  };
}
