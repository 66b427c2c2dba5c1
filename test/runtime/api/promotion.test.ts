/**
 * Point 4: environments, deployment rules per role, four-eyes promotion to
 * prod, failing mapping tests block promotion, rollback, and the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, paymentsFlow, paymentsInput, PAYMENTS_TABLE, type Harness } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let h: Harness;

async function saveVersion(who: 'analyst' | 'admin' | 'admin2', doc = paymentsFlow(), message = 'change') {
  await h.json(who, 'PUT', `/api/flows/${doc.id}/draft`, { document: doc });
  return h.json(who, 'POST', `/api/flows/${doc.id}/versions`, { message }, 201);
}

beforeAll(async () => {
  h = await createHarness();
  await targetDatabase(h.database, 'ledger').query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'first' }, 201); // v1 by analyst
  for (const env of ['dev', 'test', 'prod']) await h.json('admin', 'PUT', `/api/connections/${env}/ledger`, { kind: 'postgres', settings: { embedded: true } });
});
afterAll(() => h.close());

describe('environments', () => {
  it('lists dev, test and prod in order; prod requires approval', async () => {
    const { items } = await h.json('operator', 'GET', '/api/environments');
    expect(items).toEqual([
      { name: 'dev', position: 0, requiresApproval: false },
      { name: 'test', position: 1, requiresApproval: false },
      { name: 'prod', position: 2, requiresApproval: true },
    ]);
  });

  it('takes a configured list', async () => {
    const custom = await createHarness({ environments: [{ name: 'sandbox', position: 0, requiresApproval: false }, { name: 'live', position: 1, requiresApproval: true }] });
    try {
      const { items } = await custom.json('admin', 'GET', '/api/environments');
      expect(items.map((e: { name: string }) => e.name)).toEqual(['sandbox', 'live']);
      const res = await custom.call('admin', 'PUT', '/api/connections/prod/ledger', { kind: 'postgres', settings: { embedded: true } });
      expect(res.status).toBe(404);
      expect((await res.json()).detail).toContain('sandbox, live');
    } finally {
      await custom.close();
    }
  });
});

describe('direct deployments', () => {
  it('dev: an analyst deploys', async () => {
    const d = await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
    expect(d).toMatchObject({ environment: 'dev', version: 1, deployedBy: 'analyst' });
  });

  it('test: an analyst gets 403 naming admin; an admin deploys', async () => {
    const res = await h.call('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'test', version: 1 });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body.requiredRole).toBe('admin');
    expect(body.detail).toMatch(/admin/);
    expect(await h.repos.deployments.getDeployment('payments', 'test')).toBeNull();
    await h.json('admin', 'POST', '/api/flows/payments/deployments', { environment: 'test', version: 1 }, 201);
  });

  it('an operator may not deploy anywhere', async () => {
    const res = await h.call('operator', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 });
    expect(res.status).toBe(403);
    expect((await res.json()).requiredRole).toEqual(['analyst', 'admin']);
  });

  it('prod: not even an admin deploys directly (409: promotion needed)', async () => {
    const res = await h.call('admin', 'POST', '/api/flows/payments/deployments', { environment: 'prod', version: 1 });
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toMatch(/approved promotion/);
    expect(await h.repos.deployments.getDeployment('payments', 'prod')).toBeNull();
  });

  it('unknown flow, version or environment: 404 problem documents', async () => {
    for (const [path, body] of [
      ['/api/flows/nope/deployments', { environment: 'dev', version: 1 }],
      ['/api/flows/payments/deployments', { environment: 'dev', version: 99 }],
      ['/api/flows/payments/deployments', { environment: 'staging', version: 1 }],
    ] as const) {
      const res = await h.call('admin', 'POST', path, body);
      expect(res.status, path).toBe(404);
      expect((await res.json()).status).toBe(404);
    }
  });
});

describe('four-eyes promotion to prod', () => {
  let promotionId: string;

  it('records who authored the changes in the version', async () => {
    await saveVersion('admin', paymentsFlow({ factor: 1 }), 'admin tweak'); // v2 by admin
    const p = await h.json('analyst', 'POST', '/api/flows/payments/promotions', { version: 2, environment: 'prod' }, 201);
    expect(p).toMatchObject({ status: 'pending', version: 2, environment: 'prod', requestedBy: 'analyst', authors: ['admin', 'analyst'] });
    promotionId = p.id;
  });

  it('an admin who authored a version in it cannot approve; the reason says so', async () => {
    const res = await h.call('admin', 'POST', `/api/promotions/${promotionId}/approve`);
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.detail).toBe('You saved version 2 and edited the draft of version 2; prod promotion needs another admin (four-eyes).');
    expect(await h.repos.deployments.getDeployment('payments', 'prod')).toBeNull();
    const { items } = await h.json('admin', 'GET', '/api/promotions?status=pending');
    expect(items.find((p: { id: string }) => p.id === promotionId)).toMatchObject({ canApprove: false, cannotApproveReason: body.detail });
  });

  it('an analyst cannot approve at all (403 naming admin)', async () => {
    const res = await h.call('analyst', 'POST', `/api/promotions/${promotionId}/approve`);
    expect(res.status).toBe(403);
    expect((await res.json()).requiredRole).toBe('admin');
  });

  it('another admin approves: the version is deployed to prod', async () => {
    const { items } = await h.json('admin2', 'GET', '/api/promotions?status=pending');
    expect(items.find((p: { id: string }) => p.id === promotionId)).toMatchObject({ canApprove: true });
    const out = await h.json('admin2', 'POST', `/api/promotions/${promotionId}/approve`);
    expect(out.promotion).toMatchObject({ status: 'approved', decidedBy: 'admin2' });
    expect(out.deployment).toMatchObject({ environment: 'prod', version: 2, deployedBy: 'admin2' });
    expect((await h.repos.deployments.getDeployment('payments', 'prod'))?.version).toBe(2);
  });

  it('approving twice: 409', async () => {
    expect((await h.call('admin2', 'POST', `/api/promotions/${promotionId}/approve`)).status).toBe(409);
  });

  it('authors count from the version prod runs: v3 by analyst can be approved by admin', async () => {
    await saveVersion('analyst', paymentsFlow(), 'analyst change'); // v3
    const p = await h.json('analyst', 'POST', '/api/flows/payments/promotions', { version: 3, environment: 'prod' }, 201);
    expect(p.authors).toEqual(['analyst']);
    const out = await h.json('admin', 'POST', `/api/promotions/${p.id}/approve`);
    expect(out.deployment.version).toBe(3);
  });

  it('every hand counts: an admin who edited the draft cannot approve the version an analyst saved', async () => {
    // The bypass: the admin maps the amount to "0.00" in the draft, the analyst saves the version, the admin approves.
    await h.json('admin', 'PUT', '/api/flows/payments/draft', { document: paymentsFlow({ factor: 0 }) });
    await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'looks fine' }, 201); // v4
    const p = await h.json('analyst', 'POST', '/api/flows/payments/promotions', { version: 4, environment: 'prod' }, 201);
    expect(p.authors).toEqual(['admin', 'analyst']);
    const res = await h.call('admin', 'POST', `/api/promotions/${p.id}/approve`);
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toBe('You edited the draft of version 4; prod promotion needs another admin (four-eyes).');
    expect((await h.repos.deployments.getDeployment('payments', 'prod'))?.version).toBe(3);
    await h.json('analyst', 'POST', `/api/promotions/${p.id}/reject`, { reason: 'withdrawn' });
  });

  it('the requester cannot approve their own request', async () => {
    await saveVersion('analyst', paymentsFlow(), 'analyst again'); // v5
    const p = await h.json('admin2', 'POST', '/api/flows/payments/promotions', { version: 5, environment: 'prod' }, 201);
    expect(p.authors).toEqual(['admin', 'analyst']); // v4's draft edit by admin is still undeployed
    const own = await h.call('admin2', 'POST', `/api/promotions/${p.id}/approve`);
    expect(own.status).toBe(403);
    expect((await own.json()).detail).toBe('You requested this promotion; prod needs another admin to approve it (four-eyes).');
    await h.json('admin2', 'POST', `/api/promotions/${p.id}/reject`, { reason: 'withdrawn' });
  });

  it('a rejected promotion deploys nothing', async () => {
    await saveVersion('analyst', paymentsFlow({ factor: 2 }), 'double'); // v6 (its test expects 20: passes)
    const p = await h.json('analyst', 'POST', '/api/flows/payments/promotions', { version: 6, environment: 'prod' }, 201);
    const rejected = await h.json('admin2', 'POST', `/api/promotions/${p.id}/reject`, { reason: 'not this quarter' });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'not this quarter' });
    expect((await h.repos.deployments.getDeployment('payments', 'prod'))?.version).toBe(3);
  });
});

describe('failing mapping tests block promotion', () => {
  it('to test and prod: 422 listing the failing test; nothing deployed or requested', async () => {
    await saveVersion('analyst', paymentsFlow({ breakTest: true }), 'broken test'); // v7
    const direct = await h.call('admin', 'POST', '/api/flows/payments/deployments', { environment: 'test', version: 7 });
    expect(direct.status).toBe(422);
    const body = await direct.json();
    expect(body.problems).toHaveLength(1);
    expect(body.problems[0]).toMatchObject({ path: '/tests/0', nodeId: 'map' });
    expect(body.problems[0].message).toContain('maps a payment');
    expect(body.testResults[0]).toMatchObject({ name: 'maps a payment', passed: false });
    expect((await h.repos.deployments.getDeployment('payments', 'test'))?.version).toBe(1);

    const promo = await h.call('analyst', 'POST', '/api/flows/payments/promotions', { version: 7, environment: 'prod' });
    expect(promo.status).toBe(422);
    expect(await h.repos.deployments.listPromotions({ status: 'pending' })).toEqual([]);
  });

  it('dev still takes it (testing happens there)', async () => {
    await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 7 }, 201);
  });

  it('the version list shows which versions pass their tests', async () => {
    const { items } = await h.json('operator', 'GET', '/api/flows/payments/versions');
    expect(items.map((v: { version: number; testsPassed: boolean }) => [v.version, v.testsPassed])).toEqual([[7, false], [6, true], [5, true], [4, true], [3, true], [2, true], [1, true]]);
  });
});

describe('rollback', () => {
  it('prod: an admin alone cannot roll back (409: a second admin approves a rollback request)', async () => {
    const res = await h.call('admin', 'POST', '/api/flows/payments/rollback', { environment: 'prod', version: 2 });
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toMatch(/second admin/);
    expect((await h.call('analyst', 'POST', '/api/flows/payments/rollback', { environment: 'prod', version: 2 })).status).toBe(403);
    expect((await h.repos.deployments.getDeployment('payments', 'prod'))?.version).toBe(3);
  });

  it('prod: a rollback request approved by another admin deploys the earlier version', async () => {
    const p = await h.json('admin', 'POST', '/api/flows/payments/promotions', { version: 2, environment: 'prod' }, 201);
    expect((await h.call('admin', 'POST', `/api/promotions/${p.id}/approve`)).status).toBe(403); // the requester
    await h.json('admin2', 'POST', `/api/promotions/${p.id}/approve`);
    const { items } = await h.json('operator', 'GET', '/api/flows/payments/deployments/history?environment=prod');
    expect(items.map((i: { version: number; kind: string }) => `${i.kind}:${i.version}`)).toEqual(['rollback:2', 'promotion:3', 'promotion:2']);
  });

  it('dev: an analyst rolls back (they deploy there); test: admins only', async () => {
    await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 3 }, 201);
    expect(await h.json('analyst', 'POST', '/api/flows/payments/rollback', { environment: 'dev', version: 1 }, 201)).toMatchObject({ environment: 'dev', version: 1 });
    expect((await h.call('operator', 'POST', '/api/flows/payments/rollback', { environment: 'dev', version: 3 })).status).toBe(403);
    expect((await h.call('analyst', 'POST', '/api/flows/payments/rollback', { environment: 'test', version: 1 })).status).toBe(403);
  });

  it('refuses a version that never ran there (422)', async () => {
    expect((await h.call('admin2', 'POST', '/api/flows/payments/rollback', { environment: 'test', version: 6 })).status).toBe(422);
  });
});

describe('audit log', () => {
  it('has who, what, when, before and after for deployments and promotions', async () => {
    const { items } = await h.json('admin', 'GET', '/api/audit?entity=deployment&entityId=payments%2Fprod');
    expect(items.map((i: { action: string }) => i.action)).toEqual(['deployment.rolled-back', 'deployment.promoted', 'deployment.promoted']);
    const rollback = items[0];
    expect(rollback.actor).toBe('admin2');
    expect(rollback.before).toMatchObject({ version: 3 });
    expect(rollback.after).toMatchObject({ version: 2 });
    expect(Date.parse(rollback.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('filters by actor and pages with a cursor', async () => {
    const page1 = await h.json('admin', 'GET', '/api/audit?actor=analyst&limit=2');
    expect(page1.items).toHaveLength(2);
    expect(page1.items.every((i: { actor: string }) => i.actor === 'analyst')).toBe(true);
    const page2 = await h.json('admin', 'GET', `/api/audit?actor=analyst&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items[0].id).toBeLessThan(page1.items[1].id);
  });

  it('is append-only in the database', async () => {
    await expect(h.store.sql.query('update audit_log set actor = $1', ['mallory'])).rejects.toThrow(/append-only/);
    await expect(h.store.sql.query('delete from audit_log')).rejects.toThrow(/append-only/);
  });

  it('is for admins only', async () => {
    expect((await h.call('analyst', 'GET', '/api/audit')).status).toBe(403);
    expect((await h.call('operator', 'GET', '/api/audit')).status).toBe(403);
  });
});

describe('release impact preview', () => {
  it('compares a version with what runs in the environment on its recorded inputs', async () => {
    await h.json('operator', 'POST', '/api/flows/payments/runs', { environment: 'prod', input: { name: 'p.json', content: paymentsInput([{ ref: 'A', amount: 5 }, { ref: 'B', amount: 7 }, { ref: 'C', amount: -1 }]) } }, 202);
    // v8: doubles amounts and makes 5 invalid (> 6 passes; C stays invalid).
    const doc = paymentsFlow({ factor: 2 });
    doc.nodes[2].config = { rules: [{ id: 'big', expression: 'amount > 12', message: 'too small', severity: 'error', field: 'amount' }] };
    await saveVersion('analyst', doc, 'stricter'); // v8
    const preview = await h.json('admin', 'POST', '/api/flows/payments/impact-preview', { version: 8, environment: 'prod', limit: 10 });
    expect(preview).toMatchObject({ compared: 3, deployedVersion: 2, version: 8, newlyInvalid: 1, newlyValid: 0 });
    const byRef = Object.fromEntries(preview.records.map((r: any) => [r.businessKey, r]));
    expect(byRef.A.before.outcome).toBe('delivered');
    expect(byRef.A.after.outcome).toBe('quarantined');
    expect(byRef.B.differences).toEqual([{ path: 'amount', kind: 'changed', expected: 7, actual: 14 }]);
    expect(byRef.C.before.outcome).toBe('quarantined');
    expect(preview.changed).toBe(3);
    // Nothing was written by the preview: still one run, three rows posted by it at most.
    const { rows } = await targetDatabase(h.database, 'ledger').query<{ n: number }>('select count(*)::int as n from api_payments');
    expect(rows[0].n).toBe(2);
  });

  it('is for admins only', async () => {
    expect((await h.call('analyst', 'POST', '/api/flows/payments/impact-preview', { version: 8, environment: 'prod' })).status).toBe(403);
  });
});
