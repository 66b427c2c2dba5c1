/**
 * Replays are transactional and idempotent, through the real queue launcher
 * (no worker: what is checked is what gets queued): the replay run and its
 * audit entry commit together or not at all; an `Idempotency-Key` makes a
 * client's retry of a replay, a discard or a manual run give the first answer
 * again without a second run; and 10,000 dead letters replay in one request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { openPgliteDatabase, } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { createHarness, paymentsFlow, paymentsInput, PAYMENTS_TABLE, type Harness } from './harness.ts';

let store: Store;

let database: Database;
let queue: StartedQueue;
let h: Harness;
let failedRunId: string;

const count = async (sql: string, params: unknown[] = []) => Number((await store.sql.query<{ n: unknown }>(sql, params)).rows[0].n);
const withKey = (key: string) => ({ 'Idempotency-Key': key });

/** Dead letters of a (fabricated) failed run, written directly: what a large failed run leaves behind. */
async function seedDeadLetters(runId: string, n: number): Promise<void> {
  await store.sql.query(
    `insert into runs (id, flow_id, version, environment, trigger, status) values ($1, 'payments', 1, 'dev', 'manual', 'completed_with_exceptions')`, [runId]);
  await store.sql.query(
    `insert into dead_letters (run_id, flow_id, version, environment, lineage_key, source_key, business_key, node_id, disposition, error_class, error, source_record)
     select $1, 'payments', 1, 'dev', i::text, 'src-' || i, 'INV-' || i, 'check', 'quarantined', 'validation',
            '{"errorClass":"validation","message":"amount must be positive"}'::jsonb,
            jsonb_build_object('ref', 'INV-' || i, 'amount', i, 'currency', 'EUR')
       from generate_series(1, $2::int) as i`, [runId, n]);
}

beforeAll(async () => {
  database = await openPgliteDatabase({});
  store = database.store;
  queue = await startQueue({ database, worker: false });
  h = await createHarness({ database, launcher: queue.launcher });
  await store.sql.query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
  await h.json('admin', 'PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } });
  await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
  failedRunId = 'run-with-10000-dead-letters';
  await seedDeadLetters(failedRunId, 10_000);
}, 120_000);

afterAll(async () => {
  await queue?.stop();
  await store?.close();
});

describe('replay of dead letters', () => {
  it('replays 10,000 dead letters in one request: one run, one audit entry naming it, committed together; a retry with the key gives the same run', async () => {
    const body = { runId: failedRunId, against: 'failed-version' };
    const started = performance.now();
    const first = await h.call('operator', 'POST', '/api/dead-letters/replay', body, withKey('replay-1'));
    const ms = performance.now() - started;
    expect(first.status).toBe(202);
    const { runId } = await first.json() as { runId: string };
    console.log(`replay of 10,000 dead letters queued in ${Math.round(ms)} ms`);

    const retry = await h.call('operator', 'POST', '/api/dead-letters/replay', body, withKey('replay-1'));
    expect(retry.status).toBe(202);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toEqual({ runId });
    expect(await count(`select count(*) as n from runs where trigger = 'replay'`)).toBe(1);

    const run = (await store.getRun(runId))!;
    expect(run).toMatchObject({ trigger: 'replay', replayOf: failedRunId, status: 'queued' });
    expect(await count('select cardinality(replay_dead_letter_ids) as n from run_inputs where run_id = $1', [runId])).toBe(10_000);
    const audit = await h.json('admin', 'GET', `/api/audit?action=dead-letter.replay-queued`);
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: 'operator', entity: 'run', entityId: runId, after: { runId, version: 1 } });
    expect(audit.items[0].after.deadLetterIds).toHaveLength(10_000);
  }, 120_000);

  it('the same key for a different request is refused; another user\'s key is their own', async () => {
    const other = await h.call('operator', 'POST', '/api/dead-letters/replay', { runId: failedRunId, against: 'deployed' }, withKey('replay-1'));
    expect(other.status).toBe(422);
    expect((await other.json() as { detail: string }).detail).toMatch(/already used for a different request/);
    const admins = await h.call('admin', 'POST', '/api/dead-letters/replay', { runId: failedRunId, against: 'failed-version' }, withKey('replay-1'));
    expect(admins.status).toBe(202);
    expect(admins.headers.get('Idempotent-Replayed')).toBeNull();
  }, 60_000);

  it('queues no run when its audit entry cannot be written (one transaction)', async () => {
    const before = await count('select count(*) as n from runs');
    const failed = await queue.launcher.enqueue({
      flowId: 'payments', version: 1, environment: 'dev', trigger: 'replay', input: { kind: 'records', records: [{ data: { ref: 'X', amount: 1 } }] },
      requestedBy: 'tester', alongside: async (tx) => { await tx.query('insert into audit_log (actor) values (null)'); },
    }).then(() => null, (err: Error) => err);
    expect(failed).not.toBeNull();
    expect(await count('select count(*) as n from runs')).toBe(before);
  });
});

describe('discard and manual runs with an Idempotency-Key', () => {
  it('a retried discard answers as the first time; without the key the retry is a conflict', async () => {
    const ids = (await store.sql.query<{ id: unknown }>('select id from dead_letters where status = $1 order by id limit 3', ['open'])).rows.map((r) => Number(r.id));
    const body = { ids, reason: 'test records' };
    const first = await h.call('operator', 'POST', '/api/dead-letters/discard', body, withKey('discard-1'));
    expect(first.status).toBe(200);
    const retry = await h.call('operator', 'POST', '/api/dead-letters/discard', body, withKey('discard-1'));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ discarded: 3 });
    expect((await h.call('operator', 'POST', '/api/dead-letters/discard', body)).status).toBe(409);
    expect(await count(`select count(*) as n from audit_log where action = 'dead-letter.discarded'`)).toBe(3);
  });

  it('a retried manual run starts no second run', async () => {
    const body = { environment: 'dev', input: { name: 'p.json', content: paymentsInput([{ ref: 'INV-1', amount: 5 }]) } };
    const before = await count(`select count(*) as n from runs where trigger = 'manual'`);
    const first = await h.call('operator', 'POST', '/api/flows/payments/runs', body, withKey('run-1'));
    expect(first.status).toBe(202);
    const retry = await h.call('operator', 'POST', '/api/flows/payments/runs', body, withKey('run-1'));
    expect(await retry.json()).toEqual(await first.json());
    expect(await count(`select count(*) as n from runs where trigger = 'manual'`)).toBe(before + 1);
    expect((await h.call('operator', 'POST', '/api/flows/payments/runs', body, withKey('bad key with spaces'))).status).toBe(400);
  });
});
