/**
 * What an operator waits for, on a store the size of a busy year: 100,000 runs
 * and 1,000,000 record traces (one run holding 100,000 of them). Measures
 * business-key search, the runs list's first page and the detail of the big
 * run (run row, node statistics, first page of records), medians of 21 calls.
 * Runnable alone: `node --import tsx test/bench/operations-bench.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteStore, openPostgresStore } from '../../runtime/store/open-store.ts';
import type { Store } from '../../runtime/store/store.ts';
import { syntheticTrace } from './synthetic-trace.ts';

const RUNS = Number(process.env.BENCH_OPS_RUNS ?? 100_000);
const TRACES = Number(process.env.BENCH_OPS_TRACES ?? 1_000_000);
const BIG_RUN = Math.min(100_000, TRACES);
const CALLS = 21;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  await fn(); // warm
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

async function fill(store: Store) {
  // Runs: generated in SQL; a tenth have exceptions, spread over 5 flows and a year.
  await store.sql.query(`
    insert into runs (id, flow_id, version, environment, trigger, status, counts, created_at, started_at, finished_at)
    select 'run_bench_' || lpad(g::text, 7, '0'), 'flow-' || (g % 5), 1, case when g % 3 = 0 then 'prod' else 'dev' end, 'webhook',
           case when g % 10 = 0 then 'completed_with_exceptions' else 'succeeded' end,
           jsonb_build_object('read', 10, 'delivered', case when g % 10 = 0 then 9 else 10 end, 'quarantined', case when g % 10 = 0 then 1 else 0 end, 'deadLettered', 0, 'duplicate', 0, 'filtered', 0),
           now() - make_interval(secs => ($1 - g) * 300), now() - make_interval(secs => ($1 - g) * 300), now() - make_interval(secs => ($1 - g) * 300 - 2)
    from generate_series(1, $1) g`, [RUNS]);
  const bigRun = 'run_bench_big';
  await store.sql.query(`insert into runs (id, flow_id, version, environment, trigger, status, counts) values ($1, 'flow-0', 1, 'prod', 'schedule', 'succeeded', $2)`,
    [bigRun, JSON.stringify({ read: BIG_RUN, delivered: BIG_RUN, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 })]);
  await store.addNodeStats(bigRun, ['source', 'map', 'check', 'erp'].map((nodeId) => ({ nodeId, in: BIG_RUN, out: BIG_RUN, invalid: 0, errors: 0, ms: 1000 })));
  const write = async (runId: string, from: number, count: number) => {
    const sink = store.openTraceSink({ runId, flowId: 'flow-0', version: 1, environment: 'prod' });
    for (let i = from; i < from + count; i += 500) await sink.write(Array.from({ length: Math.min(500, from + count - i) }, (_, k) => syntheticTrace(runId, i + k)), []);
    await sink.flush();
  };
  await write(bigRun, 0, BIG_RUN);
  // The rest: 10 records per run over the other runs, business keys unique per record.
  for (let i = BIG_RUN; i < TRACES; i += 10_000) {
    const runNo = 1 + Math.floor((i - BIG_RUN) / 10) % RUNS;
    await write(`run_bench_${String(runNo).padStart(7, '0')}`, i, Math.min(10_000, TRACES - i));
  }
  await store.sql.query('analyze');
  return bigRun;
}

export async function operationsBench(backend: 'pglite' | 'postgres') {
  const dir = await mkdtemp(join(tmpdir(), 'lf-opsbench-'));
  const schema = `opsbench_${process.pid}`;
  const store = backend === 'pglite'
    ? await openPgliteStore({ dataDir: join(dir, 'pgdata') })
    : await openPostgresStore({ connectionString: process.env.TEST_DATABASE_URL!, schema });
  try {
    const t0 = performance.now();
    const bigRun = await fill(store);
    const fillSeconds = (performance.now() - t0) / 1000;
    let probe = 0;
    const searchMs = await timed(() => store.findByBusinessKey(`PO-2026-${100000 + ((probe += 7919) % TRACES)}`, { limit: 50 }));
    const runsListMs = await timed(() => store.listRuns({}, { limit: 50 }));
    const runsListFilteredMs = await timed(() => store.listRuns({ hasExceptions: true, environment: 'prod' }, { limit: 50 }));
    const runDetailMs = await timed(async () => {
      await store.getRun(bigRun);
      await store.getNodeStats(bigRun);
      const page = await store.listTraces(bigRun, {}, { limit: 100 });
      await store.listTraces(bigRun, {}, { limit: 100, cursor: page.nextCursor ?? undefined });
    });
    const found = await store.findByBusinessKey('PO-2026-100042', { limit: 50 });
    if (found.items.length !== 1) throw new Error(`business-key search found ${found.items.length} traces, expected 1`);
    return { backend, runs: RUNS, traces: TRACES, fillSeconds, searchMs, runsListMs, runsListFilteredMs, runDetailMs };
  } finally {
    if (backend === 'postgres') await store.sql.query(`drop schema ${schema} cascade`);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('operations-bench.ts')) {
  const backend = (process.argv[2] ?? 'pglite') as 'pglite' | 'postgres';
  console.log(JSON.stringify(await operationsBench(backend)));
}
