/**
 * Issue 12 point 9a: every operation of the OpenAPI document, called as
 * anonymous, analyst, operator and admin, against the README's role table.
 * The table is written once below; an operation it does not classify fails
 * the test, so a new route cannot ship without a decision on who may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsFlow, type Harness } from '../harness.ts';
import { harnessWithOperations, type DocumentedOperation } from './documented-operations.ts';

type Who = 'analyst' | 'operator' | 'admin';
const ALL: Who[] = ['analyst', 'operator', 'admin'];

/** README "Roles": one row per line of the table, plus the public doors and one's own account (README "Signing in"). */
const README_ROWS = {
  public: 'public',
  'signed webhook': 'public',
  'own session and tokens': ALL,
  'read flows, versions, diffs, runs, traces, dead letters, health': ALL,
  'edit drafts, save versions, test runs, mapping tests, import': ['analyst', 'admin'],
  'deploy to dev; schedules/polling in dev; request promotions': ['analyst', 'admin'],
  'start runs by hand': ALL,
  "read an environment's databases: checks before deploy, the table picker": ALL,
  'cancel runs, replay and discard dead letters': ['operator', 'admin'],
  'deploy to test, approve promotions, roll back, impact preview': ['admin'],
  'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows': ['admin'],
  'alert rules (create, change, delete)': ['operator', 'admin'],
} as const satisfies Record<string, 'public' | readonly Who[]>;
type Row = keyof typeof README_ROWS;

/**
 * Operation → README row, with the request to send when the placeholder
 * values ({id} → payments…) are not enough. Several lines for one operation
 * check rows that depend on the environment in the body or path.
 */
