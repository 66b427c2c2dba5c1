/**
 * Per-key delivery order with two `ledgerflow worker` processes on a real
 * Postgres (TEST_DATABASE_URL; skipped otherwise). Records of seven accounts
 * are spread over the file; the target table numbers rows in the order they
 * reach it. The first record's row is held at the target (a trigger waits on
 * an advisory lock the test holds) until rows of other chunks have been
 * committed, so a later chunk of the same account, worked by the other loop or
 * process, would overtake it. With the flow's `ordering: { key: 'acct' }`
 * every account's rows arrive in source order; without it the run is still
 * delivered exactly once, and the held chunk is overtaken.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import type { RunLauncher } from '../../../runtime/queue/run-launcher.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { databaseOf, dropPostgresTargetDatabases, targetDatabase, targetDatabaseName } from '../../../runtime/store/target-databases.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import {
  TEST_TUNING, backendNames, count, dropSchemas, freshSchemaName, jsonlInput, openBackend, queueFlow, records, setUpFlow, waitForRun, type OpenedBackend,
} from './queue-fixtures.ts';
import { spawnWorker, type WorkerProcess } from './scale-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;
const RECORDS = 2100;
const CHUNK = 100;
const ACCOUNTS = 7;
const GATE = 420_042;

const node = (id: string, type: string, config: Record<string, unknown>, x: number): FlowNode => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });

function flow(id: string, ordered: boolean): FlowDocument {
  return {
    id, name: id, recordKey: 'id', businessKey: 'acct',
    amount: { value: 'amount', currency: "'EUR'" },
    ...(ordered ? { ordering: { key: 'acct', partitions: 4 } } : {}),
    connections: { db: { kind: 'postgres' } },
    nodes: [
      node('events', 'source.webhook', {}, 0),
      node('map', 'transform.jsonata', { expression: 'row', fanOut: false }, 200),
      node('rows', 'target.postgres', {
        connection: 'db', table: 'ordered_rows', mode: 'insert', columns: { id: 'id', acct: 'acct', seq: 'seq' }, batchSize: 500, idempotencyKey: 'id',
      }, 400),
    ],
    edges: [{ id: 'e1', source: 'events', target: 'map' }, { id: 'e2', source: 'map', target: 'rows' }],
  };
}

/** Account of record `seq`: every chunk of 100 consecutive records holds all seven. */
const accountOf = (seq: number) => `A${seq % ACCOUNTS}`;

function input(prefix: string) {
  return jsonlInput(Array.from({ length: RECORDS }, (_, k) => {
    const seq = k + 1;
    const row = { id: `${prefix}${seq}`, acct: accountOf(seq), seq };
    return { ...row, amount: `${seq}.00`, row };
  }));
}

describe.skipIf(!url)('per-key order with two worker processes', () => {
  const schema = freshSchemaName('lf_order');
  let store: Store;
  let database: Database;
  let boss: PgBoss;
  let launcher: RunLauncher;
  let gate: pg.Client;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 2 });
    store = database.store;
    const target = targetDatabase(database, 'db');
    // n numbers rows in the order they reach the table (after the hold of record 1, not when the statement began).
    await target.query('create sequence ordered_n');
    await target.query('create table ordered_rows (n bigint, id text primary key, acct text not null, seq int not null)');
    await target.query(`create function ordered_arrival() returns trigger language plpgsql as $$
      begin
        if new.seq = 1 then perform pg_advisory_xact_lock(${GATE}); end if;
        new.n := nextval('ordered_n');
        return new;
      end $$`);
    await target.query('create trigger ordered_arrival before insert on ordered_rows for each row execute function ordered_arrival()');
    for (const [id, ordered] of [['ordered', true], ['unordered', false]] as const) {
      const doc = flow(id, ordered);
      await store.saveDraft(doc, 'tester');
      await store.saveVersion(doc.id, doc, 'tester', 'first');
    }
    await connectionsRepo(store.sql).putConnection({ environment: 'test', name: 'db', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'tester' });
    const targetUrl = new URL(url!);
    targetUrl.pathname = `/${targetDatabaseName(databaseOf(url!), schema, 'db')}`;
    gate = new pg.Client({ connectionString: targetUrl.toString() });
    await gate.connect();
    boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
    launcher = createRunLauncher({ database, boss });
    workers = await Promise.all([spawnWorker(url!, schema, ['--chunk-size', String(CHUNK)]), spawnWorker(url!, schema, ['--chunk-size', String(CHUNK)])]);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await gate?.end().catch(() => {});
    await boss?.stop({ graceful: false });
    await database?.close();
    await dropSchemas(url!, [schema, `${schema}_jobs`]);
    await dropPostgresTargetDatabases(url!, schema);
  }, 60_000);

  const rowsOf = async (prefix: string) => (await targetDatabase(database, 'db').query<{ n: unknown; acct: string; seq: number }>(
    'select n, acct, seq from ordered_rows where starts_with(id, $1) order by n', [prefix])).rows;

  /** Runs `flowId` with record 1 held at the target until rows of other chunks are in; returns the rows in arrival order. */
  async function heldRun(flowId: string, prefix: string) {
    await gate.query('select pg_advisory_lock($1)', [GATE]);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await gate.query('select pg_advisory_unlock($1)', [GATE]);
    };
    try {
      const queued = await launcher.enqueue({ flowId, version: 1, environment: 'test', trigger: 'manual', input: input(prefix), requestedBy: 'tester' });
      // Wait (no fixed sleep) until another chunk committed rows while record 1's chunk is held.
      const until = Date.now() + 150_000;
      while ((await rowsOf(prefix)).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect((await rowsOf(prefix)).length).toBeGreaterThan(0);
      await release();
      const run = await waitForRun(store, queued.id, 240_000);
      return { run, rows: await rowsOf(prefix) };
    } finally {
      await release();
    }
  }

  const expectExactlyOnce = async (runId: string, rows: unknown[]) => {
    expect(rows).toHaveLength(RECORDS);
    expect(await count(store, 'select count(distinct lineage_key) as n from record_traces where run_id = $1', [runId])).toBe(RECORDS);
    expect(await count(store, 'select count(*) as n from record_traces where run_id = $1', [runId])).toBe(RECORDS);
  };

  /** Per account, the record numbers in the order their rows arrived. */
  const arrivalsByAccount = (rows: { acct: string; seq: number }[]) => {
    const by = new Map<string, number[]>();
    for (const r of rows) by.set(r.acct, [...(by.get(r.acct) ?? []), Number(r.seq)]);
    return by;
  };

  it('with ordering, each account\'s records reach the target in source order', async () => {
    const { run, rows } = await heldRun('ordered', 'o');
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ read: RECORDS, delivered: RECORDS, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 });
    await expectExactlyOnce(run.id, rows);
    const by = arrivalsByAccount(rows);
    expect(by.size).toBe(ACCOUNTS);
    for (const seqs of by.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }, 300_000);

  it('without ordering, the run is still delivered exactly once (and the held chunk is overtaken)', async () => {
    const { run, rows } = await heldRun('unordered', 'u');
    expect(run.status).toBe('succeeded');
    await expectExactlyOnce(run.id, rows);
    const first = arrivalsByAccount(rows).get(accountOf(1))!;
    // Record 1 arrived after later records of its own account: what ordering prevents.
    expect(first[0]).not.toBe(1);
  }, 300_000);
});

