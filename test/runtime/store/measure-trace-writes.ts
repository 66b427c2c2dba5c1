/**
 * Compares ways of writing trace rows (not a test; run by hand):
 *   node --import tsx test/runtime/store/measure-trace-writes.ts [rows] [rounds]
 * Postgres is included when TEST_DATABASE_URL is set. Each method starts from
 * an empty table with the real indexes; times include encoding the rows.
 * MEASURE_DROP_INDEXES=a,b drops those indexes first (to see what they cost).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../../runtime/store/db.ts';
import { createPgliteProcessDb, startPgliteProcess } from '../../../runtime/store/pglite-process.ts';
import { createPostgresDb } from '../../../runtime/store/postgres-db.ts';
import { migrate } from '../../../runtime/store/migrate.ts';
import { syntheticTrace } from '../../bench/synthetic-trace.ts';
import { TRACE_COLUMNS, traceLine, runPrefix, type RunColumns } from '../../../runtime/store/trace-rows.ts';
import { jsonText } from '../../../runtime/store/copy-text.ts';
import type { RecordTrace } from '../../../runtime/engine/run-types.ts';

const ROWS = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const BATCH = 500;
const run: RunColumns = { runId: 'run_measure', flowId: 'po-to-erp', version: 1, environment: 'dev' };
const cols = TRACE_COLUMNS.join(', ');

function values(t: RecordTrace): unknown[] {
  return [t.runId, run.flowId, run.version, run.environment, t.lineageKey, t.sourceKey, t.businessKey, t.path,
    t.outcome, t.endNode, t.targetNode ?? null, t.idempotencyKey ?? null, t.targetRef ?? null, t.targetStatus ?? null,
    t.errorClass ?? null, jsonText(t.error), jsonText(t.failures), jsonText(t.retries), jsonText(t.input),
    jsonText(t.output), jsonText(t.steps), t.amount ?? null, t.currency ?? null,
    t.eventTime === undefined ? null : new Date(t.eventTime).toISOString(), new Date(t.finishedAt).toISOString(), t.itemKey ?? null, null];
}

const TYPES = ['text', 'text', 'int', 'text', 'text', 'text', 'text', 'text[]', 'text', 'text', 'text', 'text', 'text',
  'int', 'text', 'jsonb', 'jsonb', 'jsonb', 'jsonb', 'jsonb', 'jsonb', 'numeric', 'text', 'timestamptz', 'timestamptz', 'text', 'boolean'];

type Method = (db: Db, batch: RecordTrace[]) => Promise<void>;

const methods: Record<string, Method> = {
  async copy(db, batch) {
    const prefix = runPrefix(run);
    let text = '';
    for (const t of batch) text += traceLine(t, run, prefix);
    await db.copyFrom('record_traces', TRACE_COLUMNS, text);
  },
  async values(db, batch) {
    const params: unknown[] = [];
    const rows: string[] = [];
    for (const t of batch) {
      const v = values(t);
      rows.push(`(${v.map((_, i) => `$${params.length + i + 1}::${TYPES[i]}`).join(',')})`);
      params.push(...v);
    }
    await db.query(`insert into record_traces (${cols}) values ${rows.join(',')}`, params);
  },
  async recordset(db, batch) {
    let json = '[';
    batch.forEach((t, n) => {
      const v = values(t);
      json += `${(n ? ',{' : '{') + v.map((x, i) => `${JSON.stringify(TRACE_COLUMNS[i])}:${x === null ? 'null' : TYPES[i] === 'jsonb' ? x : JSON.stringify(x)}`).join(',')}}`;
    });
    json += ']';
    const def = TRACE_COLUMNS.map((c, i) => `${c} ${TYPES[i]}`).join(', ');
    await db.query(`insert into record_traces (${cols}) select ${cols} from jsonb_to_recordset($1::jsonb) as r(${def})`, [json]);
  },
  async unnest(db, batch) {
    const arrays: unknown[][] = TRACE_COLUMNS.map(() => []);
    for (const t of batch) values(t).forEach((x, i) => {
      arrays[i].push(TYPES[i] === 'text[]' ? JSON.stringify(x) : x);
    });
    const sel = TRACE_COLUMNS.map((_, i) => TYPES[i] === 'text[]'
      ? `array(select jsonb_array_elements_text(c${i}::jsonb))` : `c${i}`).join(', ');
    const un = TRACE_COLUMNS.map((_, i) => `$${i + 1}::${TYPES[i] === 'text[]' ? 'text' : TYPES[i]}[]`).join(', ');
    await db.query(`insert into record_traces (${cols}) select ${sel} from unnest(${un}) as u(${TRACE_COLUMNS.map((_, i) => `c${i}`).join(', ')})`, arrays);
  },
};

const batches: RecordTrace[][] = [];
for (let i = 0; i < ROWS; i += BATCH) {
  batches.push(Array.from({ length: Math.min(BATCH, ROWS - i) }, (_, j) => syntheticTrace(run.runId, i + j)));
}

async function measure(db: Db, method: Method): Promise<number> {
  await db.exec('truncate record_traces');
  const start = performance.now();
  for (const batch of batches) await method(db, batch);
  const seconds = (performance.now() - start) / 1000;
  const { rows } = await db.query<{ n: unknown }>('select count(*) as n from record_traces');
  if (Number(rows[0].n) !== ROWS) throw new Error(`expected ${ROWS} rows, found ${rows[0].n}`);
  return ROWS / seconds;
}

async function backends(): Promise<{ name: string; db: Db; done(): Promise<void> }[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lf-measure-'));
  const list = [
    { name: 'pglite-disk', db: createPgliteProcessDb(await startPgliteProcess(dir)), done: () => rm(dir, { recursive: true, force: true }) },
    { name: 'pglite-memory', db: createPgliteProcessDb(await startPgliteProcess(undefined)), done: async () => {} },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const schema = `measure_${process.pid}`;
    const db = createPostgresDb({ connectionString: url, schema });
    list.push({ name: 'postgres', db, done: async () => { await db.exec(`drop schema ${schema} cascade`); } });
  }
  return list;
}

// Encoding cost alone: what the engine's thread pays per row before any I/O.
{
  const traces = Array.from({ length: 20_000 }, (_, i) => syntheticTrace(run.runId, i));
  const prefix = runPrefix(run);
  const start = performance.now();
  let bytes = 0;
  for (const t of traces) bytes += traceLine(t, run, prefix).length;
  const ms = performance.now() - start;
  console.log(`copy encoding: ${(ms * 1000 / traces.length).toFixed(1)} µs/row, ${(bytes / traces.length).toFixed(0)} chars/row`);
}

for (const b of await backends()) {
  await migrate(b.db, b.name === 'postgres' ? { schema: `measure_${process.pid}` } : {});
  if (process.env.MEASURE_DROP_INDEXES) {
    // How much the operator-query indexes cost on the write path.
    for (const ix of process.env.MEASURE_DROP_INDEXES.split(',')) await b.db.exec(`drop index ${ix}`);
  }
  const results: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, method] of Object.entries(methods)) {
      (results[name] ??= []).push(await measure(b.db, method));
    }
  }
  for (const [name, rates] of Object.entries(results)) {
    console.log(`${b.name.padEnd(14)} ${name.padEnd(10)} ${rates.map((x) => Math.round(x).toLocaleString('en')).join(' / ')} rows/s`);
  }
  await b.done();
  await b.db.close();
}

// The chosen path end to end: the store's trace sink (COPY, background batches).
{
  const { openPgliteStore, openPostgresStore } = await import('../../../runtime/store/open-store.ts');
  const { measureTraceInsertCeiling } = await import('../../bench/trace-insert-ceiling.ts');
  const dir = await mkdtemp(join(tmpdir(), 'lf-ceiling-'));
  const stores = [
    { name: 'pglite-disk', open: () => openPgliteStore({ dataDir: dir }) },
    { name: 'pglite-memory', open: () => openPgliteStore({}) },
  ];
  const url = process.env.TEST_DATABASE_URL;
  const schema = `ceiling_${process.pid}`;
  if (url) stores.push({ name: 'postgres', open: () => openPostgresStore({ connectionString: url, schema }) });
  for (const s of stores) {
    const store = await s.open();
    const rates: number[] = [];
    for (let r = 0; r < ROUNDS; r++) rates.push(await measureTraceInsertCeiling(store, ROWS));
    console.log(`${s.name.padEnd(14)} sink       ${rates.map((x) => Math.round(x).toLocaleString('en')).join(' / ')} rows/s`);
    if (s.name === 'postgres') await store.sql.query(`drop schema ${schema} cascade`);
    await store.close();
  }
  await rm(dir, { recursive: true, force: true });
}
