/**
 * AMQP source → transform → Postgres target, with traces, through the queue as
 * `serve` runs it, against the same flow fed from a file (a JSON Lines document
 * of the same records). Records/s of each and the ratio (target ≥ 0.8).
 * The AMQP figure runs from the consumer's start, with every message already in
 * the queue, until every run finished; the file figure from the enqueue of its
 * document until its run finished. Both on one embedded store (traces) whose
 * connection `db` is its own embedded database.
 *
 * Prints one JSON line; without a RabbitMQ at BENCH_AMQP_URL (default
 * amqp://guest:guest@127.0.0.1:5672) it prints `{ "skipped": … }` and exits 0.
 * `npm run bench` includes it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import type { FlowDocument, FlowNode } from '../../nodes/flow-document.ts';
import { createEnvironmentConnections, secretContext } from '../../runtime/connectors/environment-connections.ts';
import { startQueue } from '../../runtime/queue/start-queue.ts';
import { isTerminal } from '../../runtime/engine/run-types.ts';
import { createSecretBox } from '../../runtime/secrets/secret-box.ts';
import { openPgliteDatabase } from '../../runtime/store/open-store.ts';
import { connectionsRepo } from '../../runtime/store/service-connections.ts';
import { deploymentsRepo } from '../../runtime/store/service-deployments.ts';
import type { Store } from '../../runtime/store/store.ts';
import { targetDatabase } from '../../runtime/store/target-databases.ts';
import { startBrokerConsumers } from '../../runtime/triggers/broker-consumers.ts';

const URL_ = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RECORDS = Number(process.env.BENCH_BROKER_RECORDS ?? 20_000);
const QUEUE = `lf_bench_${process.pid}`;
/** Messages per run (the source's batchSize); each run has a fixed cost (split, finalize, reconciliation). */
const BATCH = Number(process.env.BENCH_BROKER_BATCH ?? 2000);

const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, config });

function flow(id: string, source: FlowNode, table: string): FlowDocument {
  return {
    id, name: id, businessKey: 'poNumber', amount: { value: 'amount', currency: 'currency' },
    connections: { bus: { kind: 'amqp' }, db: { kind: 'postgres' } },
    nodes: [
      source,
      node('map', 'transform.jsonata', { expression: '{ "po": poNumber, "entity": legalEntity, "amount": amount, "currency": currency, "supplier": supplier.id }' }),
      node('rows', 'target.postgres', { connection: 'db', table, mode: 'insert', keyColumns: [], columns: { po: 'po', entity: 'entity', amount: 'amount', currency: 'currency', supplier: 'supplier' }, batchSize: 500, idempotencyKey: '$sourceKey' }),
    ],
    edges: [{ id: 'e1', source: source.id, target: 'map' }, { id: 'e2', source: 'map', target: 'rows' }],
  };
}

const order = (i: number) => ({
  poNumber: `PO-${String(i).padStart(7, '0')}`, legalEntity: ['DE01', 'DE02', 'US01'][i % 3], amount: `${(i % 9000) + 100}.${String(i % 100).padStart(2, '0')}`,
  currency: 'EUR', supplier: { id: `SUP-${(i % 97) + 1}`, name: `Supplier ${(i % 97) + 1}` }, lines: [{ sku: `SKU-${i % 500}`, qty: (i % 7) + 1 }],
});