/**
 * The same on each backend with one in-process queue of two loops: every
 * chunk of a key sequence commits after the chunk it follows, and the run's
 * figures and traces are those of the same records run without ordering.
 */
for (const backend of backendNames()) {
  describe(`per-key order on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      await setUpFlow(b.database);
      const ordered = { ...queueFlow(), ordering: { key: 'currency', partitions: 3 } };
      await b.store.saveVersion(ordered.id, ordered, 'tester', 'ordered by currency');
    }, 300_000);

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    }, 300_000);

    it('commits each chunk after the one before it in its key sequence, with the figures of an unordered run', async () => {
      const committed: number[] = [];
      queue = await startQueue({
        database: b.database, tuning: TEST_TUNING, concurrency: 2,
        hooks: { beforeChunkCommit: ({ chunkNo }) => { committed.push(chunkNo); } },
      });
      // Currencies in runs of three: chunks of four hold records of one currency each.
      const list = (prefix: string) => records(30, (i) => `${i}.50`, prefix).map((r, k) => ({ ...r, currency: Math.floor(k / 3) % 2 ? 'USD' : 'EUR' }));
      const run = async (version: number, prefix: string) => {
        const queued = await queue!.launcher.enqueue({
          flowId: 'queue-test', version, environment: 'dev', trigger: 'manual', input: jsonlInput(list(prefix)), requestedBy: 'tester',
        });
        return waitForRun(b.store, queued.id, 300_000);
      };
      const orderedRun = await run(2, 'o');
      const chain = await b.store.sql.query<{ chunk_no: unknown; after_chunk: unknown }>(
        'select chunk_no, after_chunk from run_chunks where run_id = $1 order by chunk_no', [orderedRun.id]);
      // 15 records of each currency in chunks of four: four chunks per sequence, three following another.
      expect(chain.rows.filter((r) => r.after_chunk !== null)).toHaveLength(6);
      const position = (no: unknown) => committed.indexOf(Number(no));
      for (const r of chain.rows) if (r.after_chunk !== null) expect(position(r.chunk_no)).toBeGreaterThan(position(r.after_chunk));

      const plainRun = await run(1, 'p');
      const shape = async (runId: string) => (await b.store.listTraces(runId, {}, { limit: 100 })).items
        .map((t) => [t.lineageKey, t.outcome, t.businessKey?.slice(1)]).sort((x, y) => Number(x[0]) - Number(y[0]));
      expect(orderedRun.status).toBe('succeeded');
      expect(orderedRun.counts).toEqual(plainRun.counts);
      expect(orderedRun.reconciliation?.totals).toEqual(plainRun.reconciliation?.totals);
      expect(await shape(orderedRun.id)).toEqual(await shape(plainRun.id));
    }, 700_000);
  });
}
