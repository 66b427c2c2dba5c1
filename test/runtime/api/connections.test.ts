/**
 * Connections per environment: settings with secrets encrypted at rest,
 * never returned by the API, never in the audit log or exports; the same
 * version talks to different databases in different environments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { createEnvironmentConnections } from '../../../runtime/connectors/environment-connections.ts';
import { createHarness, paymentsFlow, paymentsInput, PAYMENTS_TABLE, type Harness } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let h: Harness;
const TOKEN = 'erp-token-7f3a9c-very-secret';

beforeAll(async () => {
  h = await createHarness();
  await targetDatabase(h.database, 'ledger').query(PAYMENTS_TABLE);
});
afterAll(() => h.close());

describe('connections', () => {
  it('stores secrets encrypted and never returns them', async () => {
    const saved = await h.json('admin', 'PUT', '/api/connections/test/erp', {
      kind: 'http', settings: { baseUrl: 'https://erp-sandbox.example', headers: { Authorization: 'Bearer {{secret:token}}' }, rateLimitPerSecond: 5 }, secrets: { token: TOKEN },
    });
    expect(saved).toMatchObject({ environment: 'test', name: 'erp', kind: 'http', secretNames: ['token'], settings: { headers: { Authorization: 'Bearer {{secret:token}}' } } });
    const list = await h.call('admin', 'GET', '/api/connections?environment=test');
    const text = await list.text();
    expect(text).toContain('secretNames');
    expect(text).not.toContain(TOKEN);
    const { rows } = await h.store.sql.query<{ secrets: Record<string, string> }>('select secrets from connections');
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
    expect(rows[0].secrets.token).toMatch(/^v1\./);
  });

  it('resolves secrets only for a run, with the key that encrypted them', async () => {
    const connections = createEnvironmentConnections({ database: h.database, secrets: createSecretBox(h.secretKey) });
    const resolver = await connections.connectionsFor('test', { connections: { erp: { kind: 'http' } } });
    expect(resolver.http('erp')).toEqual({ baseUrl: 'https://erp-sandbox.example', headers: { Authorization: `Bearer ${TOKEN}` }, rateLimitPerSecond: 5, waitForSlot: expect.any(Function), secretValues: [TOKEN] });
    const otherKey = createEnvironmentConnections({ database: h.database, secrets: createSecretBox(Buffer.alloc(32, 7)) });
    await expect(otherKey.connectionsFor('test', { connections: { erp: { kind: 'http' } } })).rejects.toThrow(/secret key changed/);
    const none = await connections.connectionsFor('prod', { connections: { erp: { kind: 'http' } } });
    expect(() => none.http('erp')).toThrow(/not configured for this environment/);
  });

  it('keeps a secret left out, removes one set to empty, and audits names only', async () => {
    await h.json('admin', 'PUT', '/api/connections/test/erp', { kind: 'http', settings: { baseUrl: 'https://erp-sandbox.example', headers: { Authorization: 'Bearer {{secret:token}}' } } });
    const { items } = await h.json('admin', 'GET', '/api/connections');
    expect(items.find((c: { name: string }) => c.name === 'erp').secretNames).toEqual(['token']);
    const res = await h.call('admin', 'PUT', '/api/connections/test/erp', { kind: 'http', settings: { baseUrl: 'https://erp-sandbox.example', headers: { Authorization: 'Bearer {{secret:token}}' } }, secrets: { token: '' } });
    expect(res.status).toBe(422);
    expect((await res.json()).problems[0].message).toMatch(/no secret named 'token'/);
    const audit = await h.call('admin', 'GET', '/api/audit?entity=connection');
    const text = await audit.text();
    expect(text).not.toContain(TOKEN);
    const entries = JSON.parse(text).items;
    expect(entries[0]).toMatchObject({ action: 'connection.updated', before: { secretNames: ['token'] }, after: { secretNames: ['token'] } });
    expect(entries[1]).toMatchObject({ action: 'connection.created', before: null, after: { secretsChanged: ['token'] } });
  });

  it('rejects invalid settings with every problem (422)', async () => {
    const res = await h.call('admin', 'PUT', '/api/connections/dev/erp', { kind: 'http', settings: { baseUrl: 'ftp://nope', headers: { A: '{{secret:missing}}' } } });
    expect(res.status).toBe(422);
    const messages = (await res.json()).problems.map((p: { message: string }) => p.message).join('\n');
    expect(messages).toMatch(/baseUrl/);
    expect(messages).toMatch(/secret:missing/);
    expect(await h.repos.connections.getConnection('dev', 'erp')).toBeNull();
  });

  it('binds the same version to different databases per environment', { timeout: 180_000 }, async () => {
    await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
    await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
    await h.json('admin', 'PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } });
    await h.json('admin', 'PUT', '/api/connections/test/ledger', { kind: 'postgres', settings: { url: 'postgres://ledger:{{secret:pw}}@127.0.0.1:1/none' }, secrets: { pw: 'db-password-xyz' } });
    await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
    await h.json('admin', 'POST', '/api/flows/payments/deployments', { environment: 'test', version: 1 }, 201);
    const body = { input: { name: 'p.json', content: paymentsInput([{ ref: 'E-1', amount: 1 }]) } };
    const dev = await h.json('operator', 'POST', '/api/flows/payments/runs', { environment: 'dev', ...body }, 202);
    const test = await h.json('operator', 'POST', '/api/flows/payments/runs', { environment: 'test', ...body }, 202);
    expect((await h.store.getRun(dev.runId))!.counts.delivered).toBe(1);
    const testRun = (await h.store.getRun(test.runId))!;
    expect(testRun.counts.delivered).toBe(0); // port 1: the test database is not the embedded one
    expect(JSON.stringify(testRun)).not.toContain('db-password-xyz');
  });

  it('export never includes connection secrets', async () => {
    const text = await (await h.call('admin', 'GET', '/api/flows/payments/export')).text();
    expect(text).not.toContain('db-password-xyz');
    expect(text).not.toContain(TOKEN);
  });

  it('tests a connection with its stored secrets, says what answered or why not, never shows a secret, and audits it', async () => {
    const ok = await h.json('admin', 'POST', '/api/connections/dev/ledger/test');
    expect(ok).toEqual({ ok: true, message: 'The embedded database answered.' });
    const failed = await h.json('admin', 'POST', '/api/connections/test/ledger/test');
    expect(failed.ok).toBe(false);
    expect(failed.message).toMatch(/ECONNREFUSED|connect/i);
    expect(failed.message).not.toContain('db-password-xyz');
    const unknown = await h.call('admin', 'POST', '/api/connections/test/nothing/test');
    expect(unknown.status).toBe(404);
    const { items } = await h.json('admin', 'GET', '/api/audit?action=connection.tested');
    expect(items.map((e: { entityId: string; after: { ok: boolean } }) => [e.entityId, e.after.ok])).toEqual([['test/ledger', false], ['dev/ledger', true]]);
  });

  it('filters the audit log by flow: the flow, its versions, deployments and promotions', async () => {
    const { items } = await h.json('admin', 'GET', '/api/audit?flow=payments');
    const entities = new Set(items.map((e: { entity: string }) => e.entity));
    expect([...entities].sort()).toEqual(['deployment', 'flow', 'version']);
    expect(items.map((e: { entityId: string }) => e.entityId).filter((id: string) => !/^payments($|\/|@)/.test(id))).toEqual([]);
    expect((await h.json('admin', 'GET', '/api/audit?flow=pay')).items).toEqual([]);
  });
});

describe('before deploying: connections an environment does not bind', () => {
  it('names, per environment, each connection of the version that is unbound or bound as another kind', async () => {
    await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow({ id: 'readiness' }) }, 201);
    await h.json('analyst', 'POST', '/api/flows/readiness/versions', { message: 'first' }, 201);
    await h.json('admin', 'PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } });
    await h.json('admin', 'PUT', '/api/connections/test/ledger', { kind: 'http', settings: { baseUrl: 'https://ledger.example' } });
    const readiness = await h.json('operator', 'GET', '/api/flows/readiness/versions/1/readiness');
    const byEnv = Object.fromEntries(readiness.environments.map((e: { environment: string; problems: { message: string }[] }) => [e.environment, e.problems.map((p) => p.message)]));
    expect(byEnv.dev).toEqual([]);
    expect(byEnv.test).toEqual(["Connection 'ledger' is bound in test as http, but the flow uses it as postgres."]);
    expect(byEnv.prod).toEqual([expect.stringMatching(/^Connection 'ledger' \(postgres\) is not bound in prod/)]);
    expect((await h.call('operator', 'GET', '/api/flows/readiness/versions/9/readiness')).status).toBe(404);
  });
});
