/**
 * A/B of engine changes in one process, for a machine other work keeps busy:
 * the pass-through flow with traces (engine-run.ts) on `AB_RECORDS` generated
 * events (default 10,000), `AB_ROUNDS` rounds (default 5, after one warm-up) of
 * every variant in `AB_VARIANTS` (default `A`), interleaved, and per variant
 * the median CPU time of this process per record (process.cpuUsage, which the
 * machine's load distorts far less than wall time), and on PGlite the embedded
 * database's. The variant's name is in `globalThis.__ledgerflowAb` while it
 * runs: a change under test reads it there (temporarily) to choose its path.
 * Each run writes a file of its own, so each delivers every record (none is a duplicate).
 *
 *   AB_VARIANTS=A,B AB_ROUNDS=9 TEST_DATABASE_URL=… node --import tsx test/bench/engine-ab.ts
 *   AB_BACKEND=pglite …
 *   AB_SQL_B='drop index if exists …'   (SQL run before each of a variant's runs, untimed)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog } from '../../nodes/catalog.ts';
import { createConnectionResolver } from '../../runtime/connectors/connection-registry.ts';
import { createFileSink } from '../../runtime/connectors/files.ts';
import { fileInput, loadReferenceData } from '../../runtime/flow-files.ts';
import { executeRun } from './execute-run.ts';
import { openPgliteDatabase, openPostgresDatabase } from '../../runtime/store/open-store.ts';
import { storeConnectionOptions } from '../../runtime/store/target-databases.ts';
import { PASSTHROUGH_FLOW } from './engine-run.ts';
import { poEventsJsonl } from './po-events.ts';

const records = Number(process.env.AB_RECORDS ?? 10_000);
const rounds = Number(process.env.AB_ROUNDS ?? 5);
const variants = (process.env.AB_VARIANTS ?? 'A').split(',');
const backend = process.env.AB_BACKEND ?? 'postgres';
const url = process.env.TEST_DATABASE_URL;
if (backend === 'postgres' && !url) throw new Error('TEST_DATABASE_URL is not set (or use AB_BACKEND=pglite)');

const dir = await mkdtemp(join(tmpdir(), 'lf-ab-'));
const input = join(dir, 'events.jsonl');
await writeFile(input, poEventsJsonl(records));
const schema = `ab_${process.pid}`;
const opened = backend === 'postgres' ? await openPostgresDatabase({ connectionString: url!, schema }) : await openPgliteDatabase({ dataDir: join(dir, 'pgdata') });
const { store } = opened;
const connections = createConnectionResolver({}, storeConnectionOptions(opened));
const files = createFileSink(join(dir, 'out'));
const reference = await loadReferenceData(PASSTHROUGH_FLOW, null, store);
let runNo = 0;
const engine: Record<string, number[]> = {};
const database: Record<string, number[]> = {};
const ab = globalThis as { __ledgerflowAb?: string };
try {
  for (let round = 0; round <= rounds; round++) {
    for (const variant of variants) {
      // A file of its own per run: the idempotency ledger is per file written, so every run delivers every record.
      const doc = { ...PASSTHROUGH_FLOW, nodes: PASSTHROUGH_FLOW.nodes.map((n) => (n.id === 'out' ? { ...n, config: { ...n.config, path: `passthrough-${++runNo}.jsonl` } } : n)) };
      const version = await store.saveVersion(doc.id, doc, 'bench', 'bench');
      // A variant's own set-up (an index dropped or made, a table setting), outside the timing.
      const setup = process.env[`AB_SQL_${variant}`];
      for (const statement of setup?.split(';') ?? []) if (statement.trim()) await store.sql.query(statement);
      ab.__ledgerflowAb = variant;
      const cpu = process.cpuUsage();
      const dbBefore = (await opened.connection.usage?.())?.cpuSeconds;
      const { result } = await executeRun({ store, catalog, connections, files }, {
        doc, version: version.version, trigger: 'manual', reference, input: { kind: 'document', document: fileInput(input) },
      });
      const used = process.cpuUsage(cpu);
      const dbAfter = (await opened.connection.usage?.())?.cpuSeconds;
      if (result.counts.read !== records || result.counts.delivered !== records) throw new Error(`variant ${variant}: ${JSON.stringify(result.counts)}`);
      if (round === 0) continue;
      (engine[variant] ??= []).push((used.user + used.system) / records);
      if (dbBefore !== undefined && dbAfter !== undefined) (database[variant] ??= []).push(((dbAfter - dbBefore) * 1e6) / records);
    }
  }
} finally {
  await connections.close();
  await files.close();
  if (backend === 'postgres') await store.sql.query(`drop schema ${schema} cascade`);
  await opened.close();
  await rm(dir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const figures = variants.map((v) => ({
  variant: v,
  engineCpuMicrosPerRecord: Number(median(engine[v]).toFixed(1)),
  runs: engine[v].map((x) => Number(x.toFixed(1))),
  ...(database[v] ? { databaseCpuMicrosPerRecord: Number(median(database[v]).toFixed(1)) } : {}),
}));
for (const f of figures) console.log(`${f.variant}: engine ${f.engineCpuMicrosPerRecord} µs/record (median of ${f.runs.length}: ${f.runs.join(' ')})${f.databaseCpuMicrosPerRecord !== undefined ? `, database ${f.databaseCpuMicrosPerRecord} µs/record` : ''}`);
console.log(JSON.stringify({ backend, records, rounds, figures }));
