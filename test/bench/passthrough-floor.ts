/**
 * The floor under the pass-through flow on this machine: the work any engine
 * must do to read a JSON Lines record, keep its snapshot in a trace row and
 * write it to a JSON Lines file — with none of the engine's guarantees (no
 * precheck, no keys or control totals, no idempotency ledger, no chunk
 * bookkeeping). Stages are cumulative, each a full pass over the same input,
 * timed as this process's CPU per record (and on PGlite the embedded
 * database's): read and split lines; + JSON.parse; + the snapshot's one
 * JSON.stringify; + the trace row's COPY encoding; + COPY into the store's
 * `record_traces`, 500 rows a statement; + the file target's line.
 * Median of three rounds. Its own process, like engine-run.ts:
 *
 *   node --import tsx test/bench/passthrough-floor.ts '{"backend":"postgres","input":"events.jsonl"}'
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonTextOf } from '../../nodes/formats/json-text.ts';
import type { RecordTrace } from '../../runtime/engine/run-types.ts';
import { CopyPayload } from '../../runtime/store/copy-payload.ts';
import type { Database } from '../../runtime/store/database.ts';
import { newRunId } from '../../runtime/store/ids.ts';
import { TRACE_COLUMNS, runPrefix, traceLine } from '../../runtime/store/trace-rows.ts';
import { openBenchStore } from './engine-run.ts';

export interface FloorOptions {
  backend: 'pglite' | 'postgres';
  input: string;
  /** PGlite data folder made beforehand. */
  dataDir?: string;
}

export const FLOOR_STAGES = ['read', 'parse', 'stringify', 'encode', 'copy', 'file'] as const;
type Stage = (typeof FLOOR_STAGES)[number];

const BATCH = 500;

interface PassResult {
  records: number;
}

/** One pass over the input doing every stage up to and including `upTo`. */
async function pass(database: Database, input: string, upTo: Stage, outDir: string): Promise<PassResult> {
  const level = FLOOR_STAGES.indexOf(upTo);
  const runId = newRunId();
  const run = { runId, flowId: 'floor', version: 1, environment: null };
  const prefix = runPrefix(run);
  const out = level >= 5 ? createWriteStream(join(outDir, `${upTo}.jsonl`)) : null;
  let payload = new CopyPayload();
  let lines: string[] = [];
  let records = 0;
  const flushBatch = async () => {
    if (level >= 4 && payload.rows > 0) await database.db.copyFrom('record_traces', TRACE_COLUMNS, payload.chunks());
    payload = new CopyPayload();
    // The file target's batch: one write of its lines.
    if (out && lines.length > 0 && !out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
    lines = [];
  };
  const onLine = async (line: string) => {
    records++;
    if (level < 1) return;
    const record = JSON.parse(line) as { eventId: string; purchaseOrder: { number: string } };
    if (level < 2) return;
    const text = jsonTextOf(record) as string;
    if (level >= 3) {
      const now = Date.now();
      const trace: RecordTrace = {
        runId, lineageKey: String(records), sourceKey: record.eventId, businessKey: record.purchaseOrder.number,
        path: ['in', 'pass', 'out'], outcome: 'delivered', endNode: 'out', targetNode: 'out',
        idempotencyKey: record.eventId, input: record, output: record, steps: [], eventTime: now, finishedAt: now,
      };
      payload.add(traceLine(trace, run, prefix));
    }
    if (out) lines.push(text);
    if (records % BATCH === 0) await flushBatch();
  };
  const decoder = new TextDecoder();
  let carried = '';
  for await (const bytes of createReadStream(input, { highWaterMark: 1 << 16 })) {
    const text = carried + decoder.decode(bytes as Buffer, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (nl > start) await onLine(text.slice(start, nl));
      start = nl + 1;
    }
    carried = text.slice(start);
  }
  if (carried.trim()) await onLine(carried);
  await flushBatch();
  if (out) {
    out.end();
    await once(out, 'finish');
  }
  if (level >= 4) await database.store.sql.query('delete from record_traces where run_id = $1', [runId]);
  return { records };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU µs per record of each cumulative stage (engine process, and the embedded database's where it has one). */
export async function passthroughFloor(options: FloorOptions) {
  const dir = await mkdtemp(join(tmpdir(), 'lf-floor-'));
  const { database, drop } = await openBenchStore(options.backend, dir, options.dataDir);
  const engine: Record<string, number[]> = {};
  const db: Record<string, number[]> = {};
  let records = 0;
  try {
    await pass(database, options.input, 'file', dir); // warm-up: JIT, the table's first pages
    for (let round = 0; round < 3; round++) {
      for (const stage of FLOOR_STAGES) {
        const dbBefore = (await database.connection.usage?.())?.cpuSeconds;
        const cpu = process.cpuUsage();
        records = (await pass(database, options.input, stage, dir)).records;
        const used = process.cpuUsage(cpu);
        const dbAfter = (await database.connection.usage?.())?.cpuSeconds;
        (engine[stage] ??= []).push((used.user + used.system) / records);
        if (dbBefore !== undefined && dbAfter !== undefined) (db[stage] ??= []).push(((dbAfter - dbBefore) * 1e6) / records);
      }
    }
  } finally {
    await drop();
    await database.store.close();
    await rm(dir, { recursive: true, force: true });
  }
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return {
    backend: options.backend, records,
    engineCpuMicrosPerRecord: Object.fromEntries(FLOOR_STAGES.map((s) => [s, round1(median(engine[s]))])),
    databaseCpuMicrosPerRecord: Object.keys(db).length ? Object.fromEntries(FLOOR_STAGES.map((s) => [s, round1(median(db[s]))])) : undefined,
  };
}

if (process.argv[1]?.endsWith('passthrough-floor.ts')) {
  const result = await passthroughFloor(JSON.parse(process.argv[2]) as FloorOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
