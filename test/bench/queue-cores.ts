/**
 * One run of flow (c) "PO approved → ERP" through the durable queue on
 * Postgres, worked by `ledgerflow worker --cores 1` and by `--cores 2` (one
 * command; the second starts a helper worker process), in rounds of either order (ABBA),
 * fresh PO numbers each run. The US ERP is a receiver process of its own
 * (test/bench/erp-receiver.ts) unless a port is given. Prints one JSON line:
 * records/s of each and their ratio (medians), and per run the CPU seconds of
 * each worker process and of the Postgres backends serving it, and the run's
 * timeline (when the split stored its last chunk, the chunks each process did).
 * On a shared machine, compare CPU seconds: `cpuRatio` is what the ratio would
 * be with both cores free (see quietSeconds).
 *
 *   TEST_DATABASE_URL=… node --import tsx test/bench/queue-cores.ts [records = 100000] [rounds = 2] [receiverPort]
 *
 * BENCH_CPU_PROF=<dir> writes each worker process's CPU profile under <dir>/cores1 and cores2.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadExamples } from '../../runtime/app/bootstrap.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { openBoss } from '../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../runtime/queue/launcher.ts';
import { QUEUE_NAMES, tuningOf } from '../../runtime/queue/queue-options.ts';
import { connectionsRepo } from '../../runtime/store/service-connections.ts';
import { openPostgresDatabase } from '../../runtime/store/open-store.ts';
import { dropPostgresTargetDatabases } from '../../runtime/store/target-databases.ts';
import { dropSchemas, freshSchemaName, waitForRun } from '../runtime/queue/queue-fixtures.ts';
import { recordsPerSecond, spawnWorker } from '../runtime/queue/scale-fixtures.ts';
import { generatePoEvents } from './po-events.ts';
import { sampleCpu, type CpuReport } from './process-cpu.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const url = process.env.TEST_DATABASE_URL;
if (!url) {
  console.error('Set TEST_DATABASE_URL to a Postgres database the benchmark may create schemas in.');
  process.exit(64);
}
const records = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x: number) => Math.round(x * 100) / 100;

const receiver = process.argv[4] ? null : spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/bench/erp-receiver.ts'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const receiverPort = receiver ? JSON.parse(String((await once(receiver.stdout!, 'data'))[0])).port as number : Number(process.argv[4]);

const schema = freshSchemaName('lf_cores');
const database = await openPostgresDatabase({ connectionString: url, schema, poolSize: 4 });
const { store } = database;
const flows = await mkdtemp(join(tmpdir(), 'lf-cores-'));
await cp(join(ROOT, 'flows/po-approved-to-erp'), join(flows, 'po-approved-to-erp'), { recursive: true });
await loadExamples(database, { evaluators: createEvaluatorRegistry(), dir: flows, environment: 'bench' });
await connectionsRepo(store.sql).putConnection({
  environment: 'bench', name: 'erp_us', kind: 'http', settings: { baseUrl: `http://127.0.0.1:${receiverPort}`, headers: {} }, encryptedSecrets: {}, updatedBy: 'bench',
});
const boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
const launcher = createRunLauncher({ database, boss });
let next = 1;

interface Measured {
  recordsPerSec: number;
  cpu: CpuReport;
  timeline: Record<string, unknown>;
}

/** Waits until `n` workers of this schema heartbeat: the helpers have started too. */
async function workersUp(n: number): Promise<Map<number, string>> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await store.sql.query<{ id: string; pid: number }>('select id, pid from workers where stopped_at is null');
    if (rows.length >= n) return new Map(rows.map((r) => [r.pid, r.id]));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${n} workers did not start within 60 s`);
}

/**
 * When the run's work happened, from pg-boss's job rows: when chunks were queued (the split stores
 * them as it reads; its last one is queued when it is done) and when each process completed its
 * first and last chunk. (A job's `started_on` is moved forward by its lease, job-leases.ts: it does
 * not say when the work started.)
 */
async function timelineOf(runId: string, startedAt: string, pidOf: Map<string, number>): Promise<Record<string, unknown>> {
  const t0 = Date.parse(startedAt) / 1000;
  const { rows: jobs } = await store.sql.query<{ name: string; chunk: number | null; created: unknown; completed: unknown }>(
    `select name, (data->>'chunkNo')::int as chunk, extract(epoch from created_on) as created, extract(epoch from completed_on) as completed
       from (select name, data, created_on, completed_on from "${schema}_jobs".job
             union all select name, data, created_on, completed_on from "${schema}_jobs".archive) j
      where data->>'runId' = $1 and name = $2 and completed_on is not null`, [runId, QUEUE_NAMES.chunk]);
  const { rows: chunks } = await store.sql.query<{ chunk_no: number; worker_id: string }>('select chunk_no, worker_id from run_chunks where run_id = $1', [runId]);
  const workerOf = new Map(chunks.map((c) => [c.chunk_no, `pid ${pidOf.get(c.worker_id) ?? c.worker_id}`]));
  const at = (x: number) => round2(x - t0);
  const byWorker = new Map<string, number[]>();
  for (const j of jobs) {
    const w = workerOf.get(j.chunk!)!;
    byWorker.set(w, [...(byWorker.get(w) ?? []), Number(j.completed)]);
  }
  const created = jobs.map((j) => Number(j.created));
  return {
    chunks: chunks.length,
    firstChunkQueuedAt: at(Math.min(...created)),
    lastChunkQueuedAt: at(Math.max(...created)),
    byWorker: Object.fromEntries([...byWorker].sort().map(([w, done]) => [w, { chunks: done.length, firstDoneAt: at(Math.min(...done)), lastDoneAt: at(Math.max(...done)) }])),
  };
}

async function measure(cores: number): Promise<Measured> {
  // BENCH_CPU_PROF=<dir>: each worker process writes a V8 CPU profile there (summarise with cpu-profile-summary.mjs).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF, `cores${cores}`)}`] : [];
  const worker = await spawnWorker(url!, schema, ['--cores', String(cores)], {}, profile);
  try {
    const byPid = await workersUp(cores);
    const pids = Object.fromEntries([...byPid.keys()].map((pid) => [pid === worker.child.pid ? `worker ${pid}` : `helper ${pid}`, pid]));
    let text = '';
    for (const e of generatePoEvents(records, 42, next)) text += `${JSON.stringify(e)}\n`;
    next += records;
    const cpu = sampleCpu(store.sql, pids);
    const queued = await launcher.enqueue({
      flowId: 'po-approved-to-erp', version: 1, environment: 'bench', trigger: 'manual',
      input: { kind: 'document', name: 'po-events.jsonl', bytes: new TextEncoder().encode(text) }, requestedBy: 'bench',
    });
    const run = await waitForRun(store, queued.id, 900_000);
    const used = await cpu.stop();
    if (run.status !== 'succeeded') throw new Error(`run ${run.id} ended ${run.status}: ${run.error?.message ?? JSON.stringify(run.counts)}`);
    const timeline = await timelineOf(run.id, run.startedAt!, new Map([...byPid].map(([pid, id]) => [id, pid])));
    return { recordsPerSec: recordsPerSecond(run), cpu: used, timeline: { seconds: round2(records / recordsPerSecond(run)), ...timeline } };
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
}

