/**
 * Against the real server (`startServer`: PGlite in a data folder, the
 * durable queue with its worker, the scheduler, a real port): first start,
 * the login cookie flow and a signed webhook; plus the example flows loaded
 * on first start.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../runtime/main.ts';
import { ensureAdmin, loadExamples } from '../../../runtime/app/bootstrap.ts';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';
import { signWebhook } from '../../../runtime/triggers/webhook-signature.ts';
import { createHarness, paymentsFlow, paymentsInput } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let server: RunningServer;
let dataDir: string;
const lines: string[] = [];

// The first run of a flow also creates its connection's own embedded database (a data folder of its own).
async function waitForRun(cookie: string, runId: string) {
  for (const until = Date.now() + 90_000; Date.now() < until;) {
    const { run } = await (await fetch(`${server.url}/api/runs/${runId}`, { headers: { cookie } })).json() as { run: { status: string; counts: Record<string, number> } };
    if (!['queued', 'running'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lf-server-'));
  server = await startServer({ env: { LEDGERFLOW_DATA: dataDir }, port: 0, host: '127.0.0.1', designerDir: null, examples: false, out: (l) => lines.push(l) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the real server', () => {
  let cookie: string;

  it('creates an admin with a generated password, printed once, and a 0600 secret key', async () => {
    const line = lines.find((l) => l.includes("Created user 'admin'"));
    expect(line).toMatch(/with password \S{20,}/);
    expect(lines.filter((l) => l.includes('password')).length).toBe(1);
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(join(dataDir, 'secret.key'), 'utf8')).trim(), 'base64')).toHaveLength(32);
  });

  it('logs in with a cookie and uses it', async () => {
    const password = /with password (\S+)/.exec(lines.find((l) => l.includes("Created user 'admin'"))!)![1];
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    cookie = setCookie.split(';')[0];
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie } });
    expect((await me.json()).user).toMatchObject({ username: 'admin', role: 'admin' });
    expect((await fetch(`${server.url}/api/auth/me`)).status).toBe(401);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('takes a signed webhook: 202 with a run id once queued, and the worker runs it; a bad signature gets 401', async () => {
    const send = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', origin: server.url }, body: JSON.stringify(body) });
    const sql = await fetch(`${server.url}/api/flows`, { method: 'POST', headers: { cookie, origin: server.url, 'content-type': 'application/json' }, body: JSON.stringify({ document: paymentsFlow() }) });
    expect(sql.status).toBe(201);
    expect((await send('/api/flows/payments/versions', { message: 'v1' })).status).toBe(201);
    expect((await fetch(`${server.url}/api/connections/dev/ledger`, { method: 'PUT', headers: { cookie, origin: server.url, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'postgres', settings: { embedded: true } }) })).status).toBe(200);
    expect((await send('/api/flows/payments/deployments', { environment: 'dev', version: 1 })).status).toBe(201);
    const { secret } = await (await send('/api/flows/payments/triggers/dev/webhook-secret', {})).json();
    const body = paymentsInput([{ ref: 'HOOK-1', amount: 9.99 }]);
    const ts = Math.floor(Date.now() / 1000);
    const bad = await fetch(`${server.url}/hooks/payments/dev`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ledgerflow-timestamp': String(ts), 'x-ledgerflow-signature': signWebhook('wrong', ts, body) }, body });
    expect(bad.status).toBe(401);
    const good = await fetch(`${server.url}/hooks/payments/dev`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ledgerflow-timestamp': String(ts), 'x-ledgerflow-signature': signWebhook(secret, ts, body) }, body });
    expect(good.status).toBe(202);
    const { runId } = await good.json();
    expect(runId).toMatch(/^run_/);
    const run = await waitForRun(cookie, runId);
    // api_payments does not exist in the connection's fresh database: the record is dead-lettered, not lost.
    expect(run.counts.read).toBe(1);
    expect(run.counts.delivered + run.counts.deadLettered).toBe(1);
    const runs = await (await fetch(`${server.url}/api/runs?trigger=webhook`, { headers: { cookie } })).json();
    expect(runs.items.map((r: { id: string }) => r.id)).toEqual([runId]);
  }, 120_000);
});

describe('first start with the example flows', () => {
  it('imports every flows/*/flow.json as version 1 by system, deployed to dev, runnable', async () => {
    const h = await createHarness();
    try {
      const loaded = await loadExamples(h.database, { evaluators: createEvaluatorRegistry(), dir: new URL('../../../flows', import.meta.url).pathname });
      expect(loaded.length).toBeGreaterThanOrEqual(1);
      const ubl = loaded.find((l) => l.flowId === 'ubl-invoice-to-ap')!;
      expect(ubl.version).toBe(1);
      const versions = await h.json('admin', 'GET', '/api/flows/ubl-invoice-to-ap/versions');
      expect(versions.items[0]).toMatchObject({ version: 1, author: 'system', testsPassed: true });
      for (const flow of ['po-approved-to-erp', 'camt053-cash-entries']) {
        expect((await h.json('admin', 'GET', `/api/flows/${flow}/versions`)).items[0]).toMatchObject({ version: 1, testsPassed: true });
      }
      expect((await h.repos.deployments.getDeployment('ubl-invoice-to-ap', 'dev'))?.version).toBe(1);
      // The example sub-flow is stored first, at the version the flows using it pin.
      const { items: subflows } = await h.json('admin', 'GET', '/api/subflows');
      expect(subflows.map((s: { name: string; version: number; createdBy: string; usedBy: { flowId: string; version: number }[] }) => [s.name, s.version, s.createdBy, s.usedBy.map((u) => `${u.flowId}@${u.version}`).sort()]))
        .toEqual([['legal-entity', 1, 'system', ['po-approved-to-erp@1', 'procure-to-pay@1']]]);
      // Each flow's reference files are stored under its own name: two flows' "suppliers" do not collide.
      const keysOf = async (set: string) => {
        const stored = (await h.store.getReferenceData(set))!;
        return stored.rows.map((r) => r[stored.keyFields[0]]);
      };
      expect(await keysOf('ubl-invoice-to-ap/suppliers')).toContain('NL8200.98.395.B.01');
      expect(await keysOf('po-approved-to-erp/suppliers')).toContain('SUP-1001');
      const samples = await h.json('admin', 'GET', '/api/flows/ubl-invoice-to-ap/samples');
      expect(samples.items.length).toBeGreaterThan(0);
      const { runId } = await h.json('operator', 'POST', '/api/flows/ubl-invoice-to-ap/runs', { environment: 'dev', input: { name: samples.items[0].name } }, 202);
      const run = (await h.store.getRun(runId))!;
      expect(run.status).toMatch(/succeeded|completed_with_exceptions/);
      expect(run.counts.read).toBeGreaterThan(0);
      const { rows } = await targetDatabase(h.database, 'ap').query<{ n: number }>('select count(*)::int as n from ap_invoice');
      expect(rows[0].n).toBe(run.counts.delivered);
      // The target tables live in the connections' own databases, not in the store.
      const inStore = await h.store.sql.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_name in ('ap_invoice', 'cash_entry', 'po_commitment')`);
      expect(inStore.rows[0].n).toBe(0);
      // Loading again leaves existing flows alone.
      expect((await loadExamples(h.database, { evaluators: createEvaluatorRegistry(), dir: new URL('../../../flows', import.meta.url).pathname })).every((l) => l.skipped)).toBe(true);
    } finally {
      await h.close();
    }
  }, 180_000); // three connections, each with a database of its own (an embedded database process each)

  it('takes the first admin password from LEDGERFLOW_ADMIN_PASSWORD, and only on an empty database', async () => {
    const h = await createHarness();
    try {
      expect(await ensureAdmin(h.repos, 'x')).toEqual({ created: false });
    } finally {
      await h.close();
    }
    const { openPgliteStore } = await import('../../../runtime/store/open-store.ts');
    const empty = await openPgliteStore({});
    try {
      const { createServiceRepos } = await import('../../../runtime/store/service-repos.ts');
      expect(await ensureAdmin(createServiceRepos(empty.sql), 'chosen-password-1')).toEqual({ created: true });
      const { rows } = await empty.sql.query<{ username: string; role: string }>('select username, role from users');
      expect(rows).toEqual([{ username: 'admin', role: 'admin' }]);
    } finally {
      await empty.close();
    }
  });
});

