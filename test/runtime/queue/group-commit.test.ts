/**
 * Group commit of enqueues: requests arriving together share one transaction
 * and each is answered only after it commits. The batcher on its own, then the
 * launcher on each backend: N concurrent enqueues are N runs, N inputs and N
 * jobs; a failing batch fails every request in it and leaves nothing behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit, type ItemOutcome } from '../../../runtime/queue/group-commit.ts';
import { bossSchemaFor, findRunJobs, openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher, type LauncherOptions, type QueueRunLauncher } from '../../../runtime/queue/launcher.ts';
import { QUEUE_NAMES, tuningOf } from '../../../runtime/queue/queue-options.ts';
import { SignatureReplayedError, type RunRequest } from '../../../runtime/queue/run-launcher.ts';
import { getRunInput } from '../../../runtime/store/queue-repo.ts';
import { TEST_TUNING, backendNames, count, jsonlInput, openBackend, records, setUpFlow, type OpenedBackend } from './queue-fixtures.ts';

describe('group commit', () => {
  const ok = <R>(value: R): ItemOutcome<R> => ({ ok: true, value });

  it('writes what arrives while a write is in flight together, and answers each after its write', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const g = createGroupCommit<number, number>({
      write: async (items) => {
        writes.push(items);
        await gate;
        return items.map((i) => ok(i * 10));
      },
    });
    const first = g.submit(1);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([[1]]);
    const rest = [2, 3, 4, 5].map((i) => g.submit(i));
    let settled = false;
    void Promise.all(rest).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    // Nothing answered before its write finished.
    expect(settled).toBe(false);
    gate = Promise.resolve();
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50]);
    expect(writes).toEqual([[1], [2, 3, 4, 5]]);
    expect(g.stats()).toEqual({ writes: 2, items: 5, largest: 4 });
    expect(g.idle()).toBe(true);
  });

  it('a failing write fails every item in it, and only those', async () => {
    let fail = true;
    const g = createGroupCommit<string, string>({
      write: async (items) => {
        if (fail) throw new Error('disk full');
        return items.map((i) => ok(i.toUpperCase()));
      },
    });
    const batch = ['a', 'b', 'c'].map((i) => g.submit(i));
    const results = await Promise.allSettled(batch);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('disk full');
    fail = false;
    expect(await g.submit('d')).toBe('D');
  });

  it('an item can fail alone', async () => {
    const g = createGroupCommit<number, number>({
      write: async (items) => items.map((i) => (i < 0 ? { ok: false, error: new Error(`negative ${i}`) } : ok(i))),
    });
    const results = await Promise.allSettled([1, -2, 3].map((i) => g.submit(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([1, 'negative -2', 3]);
  });

  it('keeps batches within maxItems and maxBytes; an item larger than maxBytes goes alone', async () => {
    const writes: number[][] = [];
    const g = createGroupCommit<number, number>({
      write: async (items) => {
        writes.push(items);
        return items.map(ok);
      },
      maxItems: 3,
      maxBytes: 100,
      sizeOf: (i) => i,
    });
    await Promise.all([10, 20, 30, 40, 60, 50, 500, 1, 2].map((i) => g.submit(i)));
    expect(writes).toEqual([[10, 20, 30], [40, 60], [50], [500], [1, 2]]);
  });
});

const request = (i: number, extra: Partial<RunRequest> = {}): RunRequest => ({
  flowId: 'queue-test', version: 1, environment: 'dev', trigger: 'webhook', triggerRef: `t=${i}`,
  input: jsonlInput(records(1, () => `${i}.5`, `e${i}-`), `event-${i}.jsonl`), requestedBy: 'webhook', ...extra,
});

for (const backend of backendNames()) {
  describe(`enqueue group commit on ${backend}`, () => {
    let b: OpenedBackend;
    let boss: PgBoss;

    const launcherWith = (options: Partial<LauncherOptions> = {}): QueueRunLauncher => createRunLauncher({ database: b.database, boss, tuning: TEST_TUNING, ...options });
    const splitJobs = async () => count(b.store, `select count(*) as n from ${bossSchemaFor(b.database)}.job where name = $1`, [QUEUE_NAMES.split]);
    const tables = async () => ({
      runs: await count(b.store, 'select count(*) as n from runs'),
      inputs: await count(b.store, 'select count(*) as n from run_inputs'),
      jobs: await splitJobs(),
      signatures: await count(b.store, 'select count(*) as n from webhook_signatures_seen'),
    });

    beforeEach(async () => {
      b = await openBackend(backend);
      await setUpFlow(b.database);
      boss = await openBoss(b.database, { tuning: tuningOf(TEST_TUNING), supervise: false });
    });

    afterEach(async () => {
      await boss.stop({ graceful: false }).catch(() => {});
      await b.cleanup();
    });

    it('N concurrent enqueues: N runs, each with its own input and one split job, in fewer transactions than runs', async () => {
      const launcher = launcherWith();
      const N = 60;
      const runs = await Promise.all(Array.from({ length: N }, (_, i) => launcher.enqueue(request(i, { webhookSignature: `sig-${i}` }))));
      expect(new Set(runs.map((r) => r.id)).size).toBe(N);
      expect(runs.every((r) => r.status === 'queued' && r.flowId === 'queue-test' && r.version === 1 && r.trigger === 'webhook')).toBe(true);
      expect(runs.map((r) => r.triggerRef)).toEqual(Array.from({ length: N }, (_, i) => `t=${i}`));
      expect(await tables()).toEqual({ runs: N, inputs: N, jobs: N, signatures: N });
      // Each run holds its own event, and has exactly one job naming it.
      const db = b.database.db;
      for (const i of [0, 17, N - 1]) {
        const input = await getRunInput(db, runs[i].id);
        expect(input?.name).toBe(`event-${i}.jsonl`);
        expect(new TextDecoder().decode(input!.bytes!)).toContain(`"id":"e${i}-1"`);
        expect((await findRunJobs(boss, QUEUE_NAMES.split, runs[i].id)).length).toBe(1);
      }
      // Ids and creation times follow the order the requests came in.
      expect([...runs.map((r) => r.id)].sort()).toEqual(runs.map((r) => r.id));
      const stats = launcher.commitStats();
      expect(stats.items).toBe(N);
      expect(stats.writes).toBeLessThan(N / 4);
      expect(stats.largest).toBeGreaterThan(1);
    });

    it('a batch whose transaction fails: every request in it fails, and no run, input, job or signature is left', async () => {
      // A window long enough that all of them share one transaction.
      const launcher = launcherWith({ commitWindowMs: 50 });
      await b.store.sql.query(`create function refuse_poison() returns trigger language plpgsql as $$
        begin if new.name = 'event-3.jsonl' then raise exception 'poisoned input refused'; end if; return new; end $$`);
      await b.store.sql.query('create trigger refuse_poison before insert on run_inputs for each row execute function refuse_poison()');
      const N = 8;
      const results = await Promise.allSettled(Array.from({ length: N }, (_, i) => launcher.enqueue(request(i, { webhookSignature: `sig-${i}` }))));
      expect(results.map((r) => r.status)).toEqual(Array(N).fill('rejected'));
      for (const r of results) expect(((r as PromiseRejectedResult).reason as Error).message).toMatch(/poisoned input refused/);
      expect(launcher.commitStats()).toMatchObject({ writes: 1, items: N });
      expect(await tables()).toEqual({ runs: 0, inputs: 0, jobs: 0, signatures: 0 });

      // The same deliveries, once the fault is gone: all queued (their signatures were not spent).
      await b.store.sql.query('drop trigger refuse_poison on run_inputs');
      const again = await Promise.all(Array.from({ length: N }, (_, i) => launcher.enqueue(request(i, { webhookSignature: `sig-${i}` }))));
      expect(again).toHaveLength(N);
      expect(await tables()).toEqual({ runs: N, inputs: N, jobs: N, signatures: N });
    });

    it('when the jobs cannot be queued, the whole batch fails with no run rows', async () => {
      const launcher = launcherWith({ commitWindowMs: 50 });
      const schema = bossSchemaFor(b.database);
      const { rows } = await b.store.sql.query<{ table_name: string }>(`select partition_name as table_name from ${schema}.queue where name = $1`, [QUEUE_NAMES.split]);
      await b.store.sql.query(`create function ${schema}.refuse_jobs() returns trigger language plpgsql as $$ begin raise exception 'job table refuses inserts'; end $$`);
      await b.store.sql.query(`create trigger refuse before insert on ${schema}.${rows[0].table_name} for each row execute function ${schema}.refuse_jobs()`);
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => launcher.enqueue(request(i))));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      expect(await tables()).toEqual({ runs: 0, inputs: 0, jobs: 0, signatures: 0 });
    });

    it('a request for a missing version or with a used signature fails alone; the rest of its batch is queued', async () => {
      const launcher = launcherWith({ commitWindowMs: 50 });
      await launcher.enqueue(request(100, { webhookSignature: 'used-before' }));
      const results = await Promise.allSettled([
        launcher.enqueue(request(1, { webhookSignature: 'a' })),
        launcher.enqueue(request(2, { version: 9, webhookSignature: 'b' })),
        launcher.enqueue(request(3, { webhookSignature: 'used-before' })),
        launcher.enqueue(request(4, { webhookSignature: 'c' })),
        launcher.enqueue(request(5, { webhookSignature: 'c' })),
        launcher.enqueue(request(6)),
      ]);
      const summary = results.map((r) => (r.status === 'fulfilled' ? r.value.triggerRef : `${(r.reason as Error).constructor.name}: ${(r.reason as Error).message}`));
      expect(summary).toEqual([
        't=1',
        "FlowError: flow 'queue-test' has no version 9",
        'SignatureReplayedError: this signature was already used (replayed request)',
        't=4',
        'SignatureReplayedError: this signature was already used (replayed request)',
        't=6',
      ]);
      expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(SignatureReplayedError);
      expect(launcher.commitStats().writes).toBe(2);
      // The missing version's signature stays unused: nothing was queued for it.
      const seen = (await b.store.sql.query<{ signature_hash: string }>('select signature_hash from webhook_signatures_seen order by 1')).rows.map((r) => r.signature_hash);
      expect(seen).toEqual(['a', 'c', 'used-before']);
      expect(await tables()).toMatchObject({ runs: 4, inputs: 4, jobs: 4 });
    });

    it('refuses a request that would fail its whole batch (a NUL character) before it joins one', async () => {
      const launcher = launcherWith();
      await expect(launcher.enqueue(request(1, { triggerRef: 'bad\u0000ref' }))).rejects.toThrow(/NUL character/);
      expect(launcher.commitStats().items).toBe(0);
    });
  });
}
