/**
 * Keeps a consumer running for every deployed flow whose source is a broker
 * (`source.amqp`, `source.nats`), in every environment, inside `serve` and
 * `worker`. Each batch of messages becomes one run (trigger `broker`): the
 * records are stored with the run row and its job in one transaction
 * (RunLauncher.enqueue), and only then are the messages acknowledged. A crash
 * in between makes the broker deliver them again; their run finds them in the
 * idempotency ledger (source key = message id) and counts them duplicate.
 *
 * `refresh()` (every `refreshMs`) follows deployments: a redeploy whose source
 * and connection stay the same switches the version the next batch runs with,
 * on the same consumer (nothing is dropped or redelivered); a changed source
 * or connection stops the old consumer — its batch in hand is queued and
 * acknowledged, what it holds beyond that goes back to the broker — and starts
 * a new one. A consumer that cannot start, or whose connection fails, is
 * retried with back-off; the error (connection named, server quoted, no
 * secret) is logged.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { recordOfMessage, type BrokerSourceCommon, type ReceivedMessage } from '../../nodes/source/broker-messages.ts';
import { amqpSource, type AmqpSourceConfig } from '../../nodes/source/amqp.ts';
import { natsSource, type NatsSourceConfig } from '../../nodes/source/nats.ts';
import { resolveConnection } from '../connectors/environment-connections.ts';
import { startConsumer, type BrokerBinding, type ConsumeSpec, type RunningConsumer } from '../connectors/brokers.ts';
import type { RunLauncher } from '../queue/run-launcher.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { Database } from '../store/database.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';

export const BROKER_SOURCE_TYPES = new Set(['source.amqp', 'source.nats']);

export interface BrokerConsumersOptions {
  database: Pick<Database, 'store' | 'service'>;
  launcher: RunLauncher;
  secrets: SecretBox;
  /** Milliseconds between looks at the deployments; default 5000. */
  refreshMs?: number;
  /** First wait before a failed consumer is started again (doubling up to 60 s); default 1000. */
  restartBackoffMs?: number;
  logger?: Logger;
  /** Test hook: after a batch's run was queued, before its messages are acknowledged. */
  afterQueued?(runId: string, messages: number): void | Promise<void>;
}

export interface ConsumerState {
  flowId: string;
  environment: string;
  nodeId: string;
  version: number;
  status: 'starting' | 'running' | 'failed';
  error?: string;
  runs: number;
}

export interface BrokerConsumers {
  /** Starts, switches and stops consumers to match the deployments now. */
  refresh(): Promise<void>;
  states(): ConsumerState[];
  stop(): Promise<void>;
}

interface Entry {
  state: ConsumerState;
  /** Source config and connection settings: a change needs a new consumer. */
  signature: string;
  consumer?: RunningConsumer;
  stopped: boolean;
  retryTimer?: NodeJS.Timeout;
  failures: number;
}

/** What a consumer takes from a broker source's config, each field it leaves out at its declared default. */
function specOf(type: string, config: BrokerSourceCommon): ConsumeSpec {
  if (type === 'source.amqp') {
    const c = { ...amqpSource.defaults, ...config } as AmqpSourceConfig;
    return { kind: 'amqp', queue: c.queue, prefetch: c.prefetch, batchSize: c.batchSize, batchWaitMs: c.batchWaitMs };
  }
  const c = { ...natsSource.defaults, ...config } as NatsSourceConfig;
  return { kind: 'nats', stream: c.stream, consumer: c.consumer, subject: c.subject, ackWaitSeconds: c.ackWaitSeconds, batchSize: c.batchSize, batchWaitMs: c.batchWaitMs };
}

