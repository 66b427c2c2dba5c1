/**
 * Stores, a flow and inputs for queue tests: PGlite in memory always, and a
 * fresh Postgres schema (plus pg-boss's `<schema>_jobs`) when TEST_DATABASE_URL is set.
 */
import { forgetMarkerTable } from '../../../nodes/target/delivery-markers.ts';
import pg from 'pg';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import type { RunRow, Store } from '../../../runtime/store/store.ts';
import { openPgliteDatabase, openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import type { QueuedRunInput } from '../../../runtime/queue/run-launcher.ts';
import type { QueueTuning } from '../../../runtime/queue/queue-options.ts';
import { isTerminal } from '../../../runtime/engine/run-types.ts';
import { dropPostgresTargetDatabases, targetDatabase } from '../../../runtime/store/target-databases.ts';
import { bossSchemaFor } from '../../../runtime/queue/boss.ts';

export type BackendName = 'pglite' | 'postgres';

export function backendNames(): BackendName[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface OpenedBackend {
  /** The one handle (queue, targets); `store` is its store. */
  database: Database;
  store: Store;
  /** The store's Postgres schema (postgres only). */
  schema?: string;
  cleanup(): Promise<void>;
}

let counter = 0;

export function freshSchemaName(prefix = 'lf_queue'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
}

export async function dropSchemas(url: string, schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists ${s} cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Backends handed back by `cleanup()` in this file, emptied and ready for the
 * next test: a PGlite store is a process of its own (and its target database
 * another), so starting two per test cost seconds; emptying one costs little.
 */
const spare = new Map<BackendName, { database: Database; schema?: string; close(): Promise<void> }>();
/** Only inside vitest, which closes the spares at the end of the file; a benchmark closes its store at once. */
const reuse = Boolean(process.env.VITEST);

if (reuse) {
  // Registered while the test file imports this module: the spares are closed (and their schemas and
  // databases dropped) when the file ends. Imported lazily so the benchmarks can use these fixtures too.
  const { afterAll } = await import('vitest');
  afterAll(async () => {
    const left = [...spare.values()];
    spare.clear();
    for (const b of left) await b.close();
  });
}

/** Drops everything the store, its job queue and its target database `db` hold, and migrates afresh. */
async function emptyBackend(database: Database, schema: string | undefined): Promise<void> {
  const { store } = database;
  const storeSchema = schema ?? 'public';
  await store.sql.query(`drop schema if exists ${bossSchemaFor(database)} cascade`);
  await store.sql.query(`drop schema ${storeSchema} cascade`);
  if (!schema) await store.sql.query('create schema public');
  await store.migrate();
  const target = targetDatabase(database, 'db');
  await target.query('drop schema public cascade');
  await target.query('create schema public');
  // The same client serves the next test: it must not remember the marker table it just lost.
  forgetMarkerTable(target);
}

/**
 * A new, empty, migrated store of the backend, with its job queue and target
 * databases. Within one test file the store of an earlier test is reused once
 * its cleanup has emptied it (schemas dropped and migrated afresh), which is
 * what a new one would be; it is closed when the file ends.
 */
export async function openBackend(name: BackendName): Promise<OpenedBackend> {
  const reused = spare.get(name);
  spare.delete(name);
  const opened = reused ?? await openFresh(name);
  let cleaned = false;
  return {
    database: opened.database, store: opened.database.store, schema: opened.schema,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      if (!reuse) return opened.close();
      try {
        await emptyBackend(opened.database, opened.schema);
      } catch {
        // Closed or broken by the test: the next test gets a new one.
        await opened.close();
        return;
      }
      const left = spare.get(name);
      spare.set(name, opened);
      await left?.close();
    },
  };
}

async function openFresh(name: BackendName): Promise<{ database: Database; schema?: string; close(): Promise<void> }> {
  if (name === 'pglite') {
    const database = await openPgliteDatabase({});
    return { database, close: () => database.close().catch(() => {}) };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = freshSchemaName();
  const database = await openPostgresDatabase({ connectionString: url, schema, poolSize: 6 });
  return {
    database, schema,
    close: async () => {
      await database.close().catch(() => {});
      await dropSchemas(url, [schema, `${schema}_jobs`]);
      await dropPostgresTargetDatabases(url, schema);
    },
  };
}

/** Short timings so retries and heartbeats happen within a test. */
export const TEST_TUNING: Partial<QueueTuning> = {
  chunkSize: 4,
  chunksPerInsert: 2,
  superviseIntervalSeconds: 1,
  retryLimit: 2,
};

const node = (id: string, type: string, config: Record<string, unknown>, x: number): FlowNode => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });

/**
 * webhook (JSON lines) → map `row` → validate (amount > 0, known currency) → upsert into q_rows.
 * Records: `{ id, amount, currency, row: { id, amount } }`.
 */
export function queueFlow(id = 'queue-test', table = 'q_rows'): FlowDocument {
  return {
    id, name: 'Queue test',
    recordKey: 'id', businessKey: 'id',
    amount: { value: 'amount', currency: 'currency' },
    connections: { db: { kind: 'postgres' } },
    referenceData: { currencies: { stored: 'queue-test-currencies', key: 'code' } },
    nodes: [
      node('events', 'source.webhook', {}, 0),
      node('map', 'transform.jsonata', { expression: 'row', fanOut: false }, 200),
      node('check', 'validate.record', {
        rules: [{ id: 'positive', expression: '$number(amount) > 0', message: 'amount {{amount}} must be positive', severity: 'error', field: 'amount' }],
        references: [],
      }, 400),
      node('rows', 'target.postgres', {
        connection: 'db', table, mode: 'upsert', keyColumns: ['id'], columns: { id: 'id', amount: 'amount' }, batchSize: 100, idempotencyKey: 'id',
      }, 600),
    ],
    edges: [
      { id: 'e1', source: 'events', target: 'map' },
      { id: 'e2', source: 'map', target: 'check' },
      { id: 'e3', source: 'check', sourceHandle: 'valid', target: 'rows' },
    ],
  };
}

/** Creates the target table (in connection `db`'s own database), saves the flow as version 1 and loads its reference data. */
export async function setUpFlow(database: Database, doc: FlowDocument = queueFlow(), table = 'q_rows'): Promise<void> {
  const { store } = database;
  await targetDatabase(database, 'db').query(`create table if not exists ${table} (id text primary key, amount numeric not null)`);
  await store.saveDraft(doc, 'tester');
  await store.saveVersion(doc.id, doc, 'tester', 'first');
  await store.putReferenceSet({ set: 'queue-test-currencies', keyFields: ['code'], rows: [{ code: 'EUR' }, { code: 'USD' }] });
}

export interface TestRecord { id: string; amount: string; currency: string; row: { id: string; amount: string } }

export function records(n: number, amountOf: (i: number) => string = (i) => `${i}.25`, prefix = 'r'): TestRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    const id = `${prefix}${i}`;
    return { id, amount: amountOf(i), currency: 'EUR', row: { id, amount: amountOf(i) } };
  });
}

export function jsonlInput(list: unknown[], name = 'events.jsonl'): QueuedRunInput {
  return { kind: 'document', name, bytes: new TextEncoder().encode(`${list.map((r) => JSON.stringify(r)).join('\n')}\n`) };
}

/** Polls the run until it has ended. */
export async function waitForRun(store: Store, runId: string, timeoutMs = 30_000): Promise<RunRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.getRun(runId);
    if (run && isTerminal(run.status)) return run;
    if (Date.now() > until) throw new Error(`run ${runId} did not finish within ${timeoutMs} ms (status ${run?.status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function count(store: Store, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await store.sql.query<{ n: unknown }>(sql, params);
  return Number(rows[0].n);
}

/** A count in the flow's target database (connection `db`), not the store. */
export async function countTarget(database: Database, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await targetDatabase(database, 'db').query<{ n: unknown }>(sql, params);
  return Number(rows[0].n);
}
