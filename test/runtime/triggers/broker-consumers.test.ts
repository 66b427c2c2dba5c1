/**
 * Broker sources as `serve` runs them, against the real RabbitMQ and NATS
 * JetStream of the machine: a consumer per deployed flow turns each batch of
 * messages into a queued run and acknowledges it only after the run and its
 * records were committed. A crash between the two (the run queued, no
 * acknowledgement sent) makes the broker deliver the batch again: the second
 * run counts those records as duplicates, and the target holds every message
 * exactly once. An unreadable message is dead-lettered at the source while the
 * rest are delivered; a redeploy switches the version the next batch runs
 * with, on the same consumer.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import amqp from 'amqplib';
import { connect, type NatsConnection } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvironmentConnections, secretContext } from '../../../runtime/connectors/environment-connections.ts';
import type { RunLauncher } from '../../../runtime/queue/run-launcher.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { createSecretBox, type SecretBox } from '../../../runtime/secrets/secret-box.ts';
import { deploymentsRepo } from '../../../runtime/store/service-deployments.ts';
import type { RunRow, Store } from '../../../runtime/store/store.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { startBrokerConsumers, type BrokerConsumers } from '../../../runtime/triggers/broker-consumers.ts';
import { TEST_TUNING, backendNames, openBackend, waitForRun, type OpenedBackend } from '../queue/queue-fixtures.ts';
import { brokerFlow, brokerNames, setUpBrokerFlow, NATS_SERVERS, type BrokerNames, type Protocol } from './broker-fixtures.ts';

const RABBIT = 'amqp://guest:guest@127.0.0.1:5672';
let counter = 0;
const newTag = () => `${process.pid}_${Date.now().toString(36)}_${++counter}`;

/** The broker side of a test: its own queue or stream, published to and cleaned up. */
interface Bus {
  publish(messages: { id: string; body: string }[]): Promise<void>;
  /** Messages still held by the broker (not acknowledged). */
  left(): Promise<number>;
  close(): Promise<void>;
}

async function openBus(protocol: Protocol, names: BrokerNames): Promise<Bus> {
  if (protocol === 'amqp') {
    const model = await amqp.connect(RABBIT);
    const channel = await model.createConfirmChannel();
    await channel.assertQueue(names.queue, { durable: true });
    return {
      async publish(messages) {
        for (const m of messages) channel.sendToQueue(names.queue, Buffer.from(m.body), { messageId: m.id, persistent: true });
        await channel.waitForConfirms();
      },
      left: async () => (await channel.checkQueue(names.queue)).messageCount,
      async close() {
        await channel.deleteQueue(names.queue).catch(() => {});
        await model.close();
      },
    };
  }
  const nc: NatsConnection = await connect({ servers: NATS_SERVERS });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: names.stream, subjects: [names.subject] });
  const js = nc.jetstream();
  return {
    async publish(messages) {
      for (const m of messages) await js.publish(names.subject, new TextEncoder().encode(m.body), { msgID: m.id });
    },
    left: async () => {
      const info = await jsm.consumers.info(names.stream, names.consumer);
      return info.num_pending + info.num_ack_pending;
    },
    async close() {
      await jsm.streams.delete(names.stream).catch(() => {});
      await nc.close();
    },
  };
}

const orders = (from: number, n: number) => Array.from({ length: n }, (_, k) => {
  const i = from + k;
  return { id: `m-${i}`, body: JSON.stringify({ id: `PO-${i}`, amount: `${i}.50` }) };
});

async function brokerRuns(store: Store, flowId: string): Promise<RunRow[]> {
  const { rows } = await store.sql.query<{ id: string }>(`select id from runs where flow_id = $1 and trigger = 'broker' order by created_at`, [flowId]);
  return Promise.all(rows.map((r) => waitForRun(store, r.id, 60_000)));
}

