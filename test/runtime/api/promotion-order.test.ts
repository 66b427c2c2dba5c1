/**
 * Promotion follows the environment order: with LEDGERFLOW_PROMOTION_ORDER=ran
 * (the default) a version reaches test only after a finished run in dev, and
 * prod only after one in test; with `deployed`, after a deployment there; a
 * rollback to a version that ran in the environment is always allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PromotionOrder } from '../../../runtime/promotion/rules.ts';
import { createHarness, paymentsFlow, type Harness } from './harness.ts';

const harnesses: Harness[] = [];
afterAll(() => Promise.all(harnesses.map((h) => h.close())));

async function flowWithVersions(order: PromotionOrder | undefined, versions: number): Promise<Harness> {
  const h = await createHarness(order ? { promotionOrder: order } : { promotionOrder: undefined });
  harnesses.push(h);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  for (let v = 1; v <= versions; v++) {
    await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: paymentsFlow({ factor: v }) });
    await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: `v${v}` }, 201);
  }
  return h;
}

/** A finished run of `version` in `environment`, as the queue records it. */
async function ran(h: Harness, version: number, environment: string, status = 'succeeded') {
  await h.store.sql.query(`insert into runs (id, flow_id, version, environment, trigger, status) values ($1, 'payments', $2, $3, 'manual', $4)`, [`run-${environment}-${version}-${status}`, version, environment, status]);
}

const deploy = (h: Harness, environment: string, version: number) => h.call('admin', 'POST', '/api/flows/payments/deployments', { environment, version });

describe('promotion order `ran` (the default)', () => {
  let h: Harness;
  beforeAll(async () => { h = await flowWithVersions(undefined, 2); }, 120_000);

  it('refuses test for a version that never ran in dev, naming what is missing', async () => {
    const never = await deploy(h, 'test', 1);
    expect(never.status).toBe(409);
    expect((await never.json()).detail).toMatch(/Version 1 cannot go to test before it went through dev.*never deployed there/);
    expect((await h.call('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 })).status).toBe(201);
    const notRun = await deploy(h, 'test', 1);
    expect(notRun.status).toBe(409);
    expect((await notRun.json()).detail).toMatch(/deployed there but has not run yet: run it there first/);
    await ran(h, 1, 'dev', 'failed'); // a failed run is not a run through dev
    expect((await deploy(h, 'test', 1)).status).toBe(409);
  });

  it('lets a version go to test after a finished run in dev, and to prod only after one in test', async () => {
    await ran(h, 1, 'dev', 'completed_with_exceptions');
    expect((await deploy(h, 'test', 1)).status).toBe(201);
    const early = await h.call('analyst', 'POST', '/api/flows/payments/promotions', { version: 1, environment: 'prod' });
    expect(early.status).toBe(409);
    expect((await early.json()).detail).toMatch(/cannot go to prod before it went through test/);
    await ran(h, 1, 'test');
    const p = await h.json('analyst', 'POST', '/api/flows/payments/promotions', { version: 1, environment: 'prod' }, 201);
    expect((await h.call('admin', 'POST', `/api/promotions/${p.id}/approve`)).status).toBe(200);
  });

  it('allows going back to a version that ran in the environment before (rollback)', async () => {
    await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 2 }, 201);
    await ran(h, 2, 'dev');
    expect((await deploy(h, 'test', 2)).status).toBe(201);
    expect((await h.call('admin', 'POST', '/api/flows/payments/rollback', { environment: 'test', version: 1 })).status).not.toBe(409);
  });
});

describe('promotion order `deployed` and `off`', () => {
  let deployed: Harness;
  let off: Harness;
  beforeAll(async () => { [deployed, off] = await Promise.all([flowWithVersions('deployed', 1), flowWithVersions('off', 1)]); }, 120_000);

  it('`deployed` needs a deployment in the environment before, not a run', async () => {
    expect((await deploy(deployed, 'test', 1)).status).toBe(409);
    await deployed.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
    expect((await deploy(deployed, 'test', 1)).status).toBe(201);
  });

  it('`off` allows any order', async () => {
    expect((await deploy(off, 'test', 1)).status).toBe(201);
  });
});
