/**
 * Starting a run by hand (the designer's "Run" dialog): analysts in dev only,
 * operators and admins in deployed environments; the refusal is the server's,
 * names the roles needed, and queues nothing. A stored sample is named, not sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, paymentsFlow, paymentsInput, PAYMENTS_TABLE, type Harness } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await targetDatabase(h.database, 'ledger').query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
  for (const env of ['dev', 'test']) await h.json('admin', 'PUT', `/api/connections/${env}/ledger`, { kind: 'postgres', settings: { embedded: true } });
  await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
  await h.json('admin', 'POST', '/api/flows/payments/deployments', { environment: 'test', version: 1 }, 201);
}, 120_000);
afterAll(() => h.close());

const input = (ref: string) => ({ name: 'p.json', content: paymentsInput([{ ref, amount: 12.5 }]) });

describe('manual runs by role', () => {
  it('lets an analyst run in dev', async () => {
    const { runId } = await h.json('analyst', 'POST', '/api/flows/payments/runs', { environment: 'dev', input: input('A-1') }, 202);
    expect((await h.store.getRun(runId))).toMatchObject({ environment: 'dev', trigger: 'manual', status: 'succeeded' });
  }, 120_000);

  it('refuses an analyst in a deployed environment, naming the roles, and queues nothing', async () => {
    const before = h.launcher.requests.length;
    const res = await h.call('analyst', 'POST', '/api/flows/payments/runs', { environment: 'test', input: input('A-2') });
    expect(res.status).toBe(403);
    const problem = await res.json();
    expect(problem.detail).toMatch(/Starting a run in test needs the operator or admin role/);
    expect(problem.requiredRole).toEqual(['operator', 'admin']);
    expect(h.launcher.requests.length).toBe(before);
  });

  it('lets an operator run in a deployed environment', async () => {
    const { runId } = await h.json('operator', 'POST', '/api/flows/payments/runs', { environment: 'test', input: input('O-1') }, 202);
    expect(await h.store.getRun(runId)).toMatchObject({ environment: 'test', status: 'succeeded' });
    expect(h.launcher.requests.at(-1)).toMatchObject({ environment: 'test', requestedBy: 'operator', triggerRef: 'p.json' });
  }, 120_000);
});