export function startBrokerConsumers(options: BrokerConsumersOptions, autoStart = true): BrokerConsumers {
  const { deployments, connections } = options.database.service;
  const logger = options.logger ?? silentLogger();
  const entries = new Map<string, Entry>();
  const backoff = options.restartBackoffMs ?? 1000;
  let closed = false;

  async function launch(entry: Entry, binding: BrokerBinding, connection: string, type: string, config: BrokerSourceCommon) {
    const { state } = entry;
    const spec = specOf(type, config);
    const format = config.format ?? 'json';
    const where = `${spec.kind === 'amqp' ? `queue '${spec.queue}'` : `stream '${spec.stream}'`} of connection '${connection}'`;
    const handle = async (messages: ReceivedMessage[]) => {
      const run = await options.launcher.enqueue({
        flowId: state.flowId, version: state.version, environment: state.environment, trigger: 'broker',
        triggerRef: `${messages.length} message(s) from ${where}`,
        input: { kind: 'records', records: messages.map((m) => recordOfMessage(format, m, where)) },
        // The messages are this source node's records, also in a flow whose first source is another one.
        requestedBy: 'broker', sourceNodeId: state.nodeId,
      });
      state.runs++;
      await options.afterQueued?.(run.id, messages.length);
    };
    state.status = 'starting';
    try {
      entry.consumer = await startConsumer(connection, binding, spec, handle);
      if (entry.stopped) {
        await entry.consumer.stop();
        return;
      }
      state.status = 'running';
      delete state.error;
      entry.failures = 0;
      logger.info({ flowId: state.flowId, environment: state.environment, nodeId: state.nodeId }, `consuming ${where} for flow '${state.flowId}' in ${state.environment}`);
      entry.consumer.ended.catch((err: Error) => fail(entry, err, () => launch(entry, binding, connection, type, config)));
    } catch (err) {
      fail(entry, err as Error, () => launch(entry, binding, connection, type, config));
    }
  }

  function fail(entry: Entry, err: Error, again: () => Promise<void>) {
    if (entry.stopped) return;
    entry.state.status = 'failed';
    entry.state.error = err.message;
    entry.consumer = undefined;
    const wait = Math.min(60_000, backoff * 2 ** entry.failures++);
    logger.error({ flowId: entry.state.flowId, environment: entry.state.environment, nodeId: entry.state.nodeId }, `broker consumer failed (retrying in ${wait} ms): ${err.message}`);
    entry.retryTimer = setTimeout(() => void again(), wait);
  }

  async function stopEntry(key: string) {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    entry.stopped = true;
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    await entry.consumer?.stop().catch(() => {});
  }

  async function refresh() {
    const wanted = new Set<string>();
    const bindingRows = new Map<string, Awaited<ReturnType<typeof connections.listConnections>>>();
    for (const d of await deployments.listDeployments()) {
      const version = await options.database.store.getVersion(d.flowId, d.version);
      const doc: FlowDocument | undefined = version?.document;
      for (const node of doc?.nodes ?? []) {
        if (!BROKER_SOURCE_TYPES.has(node.type)) continue;
        const config = node.config as unknown as BrokerSourceCommon;
        const key = `${d.flowId}\u0000${d.environment}\u0000${node.id}`;
        let rows = bindingRows.get(d.environment);
        if (!rows) bindingRows.set(d.environment, (rows = await connections.listConnections(d.environment)));
        const row = rows.find((r) => r.name === config.connection);
        const signature = JSON.stringify([node.type, node.config, row ? [row.kind, row.settings, row.updatedAt] : null]);
        wanted.add(key);
        const existing = entries.get(key);
        if (existing && existing.signature === signature) {
          // Same source and connection: the next batch runs with the version deployed now.
          existing.state.version = d.version;
          continue;
        }
        if (existing) await stopEntry(key);
        const entry: Entry = {
          state: { flowId: d.flowId, environment: d.environment, nodeId: node.id, version: d.version, status: 'starting', runs: 0 },
          signature, stopped: false, failures: 0,
        };
        entries.set(key, entry);
        if (!row) {
          entry.state.status = 'failed';
          entry.state.error = `connection '${config.connection}' is not configured for ${d.environment}`;
          logger.error({ flowId: d.flowId, environment: d.environment }, `broker consumer not started: ${entry.state.error}`);
          continue;
        }
        let binding: BrokerBinding;
        try {
          binding = resolveConnection(row, options.secrets) as BrokerBinding;
        } catch (err) {
          entry.state.status = 'failed';
          entry.state.error = (err as Error).message;
          continue;
        }
        await launch(entry, binding, config.connection, node.type, config);
      }
    }
    for (const key of [...entries.keys()]) if (!wanted.has(key)) await stopEntry(key);
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(refresh).catch((err) => logger.error({ err }, `broker consumers: ${(err as Error).message}`)).finally(() => {
      if (!closed) timer = setTimeout(tick, options.refreshMs ?? 5000);
    });
  };
  if (autoStart) tick();

  return {
    refresh: () => (running = running.then(refresh)),
    states: () => [...entries.values()].map((e) => ({ ...e.state })),
    async stop() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => {});
      await Promise.all([...entries.keys()].map(stopEntry));
    },
  };
}
