/**
 * End to end, the example flows/procure-to-pay as `serve` runs it, against
 * the machine's RabbitMQ and the local mock systems `npm run demo:systems`
 * starts (the same code, on free ports): "PO approved" events from a RabbitMQ
 * queue (one of them unreadable) and the procurement API's purchase orders
 * (paginated, OAuth2 with tokens that expire mid-run, watermark) → routed by
 * legal entity → the SAP-like API (rate-limited, every 9th request 503) or
 * the regional ERP table → the ERP's document number written back to the
 * procurement API. Each purchase order is posted once and written back once,
 * though 60 of them arrive by both ways; counts and totals are exact. On
 * PGlite, and on Postgres when TEST_DATABASE_URL is set; and once with the
 * regional ERP on the machine's MariaDB (the same flow, the connection bound
 * to a mysql:// URL, the table from setup-mariadb.sql).
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import amqp from 'amqplib';
import mysql from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadExamples } from '../../../runtime/app/bootstrap.ts';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';
import { createEnvironmentConnections, secretContext } from '../../../runtime/connectors/environment-connections.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { createSecretBox, type SecretBox } from '../../../runtime/secrets/secret-box.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import type { RunRow, Store } from '../../../runtime/store/store.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { startBrokerConsumers, type BrokerConsumers } from '../../../runtime/triggers/broker-consumers.ts';
import { backendNames, openBackend, waitForRun, type OpenedBackend } from '../../runtime/queue/queue-fixtures.ts';
import { poApprovedMessages, publishToQueue, RABBIT_URL, startMockSystems, type MockSystems } from '../../mock-systems/mock-systems.ts';

const FLOW = 'procure-to-pay';
const SAP_ENTITIES = new Set(['DE01', 'DE02', 'US01']);
const cents = (amount: string) => BigInt(amount.replace('.', ''));

/** Waits (generously: the machine is loaded) until `check` holds. */
async function until(what: string, check: () => Promise<boolean>, state: () => Promise<unknown>, timeoutMs = 240_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await state())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runsOf(store: Store, trigger: string): Promise<RunRow[]> {
  const { rows } = await store.sql.query<{ id: string }>('select id from runs where flow_id = $1 and trigger = $2 order by created_at', [FLOW, trigger]);
  return Promise.all(rows.map((r) => waitForRun(store, r.id, 240_000)));
}

const deadLetters = async (store: Store, runId: string) =>
  (await store.sql.query<{ node_id: string; error: { message: string } }>('select node_id, error from dead_letters where run_id = $1 limit 3', [runId])).rows.map((r) => `${r.node_id}: ${r.error.message}`);

const MARIADB = 'mysql://root@127.0.0.1:3306';

/** The regional ERP's rows and total, from wherever `erp_regional` is bound. */
interface RegionalErp {
  rows(): Promise<{ po_number: string; amount: string; doc_number: string }[]>;
  total(): Promise<string>;
  close(): Promise<void>;
}

async function mariadbErp(): Promise<RegionalErp & { url: string }> {
  const database = `lf_p2p_${process.pid}_${Date.now().toString(36)}`;
  const admin = await mysql.createConnection({ uri: MARIADB, multipleStatements: true });
  await admin.query(`create database ${database}`);
  await admin.query(`use ${database}`);
  await admin.query(await readFile(resolve(import.meta.dirname, '../../../flows/procure-to-pay/setup-mariadb.sql'), 'utf8'));
  return {
    url: `${MARIADB}/${database}`,
    rows: async () => (await admin.query('select po_number, amount, doc_number from erp_purchase_order order by po_number'))[0] as { po_number: string; amount: string; doc_number: string }[],
    total: async () => ((await admin.query('select cast(sum(amount) as char) as total from erp_purchase_order'))[0] as { total: string }[])[0].total,
    async close() {
      await admin.query(`drop database ${database}`);
      await admin.end();
    },
  };
}

const sum = (runs: RunRow[], k: keyof RunRow['counts']) => runs.reduce((n, r) => n + (r.counts[k] ?? 0), 0);

const variants = [...backendNames().map((backend) => ({ backend, regional: 'embedded' as const })), { backend: 'pglite' as const, regional: 'mariadb' as const }];

