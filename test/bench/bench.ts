/**
 * `npm run bench`: the engine's figures on this machine, measured in one run so
 * ratios are trustworthy on a noisy machine. Prints a table and, as its last
 * line, one JSON object with every figure.
 *
 * - Flow (c) "PO approved → ERP" on 100,000 generated events with traces on,
 *   on PGlite (data folder on disk) and, with TEST_DATABASE_URL, on Postgres.
 * - The same mapping through bare `jsonata` and through hand-written JS.
 * - A pass-through flow with traces, against the store's own bulk-insert rate
 *   for the same trace rows (the I/O ceiling).
 * Each engine run is its own process, so its peak RSS is its own.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { loadFlowFile, loadReferenceData } from '../../runtime/flow-files.ts';
import { standardFunctions } from '../../nodes/expression/functions.ts';
import { jsonataSignatureOf } from '../../nodes/expression/signed-function.ts';
import { generatePoEvents, type PoEvent } from './po-events.ts';
import { mapPoByHand } from './po-mapping-by-hand.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { benchCompiledEvaluator } from './compiled-evaluator.ts';

const evaluators = createEvaluatorRegistry();

const ROOT = resolve(import.meta.dirname, '../..');
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const MICRO_RECORDS = Number(process.env.BENCH_MICRO_RECORDS ?? 10_000);
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function writeEvents(path: string, n: number) {
  const out = createWriteStream(path);
  for (const e of generatePoEvents(n)) if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function micro() {
  const { doc, dir } = await loadFlowFile(join(ROOT, 'flows/po-approved-to-erp/flow.json'));
  const reference = await loadReferenceData(doc, dir);
  const expression = String(doc.nodes.find((n) => n.id === 'to-commitment')!.config.expression);
  const bare = jsonata(expression);
  for (const [name, fn] of Object.entries(standardFunctions(reference))) {
    const sig = jsonataSignatureOf(fn);
    if (sig) bare.registerFunction(name, fn as (...a: unknown[]) => unknown, sig);
    else bare.assign(name, fn);
  }
  const events: PoEvent[] = [...generatePoEvents(MICRO_RECORDS, 7)];
  for (const e of events.slice(0, 200)) {
    const a = await bare.evaluate(e);
    const b = mapPoByHand(e, reference);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(a)), b)) throw new Error(`hand-written mapping differs from the JSONata mapping for ${e.eventId}`);
  }
  const time = async (f: (e: PoEvent) => unknown) => {
    const rates: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      for (const e of events) {
        const v = f(e);
        if (v instanceof Promise) await v;
      }
      rates.push(events.length / ((performance.now() - t0) / 1000));
    }
    return median(rates);
  };
  const compiled = evaluators.byName('compiled').compile(expression, { functions: standardFunctions(reference) });
  for (const e of events.slice(0, 200)) {
    const v = compiled.evaluate(e);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(v instanceof Promise ? await v : v)), mapPoByHand(e, reference))) throw new Error(`compiled mapping differs for ${e.eventId}`);
  }
  const jsonataRate = await time((e) => bare.evaluate(e));
  const handRate = await time((e) => mapPoByHand(e, reference));
  const compiledRate = await time((e) => compiled.evaluate(e));
  return { jsonataRecordsPerSec: jsonataRate, handWrittenRecordsPerSec: handRate, compiledRecordsPerSec: compiledRate, compiledEngine: compiled.engine };
}

async function engineRun(options: Record<string, unknown>) {
  const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/engine-run.ts'), JSON.stringify(options)], { maxBuffer: 1 << 24, env: process.env });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/**
 * A PGlite data folder with the schema in place: initdb is a one-off cost, not part of a run. Each in a folder
 * of its own, so each run's embedded target databases (`connections/` beside `pgdata/`) are its own too: the
 * compiled run of flow (c) used to find the reference run's ERP rows and delivery markers and count 2/3 of its
 * records as duplicates.
 */
async function freshPglite(dir: string, name: string): Promise<string> {
  const dataDir = join(dir, name, 'pgdata');
  const { openPgliteStore } = await import('../../runtime/store/open-store.ts');
  await (await openPgliteStore({ dataDir })).close();
  return dataDir;
}

