/**
 * Point 6: signed webhooks (202 with the run id once queued; 401 and nothing
 * queued on a bad, stale, future or replayed signature), manual runs, and the
 * schedule and polling settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../../runtime/triggers/webhook-signature.ts';
import { createHarness, paymentsFlow, paymentsInput, PAYMENTS_TABLE, type Harness } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let h: Harness;
let secret: string;
const T0 = Date.parse('2026-11-20T10:00:00Z');
let clock = T0;

const unix = (ms = clock) => Math.floor(ms / 1000);

function post(body: string, headers: Record<string, string>, path = '/hooks/payments/dev') {
  return h.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

const signed = (body: string, ts = unix(), key = secret) => ({ 'x-ledgerflow-timestamp': String(ts), 'x-ledgerflow-signature': signWebhook(key, ts, body) });

async function runCount(): Promise<number> {
  const { rows } = await h.store.sql.query<{ n: number }>('select count(*)::int as n from runs');
  return rows[0].n;
}

async function expectRefused(res: Response, reason: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect((await res.json()).detail).toMatch(reason);
}

beforeAll(async () => {
  h = await createHarness({ now: () => new Date(clock) });
  await targetDatabase(h.database, 'ledger').query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
  await h.json('admin', 'PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } });
  await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
  secret = (await h.json('admin', 'POST', '/api/flows/payments/triggers/dev/webhook-secret')).secret;
});
afterAll(() => h.close());

describe('webhooks', () => {
  it('a good signature: 202 with the run id, and the run holds the event', async () => {
    const body = paymentsInput([{ ref: 'W-1', amount: 12.5 }]);
    const res = await post(body, signed(body));
    expect(res.status).toBe(202);
    const { runId } = await res.json();
    const run = await h.store.getRun(runId);
    expect(run).toMatchObject({ flowId: 'payments', version: 1, environment: 'dev', trigger: 'webhook', status: 'succeeded' });
    expect(run!.counts.delivered).toBe(1);
    expect(h.launcher.requests.at(-1)).toMatchObject({ trigger: 'webhook', requestedBy: 'webhook', input: { kind: 'document', name: expect.stringMatching(/\.json$/) } });
  });

  it('a replayed signature: 401 and nothing queued', async () => {
    const body = paymentsInput([{ ref: 'W-2', amount: 1 }]);
    const headers = signed(body);
    expect((await post(body, headers)).status).toBe(202);
    const before = await runCount();
    await expectRefused(await post(body, headers), /already used/);
    expect(await runCount()).toBe(before);
  });

  it('a wrong signature, a changed body, a wrong secret: 401 and nothing queued', async () => {
    const before = await runCount();
    const body = paymentsInput([{ ref: 'W-3', amount: 1 }]);
    await expectRefused(await post(body, { ...signed(body), 'x-ledgerflow-signature': `sha256=${'0'.repeat(64)}` }), /does not match/);
    await expectRefused(await post(body.replace('W-3', 'W-4'), signed(body)), /does not match/);
    await expectRefused(await post(body, signed(body, unix(), 'whsec_not-the-secret')), /does not match/);
    await expectRefused(await post(body, { 'x-ledgerflow-signature': signWebhook(secret, unix(), body) }), /Timestamp header is missing/);
    await expectRefused(await post(body, { 'x-ledgerflow-timestamp': String(unix()) }), /Signature header is missing/);
    expect(await runCount()).toBe(before);
  });

  it('a stale or future timestamp (outside 5 minutes): 401; inside: 202', async () => {
    const before = await runCount();
    const body = paymentsInput([{ ref: 'W-5', amount: 1 }]);
    await expectRefused(await post(body, signed(body, unix() - 301)), /window is 300 s/);
    await expectRefused(await post(body, signed(body, unix() + 301)), /window is 300 s/);
    expect(await runCount()).toBe(before);
    expect((await post(body, signed(body, unix() - 299))).status).toBe(202);
  });

  it('the old secret stops working when it is rotated', async () => {
    const old = secret;
    secret = (await h.json('admin', 'POST', '/api/flows/payments/triggers/dev/webhook-secret')).secret;
    expect(secret).not.toBe(old);
    const body = paymentsInput([{ ref: 'W-6', amount: 1 }]);
    await expectRefused(await post(body, signed(body, unix(), old)), /does not match/);
    expect((await post(body, signed(body))).status).toBe(202);
  });

  it('unknown flow or environment, no secret: 404; not deployed: 409; nothing queued', async () => {
    const before = await runCount();
    const body = '[]';
    expect((await post(body, signed(body), '/hooks/nope/dev')).status).toBe(404);
    expect((await post(body, signed(body), '/hooks/payments/staging')).status).toBe(404);
    expect((await post(body, signed(body), '/hooks/payments/test')).status).toBe(404);
    const testSecret = (await h.json('admin', 'POST', '/api/flows/payments/triggers/test/webhook-secret')).secret;
    const res = await post(body, signed(body, unix(), testSecret), '/hooks/payments/test');
    expect(res.status).toBe(409);
    expect(await runCount()).toBe(before);
  });

  it('when queuing fails: an error, nothing queued, and the same delivery may be retried', async () => {
    const body = paymentsInput([{ ref: 'W-7', amount: 1 }]);
    const headers = signed(body);
    h.launcher.failNext = new Error('queue down');
    const failed = await post(body, headers);
    expect(failed.status).toBe(500);
    expect((await failed.json()).detail).not.toContain('queue down');
    expect((await post(body, headers)).status).toBe(202);
  });

  it('the secret is never shown again and never stored in clear', async () => {
    const triggers = await h.json('admin', 'GET', '/api/flows/payments/triggers?environment=dev');
    expect(triggers.webhook).toEqual({ url: 'http://localhost/hooks/payments/dev', secretSet: true });
    expect(JSON.stringify(triggers)).not.toContain(secret);
    const { rows } = await h.store.sql.query<{ secret: string }>('select secret from webhook_secrets');
    for (const r of rows) expect(r.secret).toMatch(/^v1\./);
    const audit = await h.json('admin', 'GET', '/api/audit?entity=trigger');
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('a flow whose first source is not its webhook source: the delivery is read by the webhook source node', async () => {
    const via = (name: string) => ({ expression: `{ "ref": ref, "amount": amount, "currency": currency, "via": "${name}" }` });
    const target = { connection: 'ledger', table: 'api_routed', mode: 'upsert', keyColumns: ['ref'], idempotencyKey: 'ref', columns: { ref: 'ref', amount: 'amount', currency: 'currency', via: 'via' } };
    const flow = {
      id: 'two-sources', name: 'Uploads and webhooks', businessKey: 'ref', amount: { value: 'amount', currency: 'currency' },
      connections: { ledger: { kind: 'postgres' } },
      nodes: [
        { id: 'upload', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'json' } },
        { id: 'from-upload', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, config: via('upload') },
        { id: 'hook', type: 'source.webhook', typeVersion: 1, position: { x: 0, y: 200 }, config: {} },
        { id: 'from-hook', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 200 }, config: via('hook') },
        { id: 'post', type: 'target.postgres', typeVersion: 1, position: { x: 400, y: 100 }, config: target },
      ],
      edges: [
        { id: 'e1', source: 'upload', target: 'from-upload' }, { id: 'e2', source: 'from-upload', target: 'post' },
        { id: 'e3', source: 'hook', target: 'from-hook' }, { id: 'e4', source: 'from-hook', target: 'post' },
      ],
    };
    await targetDatabase(h.database, 'ledger').query('create table if not exists api_routed (ref text primary key, amount numeric not null, currency text not null, via text not null)');
    await h.json('analyst', 'POST', '/api/flows', { document: flow }, 201);
    await h.json('analyst', 'POST', '/api/flows/two-sources/versions', { message: 'v1' }, 201);
    await h.json('analyst', 'POST', '/api/flows/two-sources/deployments', { environment: 'dev', version: 1 }, 201);
    const hookSecret = (await h.json('admin', 'POST', '/api/flows/two-sources/triggers/dev/webhook-secret')).secret;
    const body = paymentsInput([{ ref: 'H-1', amount: 7 }, { ref: 'H-2', amount: 8 }]);
    const res = await post(body, signed(body, unix(), hookSecret), '/hooks/two-sources/dev');
    expect(res.status).toBe(202);
    const run = await h.store.getRun((await res.json()).runId);
    expect(run).toMatchObject({ trigger: 'webhook', status: 'succeeded' });
    expect(run!.counts).toMatchObject({ read: 2, delivered: 2 });
    expect(h.launcher.requests.at(-1)).toMatchObject({ trigger: 'webhook', sourceNodeId: 'hook' });
    const { rows } = await targetDatabase(h.database, 'ledger').query<{ ref: string; via: string }>('select ref, via from api_routed order by ref');
    expect(rows).toEqual([{ ref: 'H-1', via: 'hook' }, { ref: 'H-2', via: 'hook' }]);
  });

  it('only admins create webhook secrets', async () => {
    expect((await h.call('analyst', 'POST', '/api/flows/payments/triggers/dev/webhook-secret')).status).toBe(403);
  });
});

describe('manual runs', () => {
  it('runs the deployed version on an uploaded document (202, run id)', async () => {
    const { runId } = await h.json('operator', 'POST', '/api/flows/payments/runs', { environment: 'dev', input: { name: 'batch.json', content: paymentsInput([{ ref: 'M-1', amount: 3 }]) } }, 202);
    expect(await h.store.getRun(runId)).toMatchObject({ trigger: 'manual', triggerRef: 'batch.json', version: 1, status: 'succeeded' });
  });

  it('takes base64 content', async () => {
    const content = Buffer.from(paymentsInput([{ ref: 'M-2', amount: 3 }])).toString('base64');
    const { runId } = await h.json('analyst', 'POST', '/api/flows/payments/runs', { environment: 'dev', input: { name: 'b.json', contentBase64: content } }, 202);
    expect((await h.store.getRun(runId))!.counts.delivered).toBe(1);
  });

  it('refuses an environment where nothing is deployed (409)', async () => {
    expect((await h.call('admin', 'POST', '/api/flows/payments/runs', { environment: 'prod' })).status).toBe(409);
  });
});

describe('schedule and polling settings', () => {
  it('computes the next fire time in the schedule\'s time zone', async () => {
    clock = Date.parse('2026-03-27T12:00:00Z'); // Friday; Oslo moves to summer time on Sunday 29 March
    const s = await h.json('analyst', 'PUT', '/api/flows/payments/triggers/dev/schedule', { cron: '0 9 * * 1-5', timezone: 'Europe/Oslo', enabled: true });
    expect(s.nextFireAt).toBe('2026-03-30T07:00:00.000Z'); // 09:00 CEST
    const t = await h.json('operator', 'GET', '/api/flows/payments/triggers?environment=dev');
    expect(t.schedule).toMatchObject({ cron: '0 9 * * 1-5', timezone: 'Europe/Oslo', enabled: true, nextFireAt: '2026-03-30T07:00:00.000Z' });
    clock = T0;
  });

  it('rejects a bad cron expression or time zone with 422 naming the field', async () => {
    const bad = await h.call('analyst', 'PUT', '/api/flows/payments/triggers/dev/schedule', { cron: '61 * * * *', timezone: 'UTC', enabled: true });
    expect(bad.status).toBe(422);
    expect((await bad.json()).problems[0]).toMatchObject({ path: '/cron' });
    const tz = await h.call('analyst', 'PUT', '/api/flows/payments/triggers/dev/schedule', { cron: '0 * * * *', timezone: 'Mars/Olympus', enabled: true });
    expect((await tz.json()).problems[0]).toMatchObject({ path: '/timezone' });
  });

  it('analysts set triggers in dev only; admins everywhere; operators nowhere', async () => {
    const body = { cron: '*/5 * * * *', timezone: 'UTC', enabled: false };
    const analystProd = await h.call('analyst', 'PUT', '/api/flows/payments/triggers/prod/schedule', body);
    expect(analystProd.status).toBe(403);
    expect((await analystProd.json()).requiredRole).toBe('admin');
    expect((await h.call('admin', 'PUT', '/api/flows/payments/triggers/prod/schedule', body)).status).toBe(200);
    expect((await h.call('operator', 'PUT', '/api/flows/payments/triggers/dev/polling', { intervalSeconds: 60, enabled: true })).status).toBe(403);
    const p = await h.json('analyst', 'PUT', '/api/flows/payments/triggers/dev/polling', { intervalSeconds: 60, enabled: true });
    expect(p).toMatchObject({ intervalSeconds: 60, enabled: true, nextPollAt: new Date(T0 + 60_000).toISOString() });
  });
});