/** Waits (generously) until `check` holds. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 150_000, describe?: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${describe ? `: ${JSON.stringify(await describe())}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rowsIn = async (database: Database, table: string) =>
  (await targetDatabase(database, 'db').query<{ id: string; version: string }>(`select id, version from ${table} order by id`)).rows;

for (const protocol of ['amqp', 'nats'] as const) {
  for (const backend of backendNames()) {
    describe(`source.${protocol} consumers on ${backend}`, () => {
      let b: OpenedBackend;
      let box: SecretBox;
      let key: Buffer;
      let names: BrokerNames;
      let bus: Bus;
      let queue: StartedQueue | undefined;
      let consumers: BrokerConsumers | undefined;

      beforeEach(async () => {
        b = await openBackend(backend);
        key = randomBytes(32);
        box = createSecretBox(key);
        names = brokerNames(protocol, newTag());
        bus = await openBus(protocol, names);
        await setUpBrokerFlow(b.database, box, protocol, brokerFlow(protocol, names), names.table);
      }, 180_000);

      afterEach(async () => {
        await consumers?.stop();
        consumers = undefined;
        await queue?.stop();
        queue = undefined;
        await bus.close();
        await b.cleanup();
      }, 180_000);

      const start = async (afterQueued?: (runId: string, messages: number) => void | Promise<void>) => {
        const environments = createEnvironmentConnections({ database: b.database, secrets: box });
        queue ??= await startQueue({ database: b.database, tuning: { ...TEST_TUNING, chunkSize: 50 }, connectionsFor: (env, doc) => environments.connectionsFor(env, doc) });
        consumers = startBrokerConsumers({ database: b.database, launcher: queue.launcher, secrets: box, refreshMs: 60_000, restartBackoffMs: 200, afterQueued }, false);
        await consumers.refresh();
        expect(consumers.states().map((s) => [s.status, s.error])).toEqual([['running', undefined]]);
      };

      it('a batch queued but not acknowledged (failure after storing) is delivered again and counted duplicate; a poison message is dead-lettered; nothing lost or written twice', async () => {
        const flowId = `broker-${protocol}`;
        await bus.publish([...orders(1, 25), { id: 'poison-1', body: '{"id": "PO-x", "amount": ' }]);
        let firstBatch = 0;
        await start((_, messages) => {
          if (firstBatch) return;
          firstBatch = messages;
          throw new Error('stopped after the run was queued, before the acknowledgement');
        });
        // Rows and an empty queue are not enough: the redelivered batch may be in the consumer's hands (unacknowledged
        // messages are not counted as left) with its run not yet queued or finished. Wait until the runs have read it.
        const readByRuns = async () => (await brokerRuns(b.store, flowId)).reduce((n, r) => n + r.counts.read, 0);
        await until('every message delivered and acknowledged', async () => (await rowsIn(b.database, names.table)).length >= 25 && (await bus.left()) === 0 && (await readByRuns()) >= 26 + firstBatch, 150_000,
          async () => ({ rows: (await rowsIn(b.database, names.table)).length, left: await bus.left(), consumers: consumers?.states(), runs: (await b.store.sql.query('select id, status, counts, error from runs')).rows, dead: (await b.store.sql.query('select error from dead_letters limit 2')).rows }));
        await consumers!.stop();
        const runs = await brokerRuns(b.store, flowId);
        const rows = await rowsIn(b.database, names.table);
        expect(rows.map((r) => r.id)).toEqual(orders(1, 25).map((o) => JSON.parse(o.body).id).sort());
        const total = (k: 'read' | 'delivered' | 'duplicate' | 'deadLettered') => runs.reduce((n, r) => n + r.counts[k], 0);
        expect(firstBatch).toBeGreaterThan(0);
        expect(total('delivered')).toBe(25);
        expect(total('duplicate')).toBe(firstBatch);
        expect(total('deadLettered')).toBe(1);
        expect(total('read')).toBe(26 + firstBatch);
        const { rows: dead } = await b.store.sql.query<{ node_id: string; error: { code?: string; message: string }; source_key: string }>(
          'select node_id, error, source_key from dead_letters where flow_id = $1', [flowId]);
        expect(dead).toHaveLength(1);
        expect(dead[0]).toMatchObject({ node_id: 'events', source_key: 'poison-1', error: { code: 'MESSAGE_UNREADABLE' } });
        expect(dead[0].error.message).toMatch(/^message poison-1 from .* of connection 'bus' cannot be read: the body is not valid JSON/);
      }, 200_000);

      it('a redeploy switches the version the next batch runs with, on the same consumer, losing nothing', async () => {
        const flowId = `broker-${protocol}`;
        await start();
        await bus.publish(orders(1, 5));
        await until('the first messages', async () => (await rowsIn(b.database, names.table)).length === 5);
        const v2 = brokerFlow(protocol, names);
        (v2.nodes[1].config.columns as Record<string, string>).version = "='v2'";
        await b.store.saveDraft(v2, 'tester');
        await b.store.saveVersion(flowId, v2, 'tester', 'second');
        await deploymentsRepo(b.store.sql).deploy({ flowId, environment: 'dev', version: 2, by: 'tester', kind: 'deploy' });
        await consumers!.refresh();
        await bus.publish(orders(6, 5));
        await until('the messages after the redeploy', async () => (await rowsIn(b.database, names.table)).length === 10 && (await bus.left()) === 0);
        const rows = await rowsIn(b.database, names.table);
        expect(rows.filter((r) => r.version === 'v2').map((r) => r.id).sort()).toEqual(['PO-10', 'PO-6', 'PO-7', 'PO-8', 'PO-9']);
        expect(consumers!.states()).toMatchObject([{ status: 'running', version: 2 }]);
        const runs = await brokerRuns(b.store, flowId);
        expect(runs.reduce((n, r) => n + r.counts.delivered, 0)).toBe(10);
      }, 200_000);

      if (backend === 'postgres') {
        it('the consuming process killed (SIGKILL) after queuing a run, before acknowledging: redelivered, counted duplicate, every message once', async () => {
          const flowId = `broker-${protocol}`;
          await bus.publish(orders(1, 20));
          const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'broker-crash-child.ts'), JSON.stringify({ url: process.env.TEST_DATABASE_URL, schema: b.schema, key: key.toString('base64') })], { stdio: ['ignore', 'pipe', 'inherit'] });
          let said = '';
          child.stdout.on('data', (d: Buffer) => { said += d.toString(); });
          const signal = await new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, sig) => done(sig)));
          expect(signal).toBe('SIGKILL');
          const killed = JSON.parse(said.trim()) as { runId: string; messages: number };
          expect(killed.messages).toBeGreaterThan(0);
          // The broker has every message again (the killed process acknowledged none).
          await start();
          await until('every message delivered and acknowledged', async () => (await rowsIn(b.database, names.table)).length >= 20 && (await bus.left()) === 0);
          await consumers!.stop();
          const runs = await brokerRuns(b.store, flowId);
          expect(runs.map((r) => r.id)).toContain(killed.runId);
          const rows = await rowsIn(b.database, names.table);
          expect(rows.map((r) => r.id)).toEqual(orders(1, 20).map((o) => JSON.parse(o.body).id).sort());
          expect(runs.reduce((n, r) => n + r.counts.delivered, 0)).toBe(20);
          expect(runs.reduce((n, r) => n + r.counts.duplicate, 0)).toBe(killed.messages);
        }, 200_000);
      }
    });
  }
}

describe('a broker consumer that cannot sign in or reach its server', () => {
  it('fails naming the connection and quoting the server, never the password', async () => {
    const b = await openBackend('pglite');
    const box = createSecretBox(randomBytes(32));
    const consumers: BrokerConsumers[] = [];
    try {
      const wrong = 'not-the-password-7731';
      for (const protocol of ['amqp', 'nats'] as const) {
        const names = brokerNames(protocol, newTag());
        await setUpBrokerFlow(b.database, box, protocol, { ...brokerFlow(protocol, names), id: `broker-${protocol}` }, names.table);
      }
      const repo = connectionsRepo(b.store.sql);
      await repo.putConnection({
        environment: 'dev', name: 'bus', kind: 'amqp', settings: { url: 'amqp://guest:{{secret:password}}@127.0.0.1:5672' }, updatedBy: 'admin',
        encryptedSecrets: { password: box.encrypt(wrong, secretContext('dev', 'bus', 'password')) },
      });
      // The NATS flow's `bus` is bound in another environment to a port nobody listens on.
      await repo.putConnection({ environment: 'test', name: 'bus', kind: 'nats', settings: { servers: '127.0.0.1:1', user: 'ledgerflow', password: '{{secret:password}}' }, updatedBy: 'admin',
        encryptedSecrets: { password: box.encrypt(wrong, secretContext('test', 'bus', 'password')) } });
      await deploymentsRepo(b.store.sql).deploy({ flowId: 'broker-nats', environment: 'test', version: 1, by: 'tester', kind: 'deploy' });
      const launcher = { enqueue: () => Promise.reject(new Error('nothing is consumed')) } as unknown as RunLauncher;
      const started = startBrokerConsumers({ database: b.database, launcher, secrets: box, refreshMs: 60_000, restartBackoffMs: 60_000 }, false);
      consumers.push(started);
      await started.refresh();
      const byKey = new Map(started.states().map((s) => [`${s.flowId}/${s.environment}`, s]));
      const amqpState = byKey.get('broker-amqp/dev');
      expect(amqpState?.status).toBe('failed');
      expect(amqpState?.error).toMatch(/^connection 'bus' \(amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672\/?\) could not be opened: .*ACCESS.REFUSED/);
      const natsState = byKey.get('broker-nats/test');
      expect(natsState?.status).toBe('failed');
      expect(natsState?.error).toMatch(/^connection 'bus' \(127\.0\.0\.1:1\) could not be opened: /);
      expect(JSON.stringify(started.states())).not.toContain(wrong);
    } finally {
      for (const c of consumers) await c.stop();
      await b.cleanup();
    }
  }, 120_000);
});
