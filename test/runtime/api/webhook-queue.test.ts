/**
 * Webhooks over the real durable queue (pg-boss on PGlite; no worker, so runs
 * stay queued): concurrent deliveries share transactions (group commit), each
 * gets its 202 only once its run and job are committed, a failed transaction
 * answers none of its requests with 202 and spends none of their signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../../runtime/triggers/webhook-signature.ts';
import { openPgliteDatabase, } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { openBoss, bossSchemaFor, findRunJobs, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher, type QueueRunLauncher } from '../../../runtime/queue/launcher.ts';
import { QUEUE_NAMES, tuningOf } from '../../../runtime/queue/queue-options.ts';
import { getRunInput } from '../../../runtime/store/queue-repo.ts';
import { createHarness, paymentsFlow, paymentsInput, PAYMENTS_TABLE, type Harness } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let h: Harness;
let store: Store;
let database: Database;
let boss: PgBoss;
let launcher: QueueRunLauncher;
let secret: string;

const unix = () => Math.floor(Date.now() / 1000);
const deliver = (body: string, ts = unix()) => h.app.request('/hooks/payments/dev', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-ledgerflow-timestamp': String(ts), 'x-ledgerflow-signature': signWebhook(secret, ts, body) },
  body,
});

async function counts() {
  const n = async (sql: string, params: unknown[] = []) => Number((await store.sql.query<{ n: unknown }>(sql, params)).rows[0].n);
  return {
    runs: await n('select count(*) as n from runs'),
    jobs: await n(`select count(*) as n from ${bossSchemaFor(database)}.job where name = $1`, [QUEUE_NAMES.split]),
    signatures: await n('select count(*) as n from webhook_signatures_seen'),
  };
}

beforeAll(async () => {
  database = await openPgliteDatabase({});
  store = database.store;
  boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
  // A window wide enough that a burst of deliveries shares one transaction.
  launcher = createRunLauncher({ database, boss, commitWindowMs: 30 });
  h = await createHarness({ database, launcher });
  await targetDatabase(database, 'ledger').query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
  secret = (await h.json('admin', 'POST', '/api/flows/payments/triggers/dev/webhook-secret')).secret;
}, 60_000);

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await h?.close();
});

describe('webhooks on the durable queue', () => {
  it('a burst of deliveries: each 202 names its own queued run holding its own event, with one job each', async () => {
    const bodies = Array.from({ length: 25 }, (_, i) => paymentsInput([{ ref: `B-${i}`, amount: i + 1 }]));
    const before = launcher.commitStats();
    const responses = await Promise.all(bodies.map((b) => deliver(b)));
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(202));
    const ids = await Promise.all(responses.map(async (r) => (await r.json()).runId as string));
    expect(new Set(ids).size).toBe(25);
    const db = database.db;
    for (const [i, id] of ids.entries()) {
      const run = await store.getRun(id);
      expect(run).toMatchObject({ flowId: 'payments', version: 1, environment: 'dev', trigger: 'webhook', status: 'queued' });
      expect(new TextDecoder().decode((await getRunInput(db, id))!.bytes!)).toBe(bodies[i]);
      expect((await findRunJobs(boss, QUEUE_NAMES.split, id)).length).toBe(1);
    }
    expect(await counts()).toEqual({ runs: 25, jobs: 25, signatures: 25 });
    const after = launcher.commitStats();
    expect(after.writes - before.writes).toBeLessThan(25);
  });

  it('a replay of a queued delivery: 401, nothing more queued', async () => {
    const body = paymentsInput([{ ref: 'R-1', amount: 1 }]);
    const ts = unix();
    expect((await deliver(body, ts)).status).toBe(202);
    const before = await counts();
    const replays = await Promise.all([deliver(body, ts), deliver(body, ts)]);
    expect(replays.map((r) => r.status)).toEqual([401, 401]);
    expect((await replays[0].json()).detail).toMatch(/already used/);
    expect(await counts()).toEqual(before);
  });

  it('when the transaction fails: no delivery of the batch gets 202, nothing is queued, and the same deliveries succeed later', async () => {
    const before = await counts();
    const schema = bossSchemaFor(database);
    const { rows } = await store.sql.query<{ table_name: string }>(`select partition_name as table_name from ${schema}.queue where name = $1`, [QUEUE_NAMES.split]);
    await store.sql.query(`create function ${schema}.refuse_jobs() returns trigger language plpgsql as $$ begin raise exception 'job table refuses inserts'; end $$`);
    await store.sql.query(`create trigger refuse before insert on ${schema}.${rows[0].table_name} for each row execute function ${schema}.refuse_jobs()`);
    const ts = unix();
    const bodies = Array.from({ length: 6 }, (_, i) => paymentsInput([{ ref: `F-${i}`, amount: 1 }]));
    const failed = await Promise.all(bodies.map((b) => deliver(b, ts)));
    expect(failed.map((r) => r.status)).toEqual(Array(6).fill(500));
    expect(await counts()).toEqual(before);

    await store.sql.query(`drop trigger refuse on ${schema}.${rows[0].table_name}`);
    const retried = await Promise.all(bodies.map((b) => deliver(b, ts)));
    expect(retried.map((r) => r.status)).toEqual(Array(6).fill(202));
    expect(await counts()).toEqual({ runs: before.runs + 6, jobs: before.jobs + 6, signatures: before.signatures + 6 });
  });
});
