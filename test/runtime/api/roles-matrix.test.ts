/**
 * Every route enforces its role on the server: without credentials every
 * non-public operation answers 401, and each role gets 403 (naming the role
 * needed) exactly where the matrix says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, paymentsFlow, PAYMENTS_TABLE, type Harness } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let h: Harness;
let openapi: any;

type Who = 'admin' | 'analyst' | 'operator';
const ALL: Who[] = ['admin', 'analyst', 'operator'];
const EDIT: Who[] = ['admin', 'analyst'];
const ADMIN: Who[] = ['admin'];
const OPS: Who[] = ['admin', 'operator'];

/** [method, path, body, roles allowed]. Bodies are valid enough to get past validation when allowed. */
const MATRIX: [string, string, unknown, Who[]][] = [
  ['GET', '/api/auth/me', undefined, ALL],
  ['GET', '/api/users', undefined, ADMIN],
  ['POST', '/api/users', { username: 'x', password: 'short', role: 'analyst' }, ADMIN],
  ['PATCH', '/api/users/usr_none', { role: 'analyst' }, ADMIN],
  ['GET', '/api/node-types', undefined, ALL],
  ['GET', '/api/flows', undefined, ALL],
  ['GET', '/api/flows/payments', undefined, ALL],
  ['POST', '/api/flows', { document: paymentsFlow({ id: 'other' }) }, EDIT],
  ['PUT', '/api/flows/payments/draft', { document: paymentsFlow() }, EDIT],
  ['POST', '/api/flows/payments/duplicate', { id: 'copy', name: 'Copy' }, EDIT],
  ['DELETE', '/api/flows/nothing-here', undefined, ADMIN],
  ['GET', '/api/flows/payments/export', undefined, ALL],
  ['POST', '/api/flows/import', { document: { id: 'bad' } }, EDIT],
  ['POST', '/api/flows/validate', { document: {} }, ALL],
  ['GET', '/api/flows/payments/versions', undefined, ALL],
  ['GET', '/api/flows/payments/versions/1', undefined, ALL],
  ['GET', '/api/flows/payments/versions/1/readiness', undefined, ALL],
  ['POST', '/api/flows/payments/versions', { message: 'm' }, EDIT],
  ['GET', '/api/flows/payments/diff?from=1&to=draft', undefined, ALL],
  ['POST', '/api/flows/payments/test-run', { records: [{ ref: 'T', amount: 1, currency: 'EUR' }] }, EDIT],
  ['POST', '/api/flows/payments/samples/parse', { name: 's.json', content: '[]' }, EDIT],
  ['POST', '/api/flows/payments/samples', { name: 'matrix.csv', content: 'a,b\n1,2\n' }, EDIT],
  ['POST', '/api/flows/payments/mapping-tests/run', {}, EDIT],
  ['GET', '/api/environments', undefined, ALL],
  ['GET', '/api/connections', undefined, ADMIN],
  ['DELETE', '/api/connections/dev/nothing', undefined, ADMIN],
  ['PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } }, ADMIN],
  ['POST', '/api/connections/dev/ledger/test', undefined, ADMIN],
  ['GET', '/api/flows/payments/deployments', undefined, ALL],
  // Reading an environment's databases (checks before deploy, the inspector's table picker): as for runs.
  ['GET', '/api/flows/payments/environment-checks?environment=dev', undefined, ALL],
  ['GET', '/api/flows/payments/environment-checks?environment=prod&version=1', undefined, OPS],
  ['GET', '/api/connections/dev/ledger/schema', undefined, ALL],
  ['GET', '/api/connections/prod/ledger/schema', undefined, OPS],
  ['POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, EDIT],
  ['POST', '/api/flows/payments/promotions', { environment: 'prod', version: 99 }, EDIT],
  ['GET', '/api/promotions', undefined, ALL],
  ['POST', '/api/promotions/prm_none/approve', undefined, ADMIN],
  ['POST', '/api/flows/payments/rollback', { environment: 'dev', version: 99 }, EDIT],
  ['POST', '/api/flows/payments/impact-preview', { environment: 'prod', version: 1 }, ADMIN],
  ['POST', '/api/flows/payments/runs', { environment: 'dev' }, ALL],
  // Analysts run their flows in dev only; a deployed environment needs an operator or admin.
  ['POST', '/api/flows/payments/runs', { environment: 'prod' }, OPS],
  ['GET', '/api/runs', undefined, ALL],
  ['GET', '/api/runs/run_none', undefined, ALL],
  ['POST', '/api/runs/run_none/cancel', undefined, OPS],
  ['GET', '/api/search?businessKey=X', undefined, ALL],
  ['GET', '/api/dead-letters', undefined, ALL],
  ['POST', '/api/dead-letters/replay', { ids: [999], against: 'deployed' }, OPS],
  ['POST', '/api/dead-letters/discard', { ids: [999], reason: 'r' }, OPS],
  ['GET', '/api/audit', undefined, ADMIN],
  ['GET', '/api/flows/payments/triggers', undefined, ALL],
  ['POST', '/api/flows/payments/triggers/dev/webhook-secret', undefined, ADMIN],
  ['PUT', '/api/flows/payments/triggers/dev/schedule', { cron: '0 * * * *', timezone: 'UTC', enabled: false }, EDIT],
  ['PUT', '/api/flows/payments/triggers/dev/polling', { intervalSeconds: 60, enabled: false }, EDIT],
  ['GET', '/api/health', undefined, ALL],
  ['GET', '/api/reconciliation/daily', undefined, ALL],
  ['GET', '/api/reference-data', undefined, ALL],
  ['GET', '/api/alert-rules', undefined, ALL],
  ['GET', '/api/alerts', undefined, ALL],
  ['POST', '/api/alert-rules', { name: 'x', flowId: 'payments', environment: 'dev', condition: 'run-failed', channel: 'slack', target: 'http://127.0.0.1:9/' }, OPS],
  ['PUT', '/api/alert-rules/nothing', { name: 'x', flowId: 'payments', environment: 'dev', condition: 'run-failed', channel: 'slack', target: 'http://127.0.0.1:9/' }, OPS],
  ['DELETE', '/api/alert-rules/nothing', undefined, OPS],
  ['POST', '/api/reference-data/check', { document: paymentsFlow() }, ALL],
  ['PUT', '/api/reference-data/nothing', { key: 'code', fileName: 'c.csv', content: 'code\nA\n' }, ADMIN],
  ['GET', '/api/reference-data/nothing/versions', undefined, ALL],
  ['GET', '/api/reference-data/nothing/rows', undefined, ALL],
  ['GET', '/api/subflows', undefined, ALL],
  ['PUT', '/api/subflows/nothing', { definition: { inputs: [], outputs: [], nodes: [], edges: [] } }, EDIT],
  ['GET', '/api/subflows/nothing', undefined, ALL],
];

beforeAll(async () => {
  h = await createHarness();
  await targetDatabase(h.database, 'ledger').query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
  openapi = await h.json(null, 'GET', '/api/openapi.json');
});
afterAll(() => h.close());

describe('roles matrix', () => {
  it.each(MATRIX)('%s %s', async (method, path, body, allowed) => {
    for (const who of ALL) {
      const res = await h.call(who, method, path, body);
      if (allowed.includes(who)) {
        expect([401, 403], `${who} should be allowed: ${await res.clone().text()}`).not.toContain(res.status);
      } else {
        expect(res.status, `${who} should be refused`).toBe(403);
        const problem = await res.json();
        expect(problem.requiredRole, who).toBeDefined();
        expect([problem.requiredRole].flat().every((r: string) => allowed.includes(r as Who))).toBe(true);
      }
    }
  });

  it('covers every non-public operation of the OpenAPI document', () => {
    const documented: string[] = [];
    for (const [path, item] of Object.entries(openapi.paths as Record<string, Record<string, { security?: unknown[] }>>)) {
      for (const [method, op] of Object.entries(item)) if (op.security?.length && path.startsWith('/api/')) documented.push(`${method.toUpperCase()} ${path}`);
    }
    const normalise = (p: string) => p.split('?')[0].split('/').map((s, i, _all) => (['payments', 'usr_none', 'prm_none', 'run_none', 'nothing-here', 'nothing', 'dev', 'ledger', '1'].includes(s) && i > 2 ? '{}' : s)).join('/');
    const tested = new Set(MATRIX.map(([m, p]) => `${m} ${normalise(p)}`));
    const missing = documented.filter((d) => !tested.has(d.replace(/\{[^}]+\}/g, '{}'))).filter((d) => !/tokens|records|runs\/events|deployments\/history|samples$|reject|logout/.test(d));
    expect(missing).toEqual([]);
  });

  it('every non-public operation answers 401 without credentials', async () => {
    let checked = 0;
    for (const [path, item] of Object.entries(openapi.paths as Record<string, Record<string, { security?: unknown[] }>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op.security?.length) continue;
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const res = await h.app.request(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: ['get', 'delete'].includes(method) ? undefined : '{}' });
        expect(res.status, `${method} ${path}`).toBe(401);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('nothing changed for refused requests', async () => {
    expect(await h.store.getFlow('other')).not.toBeNull(); // created by admin/analyst only
    // The operator's own alert rule (operators manage alert rules) is the one change audited in its name.
    const { rows } = await h.store.sql.query<{ actor: string }>(`select actor from audit_log where actor = 'operator' and action <> 'alert-rule.created'`);
    expect(rows).toEqual([]);
  });
});
