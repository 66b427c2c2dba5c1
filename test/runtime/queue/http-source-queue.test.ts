/**
 * A queued run (as the server and its workers run them) of a flow reading a
 * REST API: the connection's settings and OAuth2 client secret are bound per
 * environment from the store (the secret encrypted at rest); the source is
 * read by the split job from the environment's watermark, which moves only
 * when the run succeeds.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { createEnvironmentConnections, secretContext } from '../../../runtime/connectors/environment-connections.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { startProcurementApi, type ProcurementApi } from '../../nodes/source/procurement-api.ts';
import { TEST_TUNING, backendNames, countTarget, openBackend, waitForRun, type OpenedBackend } from './queue-fixtures.ts';

const SECRET = 'queue-client-secret-8842';

const flow: FlowDocument = {
  id: 'po-api-queue', name: 'POs from the procurement API (queued)', recordKey: 'id', businessKey: 'id',
  amount: { value: 'amount', currency: 'currency' },
  connections: { procurement: { kind: 'http' }, db: { kind: 'postgres' } },
  nodes: [
    {
      id: 'orders', type: 'source.http', typeVersion: 1, position: { x: 0, y: 0 },
      config: {
        connection: 'procurement', path: '/orders/by-cursor', recordsPath: 'items',
        pagination: { style: 'cursor', nextPath: 'meta.nextCursor', sizeParam: 'limit', pageSize: 5 },
        watermark: { field: 'updatedAt', param: 'updated_since' },
      },
    },
    {
      id: 'rows', type: 'target.postgres', typeVersion: 1, position: { x: 300, y: 0 },
      config: { connection: 'db', table: 'q_orders', mode: 'upsert', keyColumns: ['id'], columns: { id: 'id', amount: 'amount' }, batchSize: 100, idempotencyKey: 'id' },
    },
  ],
  edges: [{ id: 'e1', source: 'orders', target: 'rows' }],
};

for (const backend of backendNames()) {
  describe(`HTTP source through the queue on ${backend}`, () => {
    let b: OpenedBackend;
    let api: ProcurementApi;
    let queue: StartedQueue | undefined;
    let garble = false;
    let brokenPage: string | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      api = await startProcurementApi({
        orders: 23, auth: 'oauth2', clientSecret: SECRET,
        intercept: (q) => {
          if (garble && q.n === 3) return { status: 200, body: '{"items": [{"id": "PO-11"' };
          if (q.path === '/orders' && q.params.page === brokenPage) return { status: 200, body: 'Service temporarily unavailable' };
          return undefined;
        },
      });
      const box = createSecretBox(randomBytes(32));
      const repo = connectionsRepo(b.store.sql);
      await repo.putConnection({
        environment: 'dev', name: 'procurement', kind: 'http', updatedBy: 'admin',
        settings: { baseUrl: api.baseUrl, auth: { type: 'oauth2-client-credentials', tokenUrl: api.tokenUrl, clientId: 'ledgerflow', clientSecret: '{{secret:client_secret}}' } },
        encryptedSecrets: { client_secret: box.encrypt(SECRET, secretContext('dev', 'procurement', 'client_secret')) },
      });
      await repo.putConnection({ environment: 'dev', name: 'db', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'admin' });
      await targetDatabase(b.database, 'db').query('create table if not exists q_orders (id text primary key, amount numeric not null)');
      await b.store.saveDraft(flow, 'tester');
      await b.store.saveVersion(flow.id, flow, 'tester', 'first');
      const environments = createEnvironmentConnections({ database: b.database, secrets: box });
      queue = await startQueue({ database: b.database, tuning: TEST_TUNING, connectionsFor: (env, doc) => environments.connectionsFor(env, doc) });
    });

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      garble = false;
      brokenPage = undefined;
      await api.close();
      await b.cleanup();
    });

    const enqueue = async () => {
      const queued = await queue!.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'manual', input: { kind: 'source' }, requestedBy: 'tester' });
      return waitForRun(b.store, queued.id);
    };
    const watermark = () => b.store.getWatermark(flow.id, 'orders', 'dev');
    const sinceOfLastRun = () => api.stats.seen.filter((s) => !s.params.cursor).at(-1)?.params.updated_since;

    const deadLetters = async (runId: string) => (await b.store.listDeadLetters({ runId }, { limit: 10 })).items;

    it('stops at a malformed cursor page with its dead letter, keeping the watermark; the next run reads the rest; then only what changed', async () => {
      garble = true;
      const broken = await enqueue();
      expect(broken.status).toBe('completed_with_exceptions');
      expect(broken.counts).toMatchObject({ read: 11, delivered: 10, deadLettered: 1 });
      const [letter, ...others] = await deadLetters(broken.id);
      expect(others).toEqual([]);
      expect(letter).toMatchObject({ nodeId: 'orders', disposition: 'dead_lettered', errorClass: 'permanent' });
      expect(letter.error.message).toMatch(/^page 3 of connection 'procurement' \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders\/by-cursor\) is not valid JSON.*the pages after it could not be reached \(the next cursor \(meta\.nextCursor\) is in this page's unreadable body\)/);
      expect(letter.sourceRecord).toMatchObject({ page: 3, status: 200, body: '{"items": [{"id": "PO-11"' });
      expect(JSON.stringify(await deadLetters(broken.id))).not.toContain(SECRET);
      expect(await watermark()).toBeNull();

      garble = false;
      const done = await enqueue();
      expect(done.status).toBe('succeeded');
      expect(sinceOfLastRun()).toBeUndefined();
      // The ten delivered before the broken page are in the ledger: duplicates now.
      expect(done.counts).toMatchObject({ read: 23, delivered: 13, duplicate: 10 });
      expect(await countTarget(b.database, 'select count(*) as n from q_orders')).toBe(23);
      expect(await watermark()).toBe(api.orders[22].updatedAt);

      api.addOrders(2);
      const next = await enqueue();
      expect(next.status).toBe('succeeded');
      expect(sinceOfLastRun()).toBe(api.orders[22].updatedAt);
      expect(next.counts).toMatchObject({ read: 2, delivered: 2, duplicate: 0 });
      expect(await watermark()).toBe(api.orders[24].updatedAt);
    });

    it('5 pages (23 orders), page 3 malformed: pages 1, 2, 4, 5 delivered, one dead letter naming the page, watermark kept; fixed, the next run delivers page 3 and counts the rest duplicate', async () => {
      const paged: FlowDocument = {
        ...flow, id: 'po-api-pages',
        nodes: flow.nodes.map((n) => (n.id === 'orders'
          ? { ...n, config: { ...n.config, path: '/orders', recordsPath: 'data', pagination: { style: 'page', sizeParam: 'pageSize', pageSize: 5 } } }
          : n)),
      };
      await b.store.saveDraft(paged, 'tester');
      await b.store.saveVersion(paged.id, paged, 'tester', 'first');
      brokenPage = '3';
      const run = async () => waitForRun(b.store, (await queue!.launcher.enqueue({ flowId: paged.id, version: 1, environment: 'dev', trigger: 'manual', input: { kind: 'source' }, requestedBy: 'tester' })).id);
      const pagedWatermark = () => b.store.getWatermark(paged.id, 'orders', 'dev');

      const first = await run();
      expect(first.status).toBe('completed_with_exceptions');
      expect(first.counts).toMatchObject({ read: 19, delivered: 18, deadLettered: 1, duplicate: 0 });
      const rows = async () => (await targetDatabase(b.database, 'db').query<{ id: string }>('select id from q_orders order by id')).rows.map((r) => r.id);
      const all = api.orders.map((o) => o.id);
      expect(await rows()).toEqual(all.filter((_, i) => i < 10 || i >= 15).sort());
      const [letter, ...others] = await deadLetters(first.id);
      expect(others).toEqual([]);
      expect(letter.error.message).toMatch(/^page 3 of connection 'procurement' \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders\) is not valid JSON.*; the pages after it are read$/);
      expect(letter.sourceRecord).toMatchObject({ page: 3, status: 200, body: 'Service temporarily unavailable', url: expect.stringMatching(/\/api\/v1\/orders\?page=3&pageSize=5$/) });
      expect(await pagedWatermark()).toBeNull();

      brokenPage = undefined;
      const second = await run();
      expect(second.status).toBe('succeeded');
      expect(second.counts).toMatchObject({ read: 23, delivered: 5, duplicate: 18, deadLettered: 0 });
      expect(await rows()).toEqual([...all].sort());
      expect(await pagedWatermark()).toBe(api.orders[22].updatedAt);
    });
  });
}
