/**
 * The crash loop, on a real Postgres (TEST_DATABASE_URL; skipped otherwise):
 * two `ledgerflow worker` processes run one run of 5,000 records into an
 * insert target without a unique key, an insert target with a primary key and
 * an HTTP API that honours Idempotency-Key, five records a batch, while the
 * test SIGKILLs a worker at random moments (at least ten times) and starts it
 * again. Afterwards each table holds exactly one row per record, the API
 * acknowledged each key once, nothing is dead-lettered and the run's
 * reconciliation (delivery markers included) closes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { openPostgresDatabase, } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { count, dropSchemas, freshSchemaName, waitForRun } from './queue-fixtures.ts';
import { scaleInput, spawnWorker, type WorkerProcess } from './scale-fixtures.ts';
import { dropPostgresTargetDatabases, targetDatabase } from '../../../runtime/store/target-databases.ts';

const url = process.env.TEST_DATABASE_URL;
const RECORDS = 5_000;
const MIN_KILLS = 10;
const WORKER_ARGS = ['--chunk-size', '100', '--concurrency', '2'];

const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, config });
const columns = { id: 'id', amount: 'amount' };

function crashFlow(): FlowDocument {
  return {
    id: 'crash-loop', name: 'Crash loop', recordKey: 'id', businessKey: 'id',
    amount: { value: 'amount', currency: "'EUR'" },
    connections: { db: { kind: 'postgres' }, api: { kind: 'http' } },
    nodes: [
      node('events', 'source.webhook', {}),
      node('plain', 'target.postgres', { connection: 'db', table: 'crash_plain', mode: 'insert', keyColumns: [], columns, batchSize: 5, idempotencyKey: 'id' }),
      node('keyed', 'target.postgres', { connection: 'db', table: 'crash_keyed', mode: 'insert', keyColumns: ['id'], columns, batchSize: 5, idempotencyKey: 'id' }),
      node('api', 'target.http', { connection: 'api', method: 'POST', path: '/entries', batchSize: 5, concurrency: 2, timeoutMs: 10_000, idempotencyKey: 'id' }),
    ],
    edges: ['plain', 'keyed', 'api'].map((t) => ({ id: `e-${t}`, source: 'events', target: t })),
  };
}

/** An API that keeps each Idempotency-Key's first acknowledgement; a repeat gets the same answer and creates nothing. */
class KeyCountingApi {
  readonly requests = new Map<string, number>();
  readonly created = new Map<string, string>();
  /** Answer latency; high until the test has killed enough workers, so the run cannot end before. */
  latencyMs = 60;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
        const first = !this.created.has(key);
        if (first) this.created.set(key, (JSON.parse(body) as { id: string }).id);
        setTimeout(() => {
          res.writeHead(first ? 201 : 200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: key }));
        }, this.latencyMs);
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((done) => this.server?.close(done) ?? done(undefined));
  }
}

