/**
 * Records/s of one 100,000-record run through the durable queue with one
 * `ledgerflow worker` process, then with two (same flow, same data, fresh
 * target keys), against a real Postgres.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx test/bench/queue-throughput.ts [records = 100000] [rounds = 3]
 */
import { openPostgresDatabase } from '../../runtime/store/open-store.ts';
import { openBoss } from '../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../runtime/queue/launcher.ts';
import { tuningOf } from '../../runtime/queue/queue-options.ts';
import { dropSchemas, freshSchemaName, waitForRun } from '../runtime/queue/queue-fixtures.ts';
import { chunksByWorker, recordsPerSecond, scaleInput, setUpScaleFlow, spawnWorker, type WorkerProcess } from '../runtime/queue/scale-fixtures.ts';

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) {
  console.error('Set TEST_DATABASE_URL to a Postgres database the benchmark may create schemas in.');
  process.exit(64);
}
const records = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 3);

const schema = freshSchemaName('lf_bench');
const database = await openPostgresDatabase({ connectionString: url, schema, poolSize: 4 });
const { store } = database;
await setUpScaleFlow(database);
const boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
const launcher = createRunLauncher({ database, boss });
const workers: WorkerProcess[] = [];
let prefix = 0;

async function measure(label: string): Promise<number> {
  const queued = await launcher.enqueue({
    flowId: 'scale-out', version: 1, environment: 'bench', trigger: 'manual', input: scaleInput(records, `k${++prefix}_`), requestedBy: 'bench',
  });
  const run = await waitForRun(store, queued.id, 600_000);
  if (run.status !== 'succeeded') throw new Error(`run ${run.id} ended ${run.status}: ${run.error?.message}`);
  const byWorker = await chunksByWorker(store, run.id);
  // The split (reading, keying and storing chunks) runs on one worker; chunks start while it reads.
  const split = await store.sql.query<{ s: unknown }>(
    'select extract(epoch from (p.updated_at - r.started_at)) as s from run_progress p join runs r on r.id = p.run_id where r.id = $1', [run.id]);
  console.log(`${label}: ${records} records in ${((Date.parse(run.finishedAt!) - Date.parse(run.startedAt!)) / 1000).toFixed(1)} s = ${recordsPerSecond(run)} records/s `
    + `(split done after ${Number(split.rows[0].s).toFixed(1)} s; chunks per worker: ${[...byWorker.values()].join(' / ')})`);
  return recordsPerSecond(run);
}

try {
  // Alternating rounds, so that a busy spell of the machine or a growing table does not favour one side.
  const one: number[] = [];
  const two: number[] = [];
  workers.push(await spawnWorker(url, schema));
  for (let i = 0; i < rounds; i++) {
    one.push(await measure('1 worker '));
    const second = await spawnWorker(url, schema);
    workers.push(second);
    two.push(await measure('2 workers'));
    second.child.kill('SIGTERM');
    await second.exited;
    workers.pop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median records/s: 1 worker ${median(one)}, 2 workers ${median(two)} (×${(median(two) / median(one)).toFixed(2)})`);
} finally {
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await boss.stop({ graceful: false });
  await store.close();
  await dropSchemas(url, [schema, `${schema}_jobs`]);
}
