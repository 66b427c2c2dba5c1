/**
 * No lost edits, no reordering: a draft save names the revision it is based
 * on and is refused (409, nothing saved) when someone saved since; a flow's
 * object keys keep their order through draft, version and export (jsonb
 * would sort them, changing CSV and Postgres column order).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, paymentsFlow, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => { h = await createHarness(); });
afterAll(() => h.close());

/** The payments flow with its target's columns in an order neither alphabetical nor by length. */
function flowWithColumnOrder() {
  const doc = paymentsFlow({ id: 'ordered' });
  doc.nodes[3].config = { connection: 'ledger', table: 'api_payments', mode: 'upsert', keyColumns: ['ref'], idempotencyKey: 'ref', columns: { posting_currency: 'currency', ref: 'ref', amount: 'amount', a: 'ref' } };
  return doc;
}

describe('draft revisions', () => {
  it('refuses a save based on a stale revision (409 naming who saved), and saves nothing', async () => {
    await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
    const opened = await h.json('analyst', 'GET', '/api/flows/payments');
    expect(opened.revision).toBe(1);
    // Two people opened revision 1; the admin saves first.
    const first = paymentsFlow({ factor: 2 });
    const saved = await h.json('admin', 'PUT', '/api/flows/payments/draft', { document: first, revision: opened.revision });
    expect(saved.revision).toBe(2);
    const res = await h.call('analyst', 'PUT', '/api/flows/payments/draft', { document: paymentsFlow({ factor: 3 }), revision: opened.revision });
    expect(res.status).toBe(409);
    const problem = await res.json();
    expect(problem).toMatchObject({ status: 409, revision: 2, updatedBy: 'admin', draft: { nodes: expect.any(Array) } });
    expect(problem.detail).toMatch(/saved by admin .*revision 2.*after revision 1/);
    const now = await h.json('operator', 'GET', '/api/flows/payments');
    expect(now.draft).toEqual(first);
    expect(now.revision).toBe(2);
    // Overwriting is a deliberate save based on the revision the conflict named.
    const overwritten = await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: paymentsFlow({ factor: 3 }), revision: problem.revision });
    expect(overwritten.revision).toBe(3);
  });

  it('lets exactly one of two saves based on the same revision win', async () => {
    const { revision } = await h.json('analyst', 'GET', '/api/flows/payments');
    const answers = await Promise.all([2, 5].map((factor) => h.call('analyst', 'PUT', '/api/flows/payments/draft', { document: paymentsFlow({ factor }), revision })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});

describe('key order', () => {
  it('keeps object keys in their order through draft, version and export', async () => {
    const doc = flowWithColumnOrder();
    const sent = JSON.stringify(doc);
    await h.json('analyst', 'POST', '/api/flows', { document: doc }, 201);
    expect(JSON.stringify((await h.json('analyst', 'GET', '/api/flows/ordered')).draft)).toBe(sent);
    await h.json('analyst', 'POST', '/api/flows/ordered/versions', { message: 'v1' }, 201);
    expect(JSON.stringify((await h.store.getVersion('ordered', 1))?.document)).toBe(sent);
    expect(Object.keys((await h.json('analyst', 'GET', '/api/flows/ordered/export?version=1')).nodes[3].config.columns)).toEqual(['posting_currency', 'ref', 'amount', 'a']);
    expect(Object.keys((await h.json('analyst', 'GET', '/api/flows/ordered/export')).nodes[3].config.columns)).toEqual(['posting_currency', 'ref', 'amount', 'a']);
  });
});
