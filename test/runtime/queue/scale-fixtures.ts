/**
 * Worker processes and a cheap flow for the scale-out test and the
 * one-vs-two-workers benchmark (test/bench/queue-throughput.ts), against a real
 * Postgres in a schema of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import type { RunRow, Store } from '../../../runtime/store/store.ts';
import type { QueuedRunInput } from '../../../runtime/queue/run-launcher.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import type { Database } from '../../../runtime/store/database.ts';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const SCALE_TABLE = 'scale_rows';

const node = (id: string, type: string, config: Record<string, unknown>, x: number): FlowNode => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });

/** webhook (JSON lines) → map `row` (a field path: no JSONata interpretation) → upsert by id. */
export function scaleFlow(): FlowDocument {
  return {
    id: 'scale-out', name: 'Scale-out test',
    recordKey: 'id', businessKey: 'id',
    amount: { value: 'amount', currency: "'EUR'" },
    connections: { db: { kind: 'postgres' } },
    nodes: [
      node('events', 'source.webhook', {}, 0),
      node('map', 'transform.jsonata', { expression: 'row', fanOut: false }, 200),
      node('rows', 'target.postgres', {
        connection: 'db', table: SCALE_TABLE, mode: 'upsert', keyColumns: ['id'], columns: { id: 'id', amount: 'amount' }, batchSize: 500, idempotencyKey: 'id',
      }, 400),
    ],
    edges: [
      { id: 'e1', source: 'events', target: 'map' },
      { id: 'e2', source: 'map', target: 'rows' },
    ],
  };
}

export async function setUpScaleFlow(database: Database): Promise<void> {
  const { store } = database;
  await targetDatabase(database, 'db').query(`create table if not exists ${SCALE_TABLE} (id text primary key, amount numeric not null)`);
  const doc = scaleFlow();
  await store.saveDraft(doc, 'bench');
  await store.saveVersion(doc.id, doc, 'bench', 'scale-out');
  // Workers bind connections per environment (as `serve` does): `db` is its own embedded database
  // (beside a Postgres store, one database on that server every worker reaches) in the
  // environments the scale-out test and the queue-throughput bench run in.
  for (const environment of ['test', 'bench']) {
    await connectionsRepo(store.sql).putConnection({ environment, name: 'db', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'bench' });
  }
}

/** `n` JSON lines with ids `<prefix>1` … `<prefix>n`. */
export function scaleInput(n: number, prefix: string): QueuedRunInput {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `${prefix}${i}`;
    const amount = `${i % 1000}.${String(i % 100).padStart(2, '0')}`;
    lines.push(JSON.stringify({ id, amount, row: { id, amount } }));
  }
  return { kind: 'document', name: 'events.jsonl', bytes: new TextEncoder().encode(`${lines.join('\n')}\n`) };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The worker id it printed when it started. */
  id: string;
  output: string[];
  /** Resolves with the exit code or signal. */
  exited: Promise<string>;
}

/** Starts `ledgerflow worker` against `schema` and waits until it says it started; `nodeArgs` go to node (e.g. `--cpu-prof`). */
export function spawnWorker(url: string, schema: string, args: string[] = [], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, 'runtime/bin/ledgerflow.mjs', 'worker', ...args], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: url, LEDGERFLOW_DB_SCHEMA: schema, LEDGERFLOW_OUT: '/tmp/ledgerflow-scale-out', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<string>((done) => child.on('exit', (code, signal) => done(signal ?? String(code))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${output.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const m = /ledgerflow worker (\S+) started/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ child, id: m[1], output, exited });
      }
    };
    // The worker logs (JSON lines on stderr) that it started.
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((how) => { clearTimeout(timer); reject(new Error(`worker exited (${how}) before starting:\n${output.join('')}`)); });
  });
}

/** Records per second between the run's start and finish. */
export function recordsPerSecond(run: RunRow): number {
  const seconds = (Date.parse(run.finishedAt!) - Date.parse(run.startedAt!)) / 1000;
  return Math.round(run.counts.read / seconds);
}

/** Chunks each worker finished for the run. */
export async function chunksByWorker(store: Store, runId: string): Promise<Map<string, number>> {
  const { rows } = await store.sql.query<{ worker_id: string; n: unknown }>(
    `select worker_id, count(*) as n from run_chunks where run_id = $1 and status = 'done' group by worker_id`, [runId]);
  return new Map(rows.map((r) => [r.worker_id, Number(r.n)]));
}