async function waitForRuns(store: Store, flowId: string, records: number): Promise<void> {
  for (;;) {
    const { rows } = await store.sql.query<{ status: string; read: number }>(`select status, (counts->>'read')::int as read from runs where flow_id = $1`, [flowId]);
    if (rows.length && rows.every((r) => isTerminal(r.status as never)) && rows.reduce((n, r) => n + Number(r.read), 0) >= records) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  let model: amqp.ChannelModel;
  try {
    model = await amqp.connect(URL_, { timeout: 3000 });
  } catch (err) {
    console.log(JSON.stringify({ skipped: `RabbitMQ not reachable at ${URL_.replace(/:[^:@/]*@/, ':***@')}: ${(err as Error).message}` }));
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'lf-bench-broker-'));
  const database = await openPgliteDatabase({ dataDir: join(dir, 'pgdata') });
  const { store } = database;
  const channel = await model.createConfirmChannel();
  try {
    const box = createSecretBox(randomBytes(32));
    const url = new URL(URL_);
    const password = decodeURIComponent(url.password);
    const bound = `amqp://${url.username}:{{secret:password}}@${url.host}${url.pathname === '/' ? '' : url.pathname}`;
    const repo = connectionsRepo(store.sql);
    await repo.putConnection({ environment: 'dev', name: 'bus', kind: 'amqp', settings: { url: bound }, encryptedSecrets: { password: box.encrypt(password, secretContext('dev', 'bus', 'password')) }, updatedBy: 'bench' });
    await repo.putConnection({ environment: 'dev', name: 'db', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'bench' });
    const db = targetDatabase(database, 'db');
    for (const t of ['from_file', 'from_amqp']) await db.query(`create table ${t} (po text, entity text, amount numeric, currency text, supplier text)`);
    const fileFlow = flow('bench-file', node('events', 'source.file', { format: 'jsonl' }), 'from_file');
    const amqpFlow = flow('bench-amqp', node('events', 'source.amqp', { connection: 'bus', queue: QUEUE, batchSize: BATCH, batchWaitMs: 500, prefetch: BATCH }), 'from_amqp');
    for (const doc of [fileFlow, amqpFlow]) {
      await store.saveDraft(doc, 'bench');
      await store.saveVersion(doc.id, doc, 'bench', 'bench');
    }
    await deploymentsRepo(store.sql).deploy({ flowId: amqpFlow.id, environment: 'dev', version: 1, by: 'bench', kind: 'deploy' });
    const environments = createEnvironmentConnections({ database, secrets: box });
    const queue = await startQueue({ database, connectionsFor: (env, doc) => environments.connectionsFor(env, doc) });
    try {
      const lines = Array.from({ length: RECORDS }, (_, k) => JSON.stringify(order(k + 1)));
      let started = performance.now();
      await queue.launcher.enqueue({ flowId: fileFlow.id, version: 1, environment: 'dev', trigger: 'manual', input: { kind: 'document', name: 'orders.jsonl', bytes: new TextEncoder().encode(`${lines.join('\n')}\n`) }, requestedBy: 'bench' });
      await waitForRuns(store, fileFlow.id, RECORDS);
      const fileRecordsPerSec = RECORDS / ((performance.now() - started) / 1000);

      await channel.assertQueue(QUEUE, { durable: true });
      for (const [k, line] of lines.entries()) channel.sendToQueue(QUEUE, Buffer.from(line), { messageId: `m-${k + 1}`, persistent: true });
      await channel.waitForConfirms();
      started = performance.now();
      const consumers = startBrokerConsumers({ database, launcher: queue.launcher, secrets: box, refreshMs: 60_000 }, false);
      await consumers.refresh();
      await waitForRuns(store, amqpFlow.id, RECORDS);
      const amqpRecordsPerSec = RECORDS / ((performance.now() - started) / 1000);
      await consumers.stop();
      const { rows } = await db.query<{ n: string }>('select count(*) as n from from_amqp');
      if (Number(rows[0].n) !== RECORDS) throw new Error(`the AMQP flow wrote ${rows[0].n} rows, expected ${RECORDS}`);
      const { rows: runs } = await store.sql.query<{ n: string }>(`select count(*) as n from runs where flow_id = $1`, [amqpFlow.id]);
      console.log(JSON.stringify({
        records: RECORDS, messagesPerRun: BATCH, fileRecordsPerSec, amqpRecordsPerSec, amqpRuns: Number(runs[0].n),
        ratioAmqpToFile: amqpRecordsPerSec / fileRecordsPerSec,
      }));
    } finally {
      await queue.stop();
    }
  } finally {
    await channel.deleteQueue(QUEUE).catch(() => {});
    await model.close().catch(() => {});
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