const TABLE: [operation: string, row: Row, request?: { path?: string; body?: unknown }][] = [
  ['GET /healthz', 'public'], ['GET /readyz', 'public'], ['GET /metrics', 'public'],
  ['POST /api/auth/login', 'public', { body: { username: 'nobody', password: 'x' } }],
  ['POST /api/auth/logout', 'public'],
  ['POST /hooks/{flowId}/{environment}', 'signed webhook'],
  ['GET /api/auth/me', 'own session and tokens'], ['POST /api/tokens', 'own session and tokens'],
  ['GET /api/tokens', 'own session and tokens'], ['DELETE /api/tokens/{id}', 'own session and tokens'],
  ['GET /api/health', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/node-types', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/export', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['POST /api/flows/validate', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/samples', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/versions', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/versions/{version}', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/versions/{version}/readiness', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/diff', 'read flows, versions, diffs, runs, traces, dead letters, health', { path: '/api/flows/payments/diff?from=1&to=draft' }],
  ['GET /api/environments', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/deployments', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/deployments/history', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/promotions', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/flows/{id}/triggers', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/reconciliation/daily', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/runs', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/runs/events', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/runs/{id}', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/runs/{id}/records', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/runs/{id}/records/{lineageKey}', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/search', 'read flows, versions, diffs, runs, traces, dead letters, health', { path: '/api/search?businessKey=X' }],
  ['GET /api/dead-letters', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['POST /api/flows', 'edit drafts, save versions, test runs, mapping tests, import', { body: { document: paymentsFlow({ id: 'other' }) } }],
  ['PUT /api/flows/{id}/draft', 'edit drafts, save versions, test runs, mapping tests, import', { body: { document: paymentsFlow() } }],
  ['POST /api/flows/{id}/duplicate', 'edit drafts, save versions, test runs, mapping tests, import'],
  ['POST /api/flows/import', 'edit drafts, save versions, test runs, mapping tests, import'],
  ['POST /api/flows/{id}/versions', 'edit drafts, save versions, test runs, mapping tests, import'],
  ['POST /api/flows/{id}/test-run', 'edit drafts, save versions, test runs, mapping tests, import'],
  ['POST /api/flows/{id}/samples/parse', 'edit drafts, save versions, test runs, mapping tests, import'],
  ['POST /api/flows/{id}/samples', 'edit drafts, save versions, test runs, mapping tests, import', { body: { name: 'matrix.csv', content: 'a,b\n1,2\n' } }],
  ['POST /api/flows/{id}/mapping-tests/run', 'edit drafts, save versions, test runs, mapping tests, import'],
  ['POST /api/flows/{id}/deployments', 'deploy to dev; schedules/polling in dev; request promotions', { body: { environment: 'dev', version: 99 } }],
  ['POST /api/flows/{id}/deployments', 'deploy to test, approve promotions, roll back, impact preview', { body: { environment: 'test', version: 1 } }],
  ['PUT /api/flows/{id}/triggers/{environment}/schedule', 'deploy to dev; schedules/polling in dev; request promotions'],
  ['PUT /api/flows/{id}/triggers/{environment}/schedule', 'deploy to test, approve promotions, roll back, impact preview', { path: '/api/flows/payments/triggers/test/schedule', body: { cron: '0 * * * *', timezone: 'UTC', enabled: false } }],
  ['PUT /api/flows/{id}/triggers/{environment}/polling', 'deploy to dev; schedules/polling in dev; request promotions'],
  ['PUT /api/flows/{id}/triggers/{environment}/polling', 'deploy to test, approve promotions, roll back, impact preview', { path: '/api/flows/payments/triggers/prod/polling', body: { intervalSeconds: 60, enabled: false } }],
  ['POST /api/flows/{id}/promotions', 'deploy to dev; schedules/polling in dev; request promotions'],
  ['POST /api/promotions/{id}/reject', 'deploy to dev; schedules/polling in dev; request promotions'],
  ['POST /api/flows/{id}/runs', 'start runs by hand'],
  // In dev every role; beyond dev operators and admins (test/runtime/api/roles-matrix.test.ts checks both).
  ['GET /api/flows/{id}/environment-checks', "read an environment's databases: checks before deploy, the table picker", { path: '/api/flows/payments/environment-checks?environment=dev' }],
  ['GET /api/connections/{environment}/{name}/schema', "read an environment's databases: checks before deploy, the table picker", { path: '/api/connections/dev/ledger/schema' }],
  ['POST /api/runs/{id}/cancel', 'cancel runs, replay and discard dead letters'],
  ['POST /api/dead-letters/replay', 'cancel runs, replay and discard dead letters'],
  ['POST /api/dead-letters/discard', 'cancel runs, replay and discard dead letters'],
  ['POST /api/promotions/{id}/approve', 'deploy to test, approve promotions, roll back, impact preview'],
  // Rollback in dev is the four-eyes change's decision (issue 12 point 3); in prod it is admin's in every reading of the table.
  ['POST /api/flows/{id}/rollback', 'deploy to test, approve promotions, roll back, impact preview', { body: { environment: 'prod', version: 1 } }],
  ['POST /api/flows/{id}/impact-preview', 'deploy to test, approve promotions, roll back, impact preview'],
  ['GET /api/users', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['POST /api/users', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['PATCH /api/users/{id}', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['GET /api/connections', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['PUT /api/connections/{environment}/{name}', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['DELETE /api/connections/{environment}/{name}', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows', { path: '/api/connections/dev/nothing' }],
  ['POST /api/flows/{id}/triggers/{environment}/webhook-secret', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['POST /api/connections/{environment}/{name}/test', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['PUT /api/reference-data/{set}', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows', { body: { name: 'matrix.csv', content: 'code,name\nA,Alpha\n', key: 'code' } }],
  ['GET /api/reference-data', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['POST /api/reference-data/check', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/reference-data/{set}/versions', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/reference-data/{set}/rows', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/subflows', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/subflows/{name}', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['PUT /api/subflows/{name}', 'edit drafts, save versions, test runs, mapping tests, import'],
  ['GET /api/alert-rules', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['GET /api/alerts', 'read flows, versions, diffs, runs, traces, dead letters, health'],
  ['POST /api/alert-rules', 'alert rules (create, change, delete)'],
  ['PUT /api/alert-rules/{id}', 'alert rules (create, change, delete)'],
  ['DELETE /api/alert-rules/{id}', 'alert rules (create, change, delete)'],
  ['GET /api/audit', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows'],
  ['DELETE /api/flows/{id}', 'users, connections and secrets, reference data loads, webhook secrets, audit log, delete flows', { path: '/api/flows/nothing-here' }],
];

// Placeholder values: the flow set up below, its version, dev, a connection name; unknown ids elsewhere (404 is fine).
const PARAMS: Record<string, string> = { id: 'payments', flowId: 'payments', version: '1', environment: 'dev', name: 'ledger', lineageKey: '1' };
const fill = (template: string) => template.replace(/\{(\w+)\}/g, (_, p: string) => PARAMS[p] ?? 'x');

let h: Harness;
let operations: DocumentedOperation[];

beforeAll(async () => {
  ({ h, operations } = await harnessWithOperations());
});
afterAll(() => h.close());

async function status(who: Who | null, method: string, path: string, body: unknown): Promise<number> {
  const res = await h.call(who, method, path, body);
  await res.body?.cancel(); // event streams never end on their own
  return res.status;
}

describe('role matrix from the OpenAPI document', () => {
  it('classifies every documented operation, and only those', () => {
    const classified = new Set(TABLE.map(([op]) => op));
    expect(operations.map((o) => o.key).filter((k) => !classified.has(k)), 'operations the README table does not classify').toEqual([]);
    expect([...classified].filter((k) => !operations.some((o) => o.key === k)), 'table lines for operations that no longer exist').toEqual([]);
    expect(operations.length).toBeGreaterThan(60);
  });

  it.each(TABLE)('%s — %s', async (operation, row, request = {}) => {
    const [method, template] = operation.split(' ');
    const path = request.path ?? fill(template);
    const hasBody = operations.find((o) => o.key === operation)?.hasBody;
    const body = request.body ?? (hasBody ? {} : undefined);
    const allowed = README_ROWS[row];
    if (allowed === 'public') {
      for (const who of [null, ...ALL]) expect(await status(who, method, path, body), `${who ?? 'anonymous'}`).toBeLessThan(500);
      return;
    }
    expect(await status(null, method, path, body), 'anonymous').toBe(401);
    for (const who of ALL) {
      const got = await status(who, method, path, body);
      if ((allowed as readonly Who[]).includes(who)) expect([401, 403], `${who} may (${got})`).not.toContain(got);
      else expect(got, `${who} may not`).toBe(403);
    }
  });
});
