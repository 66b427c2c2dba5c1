/**
 * One run of flow (c) "PO approved → ERP" through the durable queue on
 * Postgres, worked by `ledgerflow worker --cores 1` and then `--cores 2` (one
 * command; the second starts a helper worker process), alternating rounds,
 * fresh PO numbers each run. Prints one JSON line: records/s of each and
 * their ratio (medians).
 *
 *   TEST_DATABASE_URL=… node --import tsx test/bench/queue-cores.ts [records = 100000] [rounds = 2] [receiverPort]
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadExamples } from '../../runtime/app/bootstrap.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { openBoss } from '../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../runtime/queue/launcher.ts';
import { tuningOf } from '../../runtime/queue/queue-options.ts';
import { connectionsRepo } from '../../runtime/store/service-connections.ts';
import { openPostgresDatabase } from '../../runtime/store/open-store.ts';
import { dropPostgresTargetDatabases } from '../../runtime/store/target-databases.ts';
import { dropSchemas, freshSchemaName, waitForRun } from '../runtime/queue/queue-fixtures.ts';
import { recordsPerSecond, spawnWorker } from '../runtime/queue/scale-fixtures.ts';
import { generatePoEvents } from './po-events.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const url = process.env.TEST_DATABASE_URL;
if (!url) {
  console.error('Set TEST_DATABASE_URL to a Postgres database the benchmark may create schemas in.');
  process.exit(64);
}
const records = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 2);
const receiverPort = Number(process.argv[4] ?? 9);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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

async function measure(cores: number): Promise<number> {
  const worker = await spawnWorker(url!, schema, ['--cores', String(cores)]);
  try {
    let text = '';
    for (const e of generatePoEvents(records, 42, next)) text += `${JSON.stringify(e)}\n`;
    next += records;
    const queued = await launcher.enqueue({
      flowId: 'po-approved-to-erp', version: 1, environment: 'bench', trigger: 'manual',
      input: { kind: 'document', name: 'po-events.jsonl', bytes: new TextEncoder().encode(text) }, requestedBy: 'bench',
    });
    const run = await waitForRun(store, queued.id, 900_000);
    if (run.status !== 'succeeded') throw new Error(`run ${run.id} ended ${run.status}: ${run.error?.message ?? JSON.stringify(run.counts)}`);
    return recordsPerSecond(run);
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
}

try {
  const one: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < rounds; i++) {
    one.push(await measure(1));
    all.push(await measure(2));
  }
  console.log(JSON.stringify({ records, rounds, oneCoreRecordsPerSec: median(one), twoCoresRecordsPerSec: median(all), ratioTwoCoresToOne: median(all) / median(one), runs: { one, all } }));
} finally {
  await boss.stop({ graceful: false });
  await store.close();
  await rm(flows, { recursive: true, force: true });
  await dropSchemas(url, [schema, `${schema}_jobs`]);
  await dropPostgresTargetDatabases(url, schema);
}
