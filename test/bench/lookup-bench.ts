/**
 * Lookup against Postgres: the `transform.lookup` node enriching 10,000 records from a 10,000-row
 * table, batched (the records of a chunk of 500 in one `= any($1)` query) against one query per
 * record (chunks of one), cache off so every key is asked. Postgres from TEST_DATABASE_URL (else
 * DATABASE_URL); without one, the embedded PGlite. Last line: JSON.
 */
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { catalog } from '../../nodes/catalog.ts';
import type { ProcessBehaviour, ProcessContext, SqlClient } from '../../nodes/define-node.ts';
import { createReferenceData } from '../../nodes/reference-data.ts';
import { standardFunctions } from '../../nodes/expression/functions.ts';
import { createMemoryKeyedState } from '../../runtime/engine/memory-keyed-state.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';

const evaluators = createEvaluatorRegistry();

const RECORDS = Number(process.env.BENCH_LOOKUP_RECORDS ?? 10_000);
const ROUNDS = 3;
const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function openSql(): Promise<{ sql: SqlClient; backend: string; close(): Promise<void> }> {
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const sql: SqlClient = {
      query: async (text, params) => pool.query(text, params as unknown[]) as never,
      transaction: async (fn) => fn(sql),
    };
    return { sql, backend: 'postgres', close: () => pool.end() };
  }
  const db = new PGlite();
  const sql: SqlClient = {
    query: async <R,>(text: string, params?: unknown[]) => ({ rows: (await db.query<R>(text, params)).rows }),
    transaction: async (fn) => fn(sql),
  };
  return { sql, backend: 'pglite', close: () => db.close() };
}

async function main() {
  const { sql, backend, close } = await openSql();
  const table = `bench_lookup_${process.pid}`;
  try {
    await sql.query(`create table ${table} (customer_id text primary key, name text not null, credit_limit numeric(18,2) not null)`);
    await sql.query(`insert into ${table} select 'C' || g, 'Customer ' || g, (g * 10)::numeric(18,2) from generate_series(1, ${RECORDS}) g`);
    const decl = catalog.get('transform.lookup')!;
    const config = {
      ...decl.defaults, connection: 'crm', key: 'customerId', into: 'customer', matchColumn: 'customer_id', cacheSize: 0,
      query: `select customer_id, name, credit_limit::text as credit_limit from ${table} where customer_id = any($1)`,
    };
    const reference = createReferenceData({});
    const records = Array.from({ length: RECORDS }, (_, i) => ({ data: { id: `O${i}`, customerId: `C${i + 1}` }, bindings: {} }));
    const ctx: ProcessContext = {
      connections: { sql: () => sql, http: () => { throw new Error('no http'); } },
      state: createMemoryKeyedState(), fetch, signal: new AbortController().signal, runId: 'bench',
    };
    const rate = async (chunk: number) => {
      const behaviour = decl.create(config, { nodeId: 'customer', evaluator: evaluators.for({}), reference, functions: standardFunctions(reference) }) as ProcessBehaviour;
      const t0 = performance.now();
      let found = 0;
      for (let i = 0; i < records.length; i += chunk) {
        const answers = await behaviour.processBatch!(records.slice(i, i + chunk), ctx);
        for (const a of answers) if (Array.isArray(a) && a[0]?.port === 'found') found++;
      }
      if (found !== records.length) throw new Error(`found ${found} of ${records.length}`);
      return Math.round(records.length / ((performance.now() - t0) / 1000));
    };
    await rate(500); // warm-up
    const batched: number[] = [];
    const perRecord: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      batched.push(await rate(500));
      perRecord.push(await rate(1));
    }
    const figures = { backend, records: RECORDS, batchedRecordsPerSecond: median(batched), perRecordRecordsPerSecond: median(perRecord), speedup: Math.round((median(batched) / median(perRecord)) * 10) / 10 };
    console.log(`lookup (${backend}): batched ${figures.batchedRecordsPerSecond} records/s, one query per record ${figures.perRecordRecordsPerSecond} records/s, ${figures.speedup}× faster batched`);
    console.log(JSON.stringify(figures));
  } finally {
    await sql.query(`drop table if exists ${table}`).catch(() => {});
    await close();
  }
}

await main();
