#!/usr/bin/env node
/**
 * `npm run bench:startup` (also part of `npm run bench`): whole-process
 * start-up times on an existing data folder, medians of 5 —
 * `ledgerflow runs` from start to exit, and `npm start` from start to
 * /readyz 200. Prints them and, as its last line, one JSON object.
 * One warm-up of each first (builds the CLI bundle and the designer if missing,
 * creates the data folder with the examples and one run).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'runtime/bin/ledgerflow.mjs');
const ROUNDS = 5;
const data = mkdtempSync(join(tmpdir(), 'lf-startup-'));
const env = { ...process.env, LEDGERFLOW_DATA: data, LEDGERFLOW_OUT: join(data, 'out'), LEDGERFLOW_ADMIN_PASSWORD: 'bench-Passw0rd!-startup' };
for (const name of ['DATABASE_URL', 'LEDGERFLOW_DB_SCHEMA', 'NODE_ENV']) delete env[name];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function freePort() {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function timeCli(args) {
  const t0 = performance.now();
  execFileSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: 'ignore' });
  return performance.now() - t0;
}

/** `npm start` until /readyz answers 200; then SIGTERM to its process group and wait until it has exited. */
async function timeNpmStart() {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...env, PORT: String(port) }, detached: true, stdio: 'ignore' });
  const exited = new Promise((done) => child.once('exit', done));
  let ms = null;
  for (let tries = 0; ms === null; tries++) {
    if (child.exitCode !== null || tries > 1200) throw new Error(`npm start did not become ready (exit code ${child.exitCode})`);
    const status = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) ms = performance.now() - t0;
    else await sleep(25);
  }
  process.kill(-child.pid, 'SIGTERM');
  await exited;
  return ms;
}

try {
  timeCli(['examples', 'load']);
  timeCli(['run', join(ROOT, 'flows/ubl-invoice-to-ap/flow.json'), '--input', join(ROOT, 'flows/ubl-invoice-to-ap/samples/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml')]);
  await timeNpmStart();
  const cli = Array.from({ length: ROUNDS }, () => timeCli(['runs']));
  const start = [];
  for (let i = 0; i < ROUNDS; i++) start.push(await timeNpmStart());
  const figures = { cliRunsMs: median(cli), npmStartReadyMs: median(start), cliRunsSamplesMs: cli.map(Math.round), npmStartSamplesMs: start.map(Math.round), loadAverage1m: loadavg()[0] };
  console.log(`ledgerflow runs, whole process:       ${Math.round(figures.cliRunsMs)} ms (median of ${ROUNDS}; target ≤ 500)`);
  console.log(`npm start until /readyz 200:          ${Math.round(figures.npmStartReadyMs)} ms (median of ${ROUNDS}; target ≤ 3000)`);
  console.log(JSON.stringify(figures));
} finally {
  rmSync(data, { recursive: true, force: true });
}
