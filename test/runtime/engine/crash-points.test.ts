/**
 * Exactly once at every crash point, without timing: a chunk is written into
 * three targets (Postgres insert without a unique key, Postgres insert with a
 * primary key, HTTP honouring Idempotency-Key), and its first attempt "dies"
 * at a named moment — before a batch, after the target committed it and
 * before the ledger heard of it, after the ledger confirmed it, or after any
 * one SQL statement sent to a target. Dying means everything the attempt does
 * afterwards fails (ledger, target database, network), as for a killed
 * process. The retry under the same claim token must then leave one row per
 * record in each table, one acknowledged request per key (re-sent only with
 * the same key, only when unacknowledged), every record delivered, none dead-lettered.
 * On PGlite always, and on Postgres when TEST_DATABASE_URL is set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import type { ConnectionResolver, SqlClient } from '../../../nodes/define-node.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { prepareFlow, type PreparedFlow } from '../../../runtime/engine/prepare-flow.ts';
import { processChunk, type ChunkIO, type RootRecord } from '../../../runtime/engine/process-chunk.ts';
import type { CrashPoint, IdempotencyLedger } from '../../../runtime/engine/run-types.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { backendNames, openBackend, type OpenedBackend } from '../queue/queue-fixtures.ts';
import { edge, flowOf, node } from './engine-fixtures.ts';

const RECORDS = 10;
const BATCH = 3;
const BATCHES = Math.ceil(RECORDS / BATCH);
const TARGETS = ['plain', 'keyed', 'api'] as const;

class Died extends Error {
  constructor() {
    super('worker died');
  }
}

/** The attempt's process: once dead, nothing it does reaches the outside world. */
class Life {
  dead = false;
  statements = 0;
  constructor(private readonly dieAfterStatements = Infinity) {}
  check(text?: string): void {
    // The server rolls back what a dead connection left open.
    if (text !== undefined && /^\s*ROLLBACK/i.test(text)) return;
    if (this.dead) throw new Died();
    if (text !== undefined && ++this.statements > this.dieAfterStatements) {
      this.dead = true;
      throw new Died();
    }
  }
}

function mortalSql(sql: SqlClient, life: Life): SqlClient {
  return {
    async query(text, params) {
      life.check(text);
      return sql.query(text, params);
    },
    transaction: (fn) => sql.transaction((tx) => fn(mortalSql(tx, life))),
  };
}

function mortalLedger(ledger: IdempotencyLedger, life: Life): IdempotencyLedger {
  const guard = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A) => {
    life.check();
    return f(...a);
  };
  return {
    claim: guard(ledger.claim.bind(ledger)),
    deliveredUnder: guard(ledger.deliveredUnder.bind(ledger)),
    confirm: guard(ledger.confirm.bind(ledger)),
    answers: guard(ledger.answers.bind(ledger)),
    release: guard(ledger.release.bind(ledger)),
  };
}

