/**
 * A/B of `ledgerflow run` between two checkouts, in one run so the machine's
 * load falls on both alike: the pass-through flow with traces (engine-run.ts)
 * on `AB_RECORDS` generated events (default 10,000), `AB_ROUNDS` rounds
 * (default 3) of each checkout, interleaved. Each run is its own `ledgerflow`
 * process on a fresh embedded store (created and migrated beforehand, untimed)
 * or, with `AB_BACKEND=postgres`, a fresh schema of TEST_DATABASE_URL. Prints
 * per checkout the median wall time and records/s of the whole command, and the
 * run's stored counts (which must agree).
 *
 *   AB_BASE=/path/to/checkout-before node --import tsx test/bench/cli-run-ab.ts
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PASSTHROUGH_FLOW } from './engine-run.ts';
import { poEventsJsonl } from './po-events.ts';

const records = Number(process.env.AB_RECORDS ?? 10_000);
const rounds = Number(process.env.AB_ROUNDS ?? 3);
const backend = process.env.AB_BACKEND ?? 'pglite';
const checkouts = [
  ...(process.env.AB_BASE ? [{ name: 'before', root: resolve(process.env.AB_BASE) }] : []),
  { name: 'after', root: resolve(import.meta.dirname, '../..') },
];
const run = promisify(execFile);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = await mkdtemp(join(tmpdir(), 'lf-cli-ab-'));
const flowFile = join(dir, 'flow.json');
const input = join(dir, 'events.jsonl');
await writeFile(flowFile, JSON.stringify(PASSTHROUGH_FLOW));
await writeFile(input, poEventsJsonl(records));

let n = 0;
async function once(root: string): Promise<{ seconds: number; counts: Record<string, number> }> {
  const data = join(dir, `data-${n++}`);
  const env: Record<string, string | undefined> = { ...process.env, LEDGERFLOW_DATA: data, LEDGERFLOW_OUT: join(data, 'out') };
  if (backend === 'postgres') {
    if (!process.env.TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
    Object.assign(env, { DATABASE_URL: process.env.TEST_DATABASE_URL, LEDGERFLOW_DB_SCHEMA: `cli_ab_${process.pid}_${n}` });
  } else delete env.DATABASE_URL;
  const bin = join(root, 'runtime/bin/ledgerflow.mjs');
  // The store is created and migrated first: that is not the run's cost.
  await run('node', [bin, 'runs'], { env, maxBuffer: 1 << 24 });
  const started = performance.now();
  const { stdout } = await run('node', [bin, 'run', flowFile, '--input', input, '--json'], { env, maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, counts: JSON.parse(stdout).counts };
}

const results = new Map<string, { seconds: number[]; counts: Record<string, number> }>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const c of checkouts) {
      const r = await once(c.root);
      const entry = results.get(c.name) ?? { seconds: [], counts: r.counts };
      entry.seconds.push(r.seconds);
      results.set(c.name, entry);
      console.error(`round ${round + 1} ${c.name}: ${r.seconds.toFixed(1)} s, ${JSON.stringify(r.counts)}`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const summary = Object.fromEntries([...results].map(([name, r]) => [name, {
  medianSeconds: Number(median(r.seconds).toFixed(2)), recordsPerSec: Math.round(records / median(r.seconds)), counts: r.counts,
}]));
console.log(JSON.stringify({ records, rounds, backend, ...summary }));
