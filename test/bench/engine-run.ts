/**
 * One engine run for the benchmark, in its own process so its peak RSS is its
 * own: `node --import tsx test/bench/engine-run.ts <json options>`. Prints one
 * JSON line with the figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { catalog } from '../../nodes/catalog.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { createConnectionResolver } from '../../runtime/connectors/connection-registry.ts';
import { createFileSink } from '../../runtime/connectors/files.ts';
import { applyExampleSetup } from '../../runtime/cli/environment.ts';
import { fileInput, loadFlowFile, loadReferenceData } from '../../runtime/flow-files.ts';
import { executeRun } from './execute-run.ts';
import { openPgliteDatabase, openPostgresDatabase } from '../../runtime/store/open-store.ts';
import type { Database } from '../../runtime/store/database.ts';
import type { StoredTrace } from '../../runtime/store/store.ts';
import { storeConnectionOptions } from '../../runtime/store/target-databases.ts';
import { measureCopyCeiling } from './trace-insert-ceiling.ts';
import { peakRssMb } from './peak-rss.ts';

export interface EngineRunOptions {
  backend: 'pglite' | 'postgres';
  flow: 'po' | 'passthrough';
  input: string;
  receiverPort?: number;
  evaluator?: 'reference' | 'compiled';
  /** Also time re-inserting this many of the run's own trace rows (the I/O ceiling). */
  ceilingRows?: number;
  /** PGlite data folder made beforehand (initdb and migrations are not part of a run). */
  dataDir?: string;
}

const ROOT = resolve(import.meta.dirname, '../..');

/** Source → pass-through transform → JSONL file: the engine and its traces, next to nothing else. */
export const PASSTHROUGH_FLOW: FlowDocument = {
  id: 'bench-passthrough', name: 'Pass-through', recordKey: 'eventId', businessKey: 'purchaseOrder.number',
  amount: { value: '$decSum(purchaseOrder.lines.$decMul(quantity, unitPrice))', currency: 'purchaseOrder.currency' },
  nodes: [
    { id: 'in', type: 'source.webhook', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
    { id: 'pass', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, config: { expression: '$', fanOut: false } },
    { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 400, y: 0 }, config: { path: 'passthrough.jsonl', format: 'jsonl', idempotencyKey: '$sourceKey' } },
  ],
  edges: [{ id: 'a', source: 'in', target: 'pass' }, { id: 'b', source: 'pass', target: 'out' }],
};

/** The bench's store: a PGlite data folder, or a schema of its own on TEST_DATABASE_URL's Postgres. */
export async function openBenchStore(backend: EngineRunOptions['backend'], dir: string, dataDir?: string): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (backend === 'pglite') return { database: await openPgliteDatabase({ dataDir: dataDir ?? join(dir, 'pgdata') }), drop: async () => {} };
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `bench_${process.pid}`;
  const database = await openPostgresDatabase({ connectionString: url, schema });
  return { database, drop: async () => { await database.store.sql.query(`drop schema ${schema} cascade`); } };
}

async function measureCeiling(database: Database, runId: string, rows: number): Promise<number> {
  const { store } = database;
  const traces: StoredTrace[] = [];
  let cursor: string | undefined;
  while (traces.length < rows) {
    const page = await store.listTraces(runId, {}, { limit: Math.min(1000, rows - traces.length), cursor });
    traces.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  // Three rounds, the median: one round can land on a checkpoint or autovacuum after the run.
  const rates: number[] = [];
  for (let round = 0; round < 3; round++) rates.push(await measureCopyCeiling(database, traces));
  return rates.sort((a, b) => a - b)[1];
}

export async function engineRun(options: EngineRunOptions) {
  const dir = await mkdtemp(join(tmpdir(), 'lf-bench-'));
  const { database: opened, drop } = await openBenchStore(options.backend, dir, options.dataDir);
  const { store } = opened;
  try {
    let doc: FlowDocument;
    let flowDir: string | null = null;
    if (options.flow === 'po') {
      const loaded = await loadFlowFile(join(ROOT, 'flows/po-approved-to-erp/flow.json'));
      doc = loaded.doc;
      flowDir = loaded.dir;
    } else doc = PASSTHROUGH_FLOW;
    // The evaluator to measure is the flow's own switch: nothing process-wide is changed.
    if (options.evaluator) doc = { ...doc, evaluator: options.evaluator };
    const bindings = {
      erp_eu: { kind: 'postgres' as const, url: 'embedded' },
      erp_us: { kind: 'http' as const, baseUrl: `http://127.0.0.1:${options.receiverPort ?? 9}`, headers: {} },
    };
    if (flowDir) await applyExampleSetup(opened, flowDir, bindings);
    const connections = createConnectionResolver(bindings, storeConnectionOptions(opened));
    const files = createFileSink(join(dir, 'out'));
    const reference = await loadReferenceData(doc, flowDir, store);
    const version = await store.saveVersion(doc.id, doc, 'bench', 'bench');
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const databaseCpuAtStart = (await opened.connection.usage?.())?.cpuSeconds;
    const { run, result } = await executeRun({ store, catalog, connections, files }, {
      doc, version: version.version, trigger: 'manual', reference,
      input: { kind: 'document', document: fileInput(options.input) },
    });
    const seconds = (performance.now() - started) / 1000;
    // Before the ceiling is measured: that reads thousands of traces back into this process.
    const maxRssMb = peakRssMb();
    const database = await opened.connection.usage?.();
    const engineCpu = process.cpuUsage(cpuAtStart);
    const ceiling = options.ceilingRows ? await measureCeiling(opened, run.id, options.ceilingRows) : undefined;
    await connections.close();
    await files.close();
    return {
      backend: options.backend, flow: options.flow, evaluator: options.evaluator ?? 'default',
      status: result.status, counts: result.counts, seconds,
      recordsPerSec: result.counts.read / seconds,
      traceCeilingRowsPerSec: ceiling,
      maxRssMb,
      // The embedded database runs in a process of its own; its memory is reported beside the engine's.
      databaseMaxRssMb: database?.maxRssMb,
      // Where the time went: the engine's own CPU, and the embedded database's, over the run.
      engineCpuSeconds: (engineCpu.user + engineCpu.system) / 1e6,
      databaseCpuSeconds: database && databaseCpuAtStart !== undefined ? database.cpuSeconds - databaseCpuAtStart : undefined,
      nodeMs: Object.fromEntries(result.nodeStats.map((s) => [s.nodeId, Math.round(s.ms)])),
      error: result.error?.message,
    };
  } finally {
    await drop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('engine-run.ts')) {
  const result = await engineRun(JSON.parse(process.argv[2]) as EngineRunOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