/** An API that honours Idempotency-Key: the first request of a key is acknowledged (201), repeats get 200 and change nothing. */
class KeyedApi {
  requests = new Map<string, number>();
  acknowledged = new Map<string, number>();
  fetchFor(life: Life): typeof fetch {
    return (async (_url: string, init: RequestInit) => {
      life.check();
      const key = (init.headers as Record<string, string>)['Idempotency-Key'];
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
      const first = !this.acknowledged.has(key);
      if (first) this.acknowledged.set(key, 1);
      return new Response(JSON.stringify({ id: `api-${key}` }), { status: first ? 201 : 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
  }
}

// A second try within the attempt, quickly: the dead attempt fails fast.
const retry = { retry: { attempts: 2, backoffMs: 1, maxBackoffMs: 1 } };

const doc = flowOf([
  node('in', 'source.webhook', {}),
  node('plain', 'target.postgres', { connection: 'db', table: 'eo_plain', mode: 'insert', keyColumns: [], columns: { id: 'id', amount: 'amount' }, batchSize: BATCH, idempotencyKey: 'id' }, retry),
  node('keyed', 'target.postgres', { connection: 'db', table: 'eo_keyed', mode: 'insert', keyColumns: ['id'], columns: { id: 'id', amount: 'amount' }, batchSize: BATCH, idempotencyKey: 'id' }, retry),
  node('api', 'target.http', { connection: 'api', method: 'POST', path: '/entries', batchSize: BATCH, concurrency: 1, timeoutMs: 5000, idToField: 'id', idempotencyKey: 'id' }, retry),
], [edge('in', 'plain'), edge('in', 'keyed'), edge('in', 'api')], { id: 'crash-flow', connections: { db: { kind: 'postgres' }, api: { kind: 'http' } } });

const roots: RootRecord[] = Array.from({ length: RECORDS }, (_, k) => {
  const id = `R${k + 1}`;
  const amount = `${k + 1}.10`;
  return { seq: k + 1, sourceKey: id, businessKey: id, amount, currency: 'EUR', data: { id, amount } };
});

for (const backend of backendNames()) describe(`exactly once at every crash point (${backend})`, () => {
  let opened: OpenedBackend;
  let store: Store;
  let flow: PreparedFlow;
  let api: KeyedApi;
  let runNo = 0;

  beforeAll(async () => {
    opened = await openBackend(backend);
    store = opened.store;
    await store.sql.query('create table eo_plain (id text not null, amount numeric not null)');
    await store.sql.query('create table eo_keyed (id text primary key, amount numeric not null)');
    flow = prepareFlow(doc, { catalog, evaluator: createReferenceEvaluator(), reference: createReferenceData({}), functions: {} });
  }, 60_000);

  afterAll(async () => {
    await opened?.cleanup();
  });

  beforeEach(async () => {
    for (const table of ['eo_plain', 'eo_keyed', 'idempotency_ledger']) await store.sql.query(`delete from ${table}`);
    await store.sql.query('drop table if exists ledgerflow_delivery');
    api = new KeyedApi();
  });

  function io(runId: string, life: Life, crashPoint?: ChunkIO['crashPoint']): ChunkIO {
    const sql = mortalSql(store.sql, life);
    const connections: ConnectionResolver = { sql: () => sql, http: () => ({ baseUrl: 'http://api.test', headers: {} }) };
    return {
      runId, claimToken: `${runId}:1`, ledger: mortalLedger(store.ledger, life),
      target: { connections, files: { append: async () => {} }, fetch: api.fetchFor(life), signal: new AbortController().signal },
      ...(crashPoint ? { crashPoint } : {}),
    };
  }

  /** First attempt dies as `kill` decides; the retry runs to the end. Returns the retry's result. */
  async function crashThenRetry(life: Life, crashPoint?: ChunkIO['crashPoint'], prepared = flow) {
    const runId = `run-${++runNo}`;
    await expect(processChunk(prepared, roots, io(runId, life, crashPoint))).rejects.toThrow();
    expect(life.dead).toBe(true);
    return { runId, result: await processChunk(prepared, roots, io(runId, new Life())) };
  }

  async function expectExactlyOnce(runId: string, result: Awaited<ReturnType<typeof processChunk>>) {
    for (const table of ['eo_plain', 'eo_keyed']) {
      const { rows } = await store.sql.query<{ n: unknown; d: unknown }>(`select count(*) as n, count(distinct id) as d from ${table}`);
      expect({ table, rows: Number(rows[0].n), distinct: Number(rows[0].d) }).toEqual({ table, rows: RECORDS, distinct: RECORDS });
    }
    expect(api.acknowledged.size).toBe(RECORDS);
    expect([...api.acknowledged.values()].every((n) => n === 1)).toBe(true);
    // One trace per record and target, each delivered; nothing dead-lettered or counted duplicate.
    expect(result.traces).toHaveLength(RECORDS * TARGETS.length);
    expect(new Set(result.traces.map((t) => t.lineageKey)).size).toBe(RECORDS * TARGETS.length);
    expect(result.traces.filter((t) => t.outcome !== 'delivered')).toEqual([]);
    expect(result.deadLetters).toEqual([]);
    expect(result.reconciliation.counts).toMatchObject({ delivered: RECORDS, deadLettered: 0, duplicate: 0 });
    const ledger = await store.sql.query<{ n: unknown }>(`select count(*) as n from idempotency_ledger where state = 'delivered' and claim_token = $1`, [`${runId}:1`]);
    expect(Number(ledger.rows[0].n)).toBe(RECORDS * TARGETS.length);
    for (const nodeId of ['plain', 'keyed']) {
      const markers = await store.sql.query<{ n: unknown }>('select count(*) as n from ledgerflow_delivery where run_id = $1 and scope = $2', [runId, `local/db/table:eo_${nodeId}`]);
      expect(Number(markers.rows[0].n)).toBe(RECORDS);
    }
  }

  const points: CrashPoint[] = ['before-batch', 'after-batch', 'after-confirm'];
  const cases = TARGETS.flatMap((target) => points.flatMap((point) => Array.from({ length: BATCHES }, (_, batch) => ({ target, point, batch }))))
    // Postgres targets record deliveries themselves and are confirmed once per chunk: no `after-confirm` point.
    .filter((c) => !(c.point === 'after-confirm' && c.target !== 'api'));

  it.each(cases)('dies at $point of batch $batch of $target: retried, every record written once', async ({ target, point, batch }) => {
    const life = new Life();
    const { runId, result } = await crashThenRetry(life, (p, at) => {
      if (p === point && at.nodeId === target && at.batch === batch) {
        life.dead = true;
        throw new Died();
      }
    });
    await expectExactlyOnce(runId, result);
    // An HTTP record is sent again only when its acknowledgement was not recorded: the batch in flight.
    const resent = [...api.requests.values()].filter((n) => n > 1).length;
    expect(resent).toBeLessThanOrEqual(target === 'api' && point === 'after-batch' ? BATCH : 0);
  });

  it('dies after any single SQL statement sent to the target databases: retried, every record written once', async () => {
    // Count the statements of an attempt that does not die (marker table already there), then die after each of them in turn.
    await processChunk(flow, roots, io(`warm-up-${++runNo}`, new Life()));
    for (const table of ['eo_plain', 'eo_keyed', 'idempotency_ledger', 'ledgerflow_delivery']) await store.sql.query(`delete from ${table}`);
    api = new KeyedApi();
    const probe = new Life();
    await processChunk(flow, roots, io(`probe-${++runNo}`, probe));
    expect(probe.statements).toBeGreaterThan(BATCHES * 2);
    for (let n = 0; n < probe.statements; n++) {
      for (const table of ['eo_plain', 'eo_keyed', 'idempotency_ledger', 'ledgerflow_delivery']) await store.sql.query(`delete from ${table}`);
      api = new KeyedApi();
      const { runId, result } = await crashThenRetry(new Life(n));
      await expectExactlyOnce(runId, result);
    }
  }, 120_000);

  it('with a shared transaction (both tables on one connection): dies after any single SQL statement, retried, every record written once', async () => {
    const shared = prepareFlow({ ...doc, sharedTransaction: true }, { catalog, evaluator: createReferenceEvaluator(), reference: createReferenceData({}), functions: {} });
    const reset = async () => {
      for (const table of ['eo_plain', 'eo_keyed', 'idempotency_ledger', 'ledgerflow_delivery']) await store.sql.query(`delete from ${table}`);
      api = new KeyedApi();
    };
    await processChunk(shared, roots, io(`warm-up-${++runNo}`, new Life()));
    await reset();
    const probe = new Life();
    await processChunk(shared, roots, io(`probe-${++runNo}`, probe));
    expect(probe.statements).toBeGreaterThan(2);
    for (let n = 0; n < probe.statements; n++) {
      await reset();
      const { runId, result } = await crashThenRetry(new Life(n), undefined, shared);
      await expectExactlyOnce(runId, result);
    }
  }, 120_000);

  it('another run of the same records writes nothing and counts them duplicate, not dead-lettered', async () => {
    const first = await processChunk(flow, roots, io('run-a', new Life()));
    expect(first.reconciliation.counts.delivered).toBe(RECORDS);
    // Its ledger is gone (a store restored from an old backup): only the target's markers know.
    await store.sql.query('delete from idempotency_ledger');
    const second = await processChunk(flow, roots, io('run-b', new Life()));
    const byTarget = (nodeId: string) => second.traces.filter((t) => t.endNode === nodeId).map((t) => t.outcome);
    expect(byTarget('plain')).toEqual(Array(RECORDS).fill('duplicate'));
    expect(byTarget('keyed')).toEqual(Array(RECORDS).fill('duplicate'));
    expect(second.deadLetters).toEqual([]);
    for (const table of ['eo_plain', 'eo_keyed']) {
      const { rows } = await store.sql.query<{ n: unknown }>(`select count(*) as n from ${table}`);
      expect(Number(rows[0].n)).toBe(RECORDS);
    }
  });
});
