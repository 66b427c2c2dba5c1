#!/usr/bin/env node
/**
 * The README's first command on a fresh clone, as a new user runs it: clones
 * this repository's HEAD commit into an empty folder, runs
 * `npm install && npm start` there in a process group of its own, waits for
 * /readyz, fetches the designer and every script and stylesheet it names,
 * signs in, runs an example flow on one of its stored samples through the API
 * and waits for it to succeed, then sends SIGTERM to the group and checks that
 * no process of it is left. Exits 1 naming the step that failed.
 *
 *   npm run smoke                       (SMOKE_KEEP=1 keeps the clone; SMOKE_TIMEOUT_S bounds install + start, default 900)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const FIRST_COMMAND = 'npm install && npm start';
const PASSWORD = 'smoke-test-Passw0rd!';
const FLOW = 'ubl-invoice-to-ap';
const SAMPLE = 'samples/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml';
const START_TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_S ?? 900) * 1000;

class StepFailed extends Error {}
const started = Date.now();
const log = (line) => console.log(`smoke [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

let step = 'setting up';
async function stepOf(name, fn) {
  step = name;
  log(`${name} …`);
  return fn();
}
const fail = (message) => { throw new StepFailed(message); };

function freePort() {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Pids of the process group still alive (`ps` lists zombies too: only live ones count). */
function groupMembers(pgid) {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').map((line) => line.trim().split(/\s+/)).filter((f) => Number(f[1]) === pgid && !f[2]?.startsWith('Z')).map((f) => `${f[0]} ${f.slice(3).join(' ')}`);
}

const clone = mkdtempSync(join(tmpdir(), 'ledgerflow-fresh-clone-'));
let group = null;
const output = [];

try {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  await stepOf(`git clone of ${commit.slice(0, 12)} into ${clone}`, () => {
    execFileSync('git', ['clone', '--quiet', '--no-checkout', REPO, clone], { stdio: 'inherit' });
    execFileSync('git', ['checkout', '--quiet', '--detach', commit], { cwd: clone, stdio: 'inherit' });
  });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await stepOf(`${FIRST_COMMAND} (PORT=${port})`, async () => {
    const env = { ...process.env, PORT: String(port), LEDGERFLOW_ADMIN_PASSWORD: PASSWORD };
    for (const name of ['LEDGERFLOW_DATA', 'DATABASE_URL', 'LEDGERFLOW_EXAMPLES', 'NODE_ENV', 'LEDGERFLOW_DB_SCHEMA']) delete env[name];
    // detached: the shell leads a process group of its own, so the whole of it can be signalled and checked.
    group = spawn('sh', ['-c', FIRST_COMMAND], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [group.stdout, group.stderr]) {
      stream.on('data', (chunk) => {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          output.push(line);
          if (process.env.SMOKE_VERBOSE === '1') console.log(`  | ${line}`);
        }
      });
    }
    let exited = null;
    group.once('exit', (code, signal) => { exited = signal ?? `exit code ${code}`; });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exited) fail(`'${FIRST_COMMAND}' stopped (${exited}) before /readyz answered 200`);
      if (Date.now() > deadline) fail(`/readyz did not answer 200 within ${START_TIMEOUT_MS / 1000} s`);
      const ready = await fetch(`${base}/readyz`).then((r) => r.status, () => null);
      if (ready === 200) break;
      await sleep(500);
    }
    log('ready (/readyz 200)');
  });

  await stepOf('GET / and every script and stylesheet it references', async () => {
    const page = await fetch(`${base}/`);
    if (page.status !== 200) fail(`GET / answered ${page.status}`);
    const html = await page.text();
    const assets = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"[^>]*>/g)]
      .filter((m) => m[1] || /rel="(stylesheet|modulepreload)"/.test(m[0]))
      .map((m) => m[1] ?? m[2]);
    if (!assets.some((a) => a.endsWith('.js'))) fail('GET / references no script: the designer was not built');
    if (!assets.some((a) => a.endsWith('.css'))) fail('GET / references no stylesheet');
    for (const asset of assets) {
      const r = await fetch(new URL(asset, `${base}/`));
      if (r.status !== 200) fail(`GET ${asset} answered ${r.status}`);
      await r.arrayBuffer();
    }
    log(`${assets.length} assets, all 200`);
  });

  const cookie = await stepOf('POST /api/auth/login as admin with LEDGERFLOW_ADMIN_PASSWORD', async () => {
    const r = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    if (r.status !== 200) fail(`login answered ${r.status}: ${await r.text()}`);
    const session = r.headers.getSetCookie().find((c) => c.startsWith('lf_session='));
    if (!session) fail('login set no lf_session cookie');
    return session.split(';')[0];
  });
  // As the designer's own pages do: a change signed in by cookie names its origin (see README, Security).
  const api = (path, init = {}) => fetch(`${base}${path}`, { ...init, headers: { cookie, origin: base, 'content-type': 'application/json', ...init.headers } });

  const runId = await stepOf(`POST /api/flows/${FLOW}/runs with its stored sample ${SAMPLE}`, async () => {
    const samples = await api(`/api/flows/${FLOW}/samples`);
    if (samples.status !== 200) fail(`GET /api/flows/${FLOW}/samples answered ${samples.status}: the example flows were not loaded`);
    const { items } = await samples.json();
    if (!items.some((s) => s.name === SAMPLE)) fail(`flow ${FLOW} has no stored sample ${SAMPLE} (it has: ${items.map((s) => s.name).join(', ') || 'none'})`);
    const r = await api(`/api/flows/${FLOW}/runs`, { method: 'POST', body: JSON.stringify({ environment: 'dev', input: { name: SAMPLE } }) });
    if (r.status !== 202) fail(`starting the run answered ${r.status}: ${await r.text()}`);
    return (await r.json()).runId;
  });

  await stepOf(`run ${runId} succeeds`, async () => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await api(`/api/runs/${runId}`);
      if (r.status !== 200) fail(`GET /api/runs/${runId} answered ${r.status}`);
      const body = await r.json();
      const run = body.run ?? body;
      if (run.status === 'succeeded') {
        log(`run ${runId}: succeeded, ${run.counts?.delivered} delivered`);
        break;
      }
      if (!['queued', 'running'].includes(run.status)) fail(`run ${runId} ended ${run.status}: ${JSON.stringify(run.error ?? run.counts)}`);
      if (Date.now() > deadline) fail(`run ${runId} still ${run.status} after 120 s`);
      await sleep(300);
    }
  });

  await stepOf('SIGTERM to the process group; none of it may be left', async () => {
    const pgid = group.pid;
    process.kill(-pgid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (groupMembers(pgid).length > 0) {
      if (Date.now() > deadline) fail(`30 s after SIGTERM these processes of the group are still running:\n  ${groupMembers(pgid).join('\n  ')}`);
      await sleep(200);
    }
    group = null;
    log('every process of the group has stopped');
  });

  log(`passed: '${FIRST_COMMAND}' works on a fresh clone`);
} catch (err) {
  console.error(`\nsmoke FAILED at step: ${step}\n  ${err instanceof StepFailed ? err.message : err?.stack ?? err}`);
  if (output.length) console.error(`\nlast lines of '${FIRST_COMMAND}':\n${output.slice(-40).map((l) => `  | ${l}`).join('\n')}`);
  process.exitCode = 1;
} finally {
  if (group) {
    try {
      process.kill(-group.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (process.env.SMOKE_KEEP === '1') console.log(`smoke: the clone is kept in ${clone}`);
  else rmSync(clone, { recursive: true, force: true });
}