/** CPU seconds of a worker process and of the Postgres backends serving it. */
const cpuOf = (m: Measured, label: string) => (m.cpu.processes[label] ?? 0) + (m.cpu.backends[label]?.seconds ?? 0);
const totalCpu = (m: Measured) => Object.keys(m.cpu.processes).reduce((s, label) => s + cpuOf(m, label), 0);
/**
 * The run's wall time on a quiet 2-core machine, from its CPU seconds: at least half of all the CPU
 * the run used (two cores), and at least the busiest process's own (one thread).
 */
const quietSeconds = (m: Measured) => Math.max(totalCpu(m) / 2, ...Object.values(m.cpu.processes));

try {
  const one: Measured[] = [];
  const all: Measured[] = [];
  const loadAtStart = loadavg();
  // ABBA: the target tables and the store grow run after run, so neither variant always goes second.
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      one.push(await measure(1));
      all.push(await measure(2));
    } else {
      all.push(await measure(2));
      one.push(await measure(1));
    }
  }
  console.log(JSON.stringify({
    records, rounds, loadAtStart, load: loadavg(),
    oneCoreRecordsPerSec: median(one.map((m) => m.recordsPerSec)), twoCoresRecordsPerSec: median(all.map((m) => m.recordsPerSec)),
    ratioTwoCoresToOne: median(all.map((m) => m.recordsPerSec)) / median(one.map((m) => m.recordsPerSec)),
    cpuSecondsOneCore: round2(median(one.map(totalCpu))), cpuSecondsTwoCores: round2(median(all.map(totalCpu))), quietSecondsOneCore: round2(median(one.map(quietSeconds))), quietSecondsTwoCores: round2(median(all.map(quietSeconds))),
    cpuRatio: round2(median(one.map(quietSeconds)) / median(all.map(quietSeconds))),
    runs: { one, all },
  }));
} finally {
  await boss.stop({ graceful: false });
  await store.close();
  receiver?.kill();
  await rm(flows, { recursive: true, force: true });
  await dropSchemas(url, [schema, `${schema}_jobs`]);
  await dropPostgresTargetDatabases(url, schema);
}