const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!url)('crash loop: workers SIGKILLed at random, every record exactly once', () => {
  const schema = freshSchemaName('lf_crash');
  const api = new KeyCountingApi();
  let store: Store;
  let database: Database;
  let boss: PgBoss;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    const apiUrl = await api.start();
    database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 4 });
    store = database.store;
    await targetDatabase(database, 'db').query('create table crash_plain (id text not null, amount numeric not null)');
    await targetDatabase(database, 'db').query('create table crash_keyed (id text primary key, amount numeric not null)');
    const doc = crashFlow();
    await store.saveDraft(doc, 'test');
    await store.saveVersion(doc.id, doc, 'test', 'v1');
    const repo = connectionsRepo(store.sql);
    await repo.putConnection({ environment: 'test', name: 'db', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'test' });
    await repo.putConnection({ environment: 'test', name: 'api', kind: 'http', settings: { baseUrl: apiUrl }, encryptedSecrets: {}, updatedBy: 'test' });
    boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (alive(w)) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await boss?.stop({ graceful: false });
    await store?.close();
    await api.stop();
    if (url) await dropSchemas(url, [schema, `${schema}_jobs`]);
    if (url) await dropPostgresTargetDatabases(url, schema);
  }, 60_000);

  it(`${RECORDS} records into two tables and an API, ≥ ${MIN_KILLS} SIGKILLs: one row per record, one acknowledgement per key, nothing dead-lettered, totals close`, async () => {
    const started = Date.now();
    const slots: (WorkerProcess | null)[] = await Promise.all([spawnWorker(url!, schema, WORKER_ARGS), spawnWorker(url!, schema, WORKER_ARGS)]);
    workers.push(...(slots as WorkerProcess[]));
    const launcher = createRunLauncher({ database, boss });
    const queued = await launcher.enqueue({ flowId: 'crash-loop', version: 1, environment: 'test', trigger: 'manual', input: scaleInput(RECORDS, 'c'), requestedBy: 'test' });

    // Every 0.5–2 s, SIGKILL a started worker — one with a chunk of the run in hand when there is one — and start
    // its replacement meanwhile, while the run is running.
    let kills = 0;
    let midChunk = 0;
    const restarts: Promise<void>[] = [];
    const status = async () => (await store.getRun(queued.id))?.status;
    while (kills < MIN_KILLS || (kills < MIN_KILLS * 2 && Date.now() - started < 40_000)) {
      const now = await status();
      if (now !== 'running' && now !== 'queued') break;
      await pause(500 + Math.random() * 1_500);
      const candidates = slots.flatMap((w, i) => (w && alive(w) ? [i] : []));
      if (candidates.length === 0) continue;
      // On a busy machine a restarted worker takes a while to claim work: wait up to 5 s for one to hold a chunk,
      // so that kills land mid-chunk (what this test is about) rather than only between chunks.
      let holding: number[] = [];
      for (let waited = 0; waited < 5_000 && holding.length === 0; waited += 100) {
        const { rows: busy } = await store.sql.query<{ worker_id: string }>(
          `select distinct worker_id from run_chunks where run_id = $1 and status = 'pending' and worker_id is not null`, [queued.id]);
        holding = candidates.filter((i) => busy.some((b) => b.worker_id === slots[i]!.id) && alive(slots[i]!));
        if (holding.length === 0) await pause(100);
      }
      const pick = holding.length ? holding : candidates;
      const slot = pick[Math.floor(Math.random() * pick.length)];
      if (holding.length) midChunk++;
      slots[slot]!.child.kill('SIGKILL');
      await slots[slot]!.exited;
      kills++;
      if (kills >= MIN_KILLS) api.latencyMs = 5;
      slots[slot] = null;
      restarts.push(spawnWorker(url!, schema, WORKER_ARGS).then((w) => {
        slots[slot] = w;
        workers.push(w);
      }));
    }
    const killing = Math.round((Date.now() - started) / 1000);
    await Promise.all(restarts);
    const run = await waitForRun(store, queued.id, 150_000);
    const seconds = Math.round((Date.now() - started) / 1000);

    const rows = async (table: string) => {
      const { rows: r } = await targetDatabase(database, 'db').query<{ n: unknown; d: unknown }>(`select count(*) as n, count(distinct id) as d from ${table}`);
      return { rows: Number(r[0].n), distinct: Number(r[0].d) };
    };
    const plain = await rows('crash_plain');
    const keyed = await rows('crash_keyed');
    const resent = [...api.requests.values()].filter((n) => n > 1).length;
    const retried = await count(store, 'select count(*) as n from run_chunks where run_id = $1 and attempts > 1', [run.id]);
    const deadLetters = await count(store, 'select count(*) as n from dead_letters where run_id = $1', [run.id]);
    console.log(`[crash-loop] ${kills} SIGKILLs (${midChunk} of a worker holding a chunk) in the first ${killing} s, ${RECORDS} records, ${seconds} s in all: crash_plain ${plain.rows} rows (${plain.rows - plain.distinct} duplicates), `
      + `crash_keyed ${keyed.rows} rows (${keyed.rows - keyed.distinct} duplicates), API ${api.created.size} keys acknowledged once, `
      + `${resent} re-sent with the same key; ${retried} chunk(s) retried; dead letters ${deadLetters}; status ${run.status}, closes ${run.reconciliation?.closes}`);

    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ read: RECORDS, delivered: RECORDS, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 });
    expect(run.reconciliation?.closes).toBe(true);
    expect(plain).toEqual({ rows: RECORDS, distinct: RECORDS });
    expect(keyed).toEqual({ rows: RECORDS, distinct: RECORDS });
    expect(api.created.size).toBe(RECORDS);
    expect([...api.created].every(([key, id]) => key === id)).toBe(true);
    expect(deadLetters).toBe(0);
    // One final trace per record and target.
    const traces = await store.sql.query<{ n: unknown; d: unknown }>(
      `select count(*) as n, count(distinct lineage_key) as d from record_traces where run_id = $1 and outcome = 'delivered'`, [run.id]);
    expect({ n: Number(traces.rows[0].n), d: Number(traces.rows[0].d) }).toEqual({ n: RECORDS * 3, d: RECORDS * 3 });
    expect(retried).toBeGreaterThan(0);
  }, 240_000);
});