async function startReceiver(): Promise<{ port: number; stop: () => void }> {
  const child = spawn('node', ['--import', 'tsx', join(ROOT, 'test/bench/erp-receiver.ts'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout!, 'data');
  return { port: JSON.parse(String(line)).port, stop: () => child.kill() };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'lf-bench-'));
  const input = join(dir, 'po-events.jsonl');
  await writeEvents(input, RECORDS);
  const receiver = await startReceiver();
  const figures: Record<string, unknown> = { records: RECORDS, machine: { cpus: (await import('node:os')).cpus().length }, loadAtStart: (await import('node:os')).loadavg() };
  try {
    const m = await micro();
    Object.assign(figures, m);
    figures.compiledEvaluator = await benchCompiledEvaluator();
    const backends = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];
    for (const backend of backends) {
      const po = await engineRun({ backend, flow: 'po', input, receiverPort: receiver.port, evaluator: 'reference', dataDir: await freshPglite(dir, 'po') });
      const poCompiled = await engineRun({ backend, flow: 'po', input, receiverPort: receiver.port, evaluator: 'compiled', dataDir: await freshPglite(dir, 'poc') });
      const pass = await engineRun({ backend, flow: 'passthrough', input, ceilingRows: 20_000, dataDir: await freshPglite(dir, 'pass') });
      // The floor under it: the same read, snapshot, trace COPY and file write with no guarantee kept (passthrough-floor.ts).
      const floor = JSON.parse((await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/passthrough-floor.ts'), JSON.stringify({ backend, input, dataDir: await freshPglite(dir, 'floor') })], { maxBuffer: 1 << 20, env: process.env })).stdout.trim().split('\n').pop()!);
      figures[backend] = {
        poFlow: po,
        poFlowCompiled: poCompiled,
        ratioEngineCompiledToCompiledAlone: poCompiled.recordsPerSec / m.compiledRecordsPerSec,
        passthrough: pass,
        // The engine as it ships (compiled evaluator) against the bare mapping; the reference-evaluator
        // run also evaluates rules, route conditions and idempotency keys through jsonata, so it is
        // shown beside it, not held to the bare mapping's rate.
        ratioEngineToBareJsonata: poCompiled.recordsPerSec / m.jsonataRecordsPerSec,
        ratioReferenceEngineToBareJsonata: po.recordsPerSec / m.jsonataRecordsPerSec,
        ratioPassthroughToTraceCeiling: pass.recordsPerSec / pass.traceCeilingRowsPerSec,
        // Issue 20's figures: CPU per record of the pass-through flow with traces (the engine's
        // bookkeeping), in the engine's process and, on PGlite, in the embedded database's.
        passthroughEngineCpuMicrosPerRecord: (pass.engineCpuSeconds * 1e6) / pass.counts.read,
        passthroughDatabaseCpuMicrosPerRecord: pass.databaseCpuSeconds === undefined ? undefined : (pass.databaseCpuSeconds * 1e6) / pass.counts.read,
        passthroughFloor: floor,
        peakRssMb: Math.max(...[po, poCompiled, pass].flatMap((run) => [run.maxRssMb, run.databaseMaxRssMb ?? 0])),
      };
    }
    if (process.env.TEST_DATABASE_URL) {
      // Flow (c) through the queue: `ledgerflow worker --cores 1` against `--cores 2`, one run each.
      const records = Number(process.env.BENCH_CORES_RECORDS ?? RECORDS);
      const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/queue-cores.ts'), String(records), '1', String(receiver.port)], { maxBuffer: 1 << 24, env: process.env });
      (figures.postgres as Record<string, unknown>).allCores = JSON.parse(stdout.trim().split('\n').pop()!);
    }
    // BENCH_ENGINE_ONLY=1: the engine figures alone, without the operator queries and start-up.
    if (process.env.BENCH_ENGINE_ONLY !== '1') {
      for (const backend of backends) {
        const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/operations-bench.ts'), backend], { maxBuffer: 1 << 24, env: process.env });
        (figures[backend] as Record<string, unknown>).operations = JSON.parse(stdout.trim().split('\n').pop()!);
      }
      // Start-up: whole processes on an existing data folder (npm run bench:startup).
      const { stdout } = await promisify(execFile)('node', [join(ROOT, 'test/bench/startup-bench.mjs')], { maxBuffer: 1 << 20, env: process.env });
      figures.startup = JSON.parse(stdout.trim().split('\n').pop()!);
    }
    // The HTTP source: 100 pages of 500 records from a local server (test/bench/http-source-bench.ts).
    figures.httpSource = JSON.parse((await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/http-source-bench.ts')], { maxBuffer: 1 << 20, env: process.env })).stdout.trim().split('\n').pop()!);
    // Lookup against Postgres: one query per chunk vs one per record (test/bench/lookup-bench.ts; must be ≥ 10× faster batched).
    figures.lookup = JSON.parse((await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/lookup-bench.ts')], { maxBuffer: 1 << 20, env: process.env })).stdout.trim().split('\n').pop()!);
    // Aggregate: 1,000,000 GL lines summed into 50,000 groups in one engine run, its own process (test/bench/aggregate-bench.ts),
    // with no heap flag: what a user's process gets.
    const aggregateLines = String(process.env.BENCH_AGGREGATE_LINES ?? 1_000_000);
    figures.aggregate = JSON.parse((await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/aggregate-bench.ts'), aggregateLines, '50000'], { maxBuffer: 1 << 20, env: process.env })).stdout.trim().split('\n').pop()!);
    // Match: 100,000 invoice lines against 300,000 receipt lines, keyed state in the store (test/bench/match-bench.ts).
    const matchInvoices = String(process.env.BENCH_MATCH_INVOICES ?? 100_000);
    figures.match = JSON.parse((await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/match-bench.ts'), matchInvoices, '3'], { maxBuffer: 1 << 20, env: process.env })).stdout.trim().split('\n').pop()!);
    // AMQP source → transform → Postgres target vs the same flow from a file (test/bench/broker-bench.ts); skipped without RabbitMQ.
    figures.broker = JSON.parse((await promisify(execFile)('node', ['--import', 'tsx', join(ROOT, 'test/bench/broker-bench.ts')], { maxBuffer: 1 << 20, env: process.env })).stdout.trim().split('\n').pop()!);
  } finally {
    receiver.stop();
    await rm(dir, { recursive: true, force: true });
  }
  figures.load = (await import('node:os')).loadavg();
  printTable(figures);
  console.log(JSON.stringify(figures));
}

function printTable(f: Record<string, any>) {
  const r = (x: number | undefined) => (x === undefined ? '-' : Math.round(x).toLocaleString('en'));
  const dbRss = (run: { databaseMaxRssMb?: number }) => (run.databaseMaxRssMb === undefined ? '' : ` (engine; embedded database process ${r(run.databaseMaxRssMb)} MB)`);
  console.log(`\nLedgerflow bench — ${f.records.toLocaleString('en')} PO events`);
  console.log(`  bare jsonata (PO mapping)          ${r(f.jsonataRecordsPerSec)} records/s`);
  console.log(`  hand-written JS (same output)      ${r(f.handWrittenRecordsPerSec)} records/s`);
  console.log(`  compiled JSONata (same output)     ${r(f.compiledRecordsPerSec)} records/s  (${(f.compiledRecordsPerSec / f.jsonataRecordsPerSec).toFixed(1)} × bare jsonata; target ≥ 10)`);
  const c = f.compiledEvaluator;
  for (const k of ['po', 'ubl'] as const) if (c?.[k]) console.log(`  compiled-evaluator bench, ${k}: ${JSON.stringify(c[k]).slice(0, 160)}`);
  for (const b of ['pglite', 'postgres']) {
    if (!f[b]) continue;
    console.log(`  [${b}] flow (c) with traces        ${r(f[b].poFlowCompiled.recordsPerSec)} records/s  (${f[b].ratioEngineToBareJsonata.toFixed(2)} × bare jsonata; target ≥ 1.5 on Postgres, ≥ 1.0 on PGlite; ${f[b].ratioEngineCompiledToCompiledAlone.toFixed(3)} × compiled evaluator alone)  peak RSS ${r(f[b].poFlowCompiled.maxRssMb)} MB${dbRss(f[b].poFlowCompiled)}  ${f[b].poFlowCompiled.status}`);
    const perRecord = (seconds: number | undefined) => (seconds === undefined ? undefined : (seconds * 1e6) / f[b].poFlowCompiled.counts.read);
    console.log(`  [${b}]   CPU per record: engine process ${r(perRecord(f[b].poFlowCompiled.engineCpuSeconds))} µs${f[b].poFlowCompiled.databaseCpuSeconds === undefined ? '' : `, embedded database process ${r(perRecord(f[b].poFlowCompiled.databaseCpuSeconds))} µs`}; wall ${r(1e6 / f[b].poFlowCompiled.recordsPerSec)} µs (bare jsonata ${r(1e6 / f.jsonataRecordsPerSec)} µs)`);
    console.log(`  [${b}] same, reference evaluator   ${r(f[b].poFlow.recordsPerSec)} records/s  (${f[b].ratioReferenceEngineToBareJsonata.toFixed(2)} × bare jsonata: every expression of the flow through jsonata)  peak RSS ${r(f[b].poFlow.maxRssMb)} MB${dbRss(f[b].poFlow)}  ${f[b].poFlow.status}`);
    const o = f[b].operations;
    if (o) console.log(`  [${b}] operator queries on ${r(o.runs)} runs / ${r(o.traces)} traces: business-key search ${o.searchMs.toFixed(1)} ms (≤ 50), runs list ${o.runsListMs.toFixed(1)} ms (≤ 100), run detail of a ${r(Math.min(100_000, o.traces))}-record run ${o.runDetailMs.toFixed(1)} ms (≤ 300) — medians`);
    console.log(`  [${b}] pass-through with traces    ${r(f[b].passthrough.recordsPerSec)} records/s  (${f[b].ratioPassthroughToTraceCeiling.toFixed(2)} × COPY ceiling ${r(f[b].passthrough.traceCeilingRowsPerSec)} rows/s; target ≥ 0.8)  peak RSS ${r(f[b].passthrough.maxRssMb)} MB${dbRss(f[b].passthrough)}`);
    console.log(`  [${b}]   CPU per record: engine process ${r(f[b].passthroughEngineCpuMicrosPerRecord)} µs (≤ 40)${f[b].passthroughDatabaseCpuMicrosPerRecord === undefined ? '' : `, embedded database process ${r(f[b].passthroughDatabaseCpuMicrosPerRecord)} µs (≤ 60)`}; peak RSS of any process ${r(f[b].peakRssMb)} MB (≤ 400)`);
    const fl = f[b].passthroughFloor;
    if (fl) console.log(`  [${b}]   floor, no guarantees (read, parse, snapshot, trace COPY, file line): engine ${fl.engineCpuMicrosPerRecord.file} µs${fl.databaseCpuMicrosPerRecord ? `, embedded database ${fl.databaseCpuMicrosPerRecord.file} µs` : ''} a record — by stage ${JSON.stringify(fl.engineCpuMicrosPerRecord)}`);
    const c = f[b].allCores;
    if (c) console.log(`  [${b}] flow (c) through the queue: worker --cores 2 ${r(c.twoCoresRecordsPerSec)} records/s ÷ --cores 1 ${r(c.oneCoreRecordsPerSec)} = ${c.ratioTwoCoresToOne.toFixed(2)} (target ≥ 1.6)`);
  }
  if (f.lookup) console.log(`  lookup (${f.lookup.backend}, ${f.lookup.records} records): ${r(f.lookup.batchedRecordsPerSecond)} records/s batched (a query per chunk of 500), ${r(f.lookup.perRecordRecordsPerSecond)} records/s with a query per record: ${f.lookup.speedup}× faster batched`);
  if (f.httpSource) console.log(`  HTTP source, ${f.httpSource.pages} pages of ${f.httpSource.recordsPerPage} records from a local server: ${r(f.httpSource.sourceRecordsPerSec)} records/s read alone (median of 3), ${r(f.httpSource.engineRecordsPerSec)} records/s through the engine to a file with traces`);
  if (f.aggregate) console.log(`  aggregate ${r(f.aggregate.lines)} GL lines into ${r(f.aggregate.groups)} groups (exact sums, one process): ${r(f.aggregate.linesPerSec)} lines/s, peak RSS ${r(f.aggregate.maxRssMb)} MB (≤ 400)  ${f.aggregate.status}`);
  if (f.match) console.log(`  match ${r(f.match.invoiceLines)} invoice lines against ${r(f.match.receiptLines)} receipt lines (${f.match.backend} keyed state, one process): ${r(f.match.recordsPerSec)} records/s, ${r(f.match.matched)} matched, ${r(f.match.exceptions)} exceptions, peak RSS ${r(f.match.maxRssMb)} MB  ${f.match.status}`);
  if (f.broker?.skipped) console.log(`  AMQP source bench skipped: ${f.broker.skipped}`);
  else if (f.broker) console.log(`  AMQP source → transform → Postgres target with traces, ${r(f.broker.records)} messages: ${r(f.broker.amqpRecordsPerSec)} records/s in ${f.broker.amqpRuns} runs of ≤ ${r(f.broker.messagesPerRun)}; same flow from a file ${r(f.broker.fileRecordsPerSec)} records/s (${f.broker.ratioAmqpToFile.toFixed(2)} ×; target ≥ 0.8)`);
  if (f.load) console.log(`  load average during the bench (1/5/15 min at its end): ${f.load.map((x: number) => x.toFixed(1)).join(' / ')} on ${f.machine.cpus} cores`);
  if (f.startup) console.log(`  start-up on an existing data folder: ledgerflow runs ${r(f.startup.cliRunsMs)} ms (≤ 500), npm start until /readyz ${r(f.startup.npmStartReadyMs)} ms (≤ 3000) — medians of 5`);
}

await main();