for (const { backend, regional: regionalEngine } of variants) {
  describe(`procure-to-pay end to end on ${backend}, the regional ERP ${regionalEngine === 'mariadb' ? 'on MariaDB' : 'the embedded Postgres'}`, () => {
    let b: OpenedBackend;
    let box: SecretBox;
    let systems: MockSystems;
    let dir: string;
    let queueName: string;
    let queue: StartedQueue | undefined;
    let consumers: BrokerConsumers | undefined;
    let erp: RegionalErp;

    beforeEach(async () => {
      // Tokens expire after 40 requests, so a run's pages and write-backs need new ones on the way.
      systems = await startMockSystems({ orders: 250, procurement: { tokenServes: 40 } });
      b = await openBackend(backend);
      box = createSecretBox(randomBytes(32));
      // The example as shipped, its queue renamed for this test so parallel runs do not share it.
      queueName = `p2p.po-approved.test-${process.pid}-${Date.now().toString(36)}`;
      dir = await mkdtemp(join(tmpdir(), 'lf-p2p-'));
      await cp(resolve(import.meta.dirname, '../../../flows/procure-to-pay'), join(dir, FLOW), { recursive: true });
      const file = join(dir, FLOW, 'flow.json');
      await writeFile(file, (await readFile(file, 'utf8')).replace('"queue": "p2p.po-approved"', `"queue": "${queueName}"`));
      if (regionalEngine === 'mariadb') {
        const maria = await mariadbErp();
        erp = maria;
        // Bound before the examples load, so loading leaves it alone instead of binding the embedded database.
        await connectionsRepo(b.store.sql).putConnection({ environment: 'dev', name: 'erp_regional', kind: 'postgres', settings: { url: maria.url }, encryptedSecrets: {}, updatedBy: 'admin' });
      } else {
        const target = () => targetDatabase(b.database, 'erp_regional');
        erp = {
          rows: async () => (await target().query<{ po_number: string; amount: string; doc_number: string }>('select po_number, amount::text as amount, doc_number from erp_purchase_order order by po_number')).rows,
          total: async () => (await target().query<{ total: string }>('select sum(amount)::text as total from erp_purchase_order')).rows[0].total,
          close: async () => {},
        };
      }
      await loadExamples(b.database, { evaluators: createEvaluatorRegistry(), dir, environment: 'dev' });
      // The connections bound as demo:systems prints them, the secrets encrypted at rest.
      const repo = connectionsRepo(b.store.sql);
      for (const name of ['procurement', 'sap', 'bus']) {
        const { kind, settings, secrets = {} } = systems.bindings[name];
        await repo.putConnection({
          environment: 'dev', name, kind, settings, updatedBy: 'admin',
          encryptedSecrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, box.encrypt(v, secretContext('dev', name, k))])),
        });
      }
      const environments = createEnvironmentConnections({ database: b.database, secrets: box });
      queue = await startQueue({ database: b.database, tuning: { chunkSize: 50, superviseIntervalSeconds: 1 }, connectionsFor: (env, doc) => environments.connectionsFor(env, doc) });
    }, 300_000);

    afterEach(async () => {
      await consumers?.stop();
      consumers = undefined;
      await queue?.stop();
      queue = undefined;
      const connection = await amqp.connect(RABBIT_URL);
      await (await connection.createChannel()).deleteQueue(queueName).catch(() => {});
      await connection.close();
      await systems.close();
      await erp.close();
      await b.cleanup();
      await rm(dir, { recursive: true, force: true });
    }, 300_000);

    it('posts every purchase order once to its legal entity\'s ERP and writes each document number back once, from events and the API, exact to the cent', async () => {
      const { procurement, sap } = systems;
      // 1. Every 4th order is announced on RabbitMQ (60 events), with one unreadable message among them.
      const announced = procurement.orders.filter((_, i) => (i + 1) % 4 === 0).slice(0, 60);
      await publishToQueue(queueName, [...poApprovedMessages(announced.slice(0, 30)), { id: 'evt-garbled', body: '{"eventId": "evt-garbled", "purchaseOrder": ' }, ...poApprovedMessages(announced.slice(30))]);
      consumers = startBrokerConsumers({ database: b.database, launcher: queue!.launcher, secrets: box, refreshMs: 60_000, restartBackoffMs: 200 }, false);
      await consumers.refresh();
      expect(consumers.states().map((s) => [s.nodeId, s.status, s.error])).toEqual([['po-events', 'running', undefined]]);
      const state = async () => ({
        writeBacks: procurement.writeBacks.size, sap: sap.stats, consumers: consumers?.states(),
        runs: (await b.store.sql.query('select id, status, counts, error from runs')).rows,
        dead: (await b.store.sql.query('select node_id, error from dead_letters limit 3')).rows,
      });
      await until('the 60 events posted and written back', async () => procurement.writeBacks.size >= 60, state, 90_000);
      await until('every event run finished', async () => sum(await runsOf(b.store, 'broker'), 'read') === 61, state);
      await consumers.stop();
      consumers = undefined;
      const eventRuns = await runsOf(b.store, 'broker');
      expect({ read: sum(eventRuns, 'read'), delivered: sum(eventRuns, 'delivered'), deadLettered: sum(eventRuns, 'deadLettered'), duplicate: sum(eventRuns, 'duplicate') })
        .toEqual({ read: 61, delivered: 60, deadLettered: 1, duplicate: 0 });
      const { rows: dead } = await b.store.sql.query<{ node_id: string; source_key: string; error: { code?: string } }>('select node_id, source_key, error from dead_letters where flow_id = $1', [FLOW]);
      expect(dead).toMatchObject([{ node_id: 'po-events', source_key: 'evt-garbled', error: { code: 'MESSAGE_UNREADABLE' } }]);

      // 2. The API, read whole: the 60 announced orders are found posted already (duplicates), the other 190 are posted.
      const enqueue = async () => {
        const queued = await queue!.launcher.enqueue({ flowId: FLOW, version: 1, environment: 'dev', trigger: 'manual', input: { kind: 'source' }, requestedBy: 'tester' });
        return waitForRun(b.store, queued.id, 300_000);
      };
      const first = await enqueue();
      expect(first.error?.message).toBeUndefined();
      expect({ status: first.status, counts: first.counts, dead: await deadLetters(b.store, first.id) })
        .toEqual({ status: 'succeeded', counts: { read: 250, delivered: 190, duplicate: 60, filtered: 0, quarantined: 0, deadLettered: 0 }, dead: [] });
      expect(await b.store.getWatermark(FLOW, 'po-api', 'dev')).toBe(procurement.orders[249].updatedAt);
      const pages = procurement.stats.seen.filter((s) => s.method === 'GET');
      expect([...new Set(pages.map((p) => p.params.page))]).toEqual(['1', '2', '3', '4', '5', '6']);

      // 3. Ten more orders change; the next run asks only for what changed since the watermark.
      procurement.addOrders(10);
      const next = await enqueue();
      expect(next.status).toBe('succeeded');
      expect(procurement.stats.seen.filter((s) => s.method === 'GET').at(-1)?.params.updated_since).toBe(procurement.orders[249].updatedAt);
      expect(next.counts).toEqual({ read: 10, delivered: 10, duplicate: 0, filtered: 0, quarantined: 0, deadLettered: 0 });

      // Each purchase order booked once, in the ERP of its legal entity, with its exact amount.
      const orders = procurement.orders;
      expect(orders).toHaveLength(260);
      const toSap = orders.filter((o) => SAP_ENTITIES.has(o.legalEntity));
      const toRegional = orders.filter((o) => !SAP_ENTITIES.has(o.legalEntity));
      expect([toSap.length, toRegional.length]).toEqual([156, 104]);
      expect(sap.stats.duplicates).toBe(0);
      expect(sap.created.map((d) => d.CorrespncExternalReference).sort()).toEqual(toSap.map((o) => o.id).sort());
      const sapTotal = sap.created.reduce((n, d) => n + cents(d.to_PurchaseOrderItem.results[0].NetPriceAmount), 0n);
      expect(sapTotal).toBe(toSap.reduce((n, o) => n + cents(o.amount), 0n));
      const regional = await erp.rows();
      expect(regional.map((r) => r.po_number).sort()).toEqual(toRegional.map((o) => o.id).sort());
      const regionalTotal = await erp.total();
      expect(cents(regionalTotal)).toBe(toRegional.reduce((n, o) => n + cents(o.amount), 0n));
      expect(regionalTotal).toBe('13676.00');

      // The SAP API was unavailable now and then, and throttled beyond 20 requests a second: retried, nothing posted twice or lost.
      expect(sap.stats.unavailable).toBeGreaterThan(0);
      expect(sap.stats.refused).toBe(0);
      // Tokens expired mid-run and were fetched again; none of the write-backs was refused in the end.
      expect(procurement.stats.tokenRequests).toBeGreaterThan(2);

      // Each order's ERP document number written back once: SAP's for SAP orders, the regional ERP's for the others.
      const sapDocs = new Map(sap.created.map((d) => [d.CorrespncExternalReference, d.PurchaseOrder]));
      const regionalDocs = new Map(regional.map((r) => [r.po_number, r.doc_number]));
      expect(procurement.writeBacks.size).toBe(260);
      for (const o of orders) {
        const expected = SAP_ENTITIES.has(o.legalEntity)
          ? { erpSystem: 'SAP S/4HANA', erpDocument: sapDocs.get(o.id), writes: 1 }
          : { erpSystem: 'ERP CEE', erpDocument: regionalDocs.get(o.id), writes: 1 };
        expect(procurement.writeBacks.get(o.id), o.id).toEqual(expected);
      }
      expect(new Set([...procurement.writeBacks.values()].map((w) => w.erpDocument)).size).toBe(260);

      // The runs' money: every amount read is accounted for.
      for (const run of [...eventRuns, first, next]) expect(run.reconciliation?.closes, run.id).toBe(true);
      expect(first.reconciliation?.totals.read).toEqual({ EUR: '31500.00' });
    }, 900_000);
  });
}
