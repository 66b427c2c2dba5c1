/**
 * The response check of the API tests (response-contract.ts) catches a
 * response that disagrees with the route's declaration: a field the schema
 * lacks, a field of the wrong type, a status not declared. Every other API
 * test goes through it (the harness's app).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from '../../../runtime/store/open-store.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import type { RunRow, Store } from '../../../runtime/store/store.ts';
import { createHarness, paymentsFlow, type Harness } from './harness.ts';
import { ContractMismatch } from './response-contract.ts';

/** The store, with its runs altered by `alter` when set: as a handler that leaked a column, or a broken repository, would give them. */
function alteredRuns(store: Store, alter: { change: ((run: RunRow) => unknown) | null }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'getRun' && alter.change) {
        const change = alter.change;
        return async (id: string) => { const run = await target.getRun(id); return run && change(run); };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('the response check of the API tests', () => {
  const alter: { change: ((run: RunRow) => unknown) | null } = { change: null };
  let h: Harness;
  let runId: string;

  beforeAll(async () => {
    const database = await openPgliteDatabase({});
    const store = database.store;
    h = await createHarness({ database: { ...database, store: alteredRuns(store, alter) } });
    await store.saveDraft(paymentsFlow(), 'analyst');
    runId = (await store.createRun({ flowId: 'payments', trigger: 'manual' })).id;
  });
  afterAll(() => h.close());
  afterEach(() => { alter.change = null; });

  it('lets a response that agrees with its declaration through', async () => {
    const detail = await h.json('operator', 'GET', `/api/runs/${runId}`);
    expect(detail.run.id).toBe(runId);
  });

  it('fails the request when a response carries a field its schema does not declare', async () => {
    alter.change = (run) => ({ ...run, workerSecret: 'leaked' });
    const answer = h.call('operator', 'GET', `/api/runs/${runId}`);
    await expect(answer).rejects.toThrow(ContractMismatch);
    await expect(h.call('operator', 'GET', `/api/runs/${runId}`)).rejects.toThrow(/GET \/api\/runs\/\{id\} answered 200 with a body its schema does not describe:\n.*\/run: Unrecognized key: "workerSecret"/);
  });

  it('fails the request when a declared field has the wrong type or is missing', async () => {
    alter.change = ({ counts: _counts, ...run }) => ({ ...run, status: 'sleeping' });
    const err = await h.call('operator', 'GET', `/api/runs/${runId}`).then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(ContractMismatch);
    expect(err!.message).toMatch(/\/run\/status: /);
    expect(err!.message).toMatch(/\/run\/counts: /);
  });

  it('fails the request when the status is not one the route declares', async () => {
    alter.change = () => { throw new Error('the database went away'); };
    await expect(h.call('operator', 'GET', `/api/runs/${runId}`)).rejects.toThrow(/GET \/api\/runs\/\{id\} answered 500, a status its OpenAPI entry does not declare/);
  });
});

describe('the flow document in responses, by its own schema', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  it('lets a draft with problems through, as the draft schema describes it', async () => {
    // Problems a draft may hold (flow validation reports them): too many attempts, an amount without its currency.
    const doc = { ...paymentsFlow({ id: 'with-problems' }), amount: { value: 'amount' } } as unknown as FlowDocument;
    doc.nodes[3].retry = { attempts: 50, backoffMs: 100 };
    await h.json('analyst', 'POST', '/api/flows', { document: doc }, 201);
    const detail = await h.json('analyst', 'GET', '/api/flows/with-problems');
    expect(detail.problems.length).toBeGreaterThan(0);
    expect(detail.draft.nodes[3].retry.attempts).toBe(50);
    expect((await h.json('analyst', 'GET', '/api/flows/with-problems/export')).amount).toEqual({ value: 'amount' });
  });

  it('refuses to store a draft that is not a flow document by its structure (422 naming each place)', async () => {
    const doc = paymentsFlow({ id: 'not-a-document' }) as unknown as { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[]; colour?: string };
    delete doc.nodes[1].position;
    doc.edges[0].source = 7;
    doc.colour = 'blue';
    const res = await h.call('analyst', 'POST', '/api/flows', { document: doc });
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem.problems.map((p: { path: string }) => p.path).sort()).toEqual(['/document/colour', '/document/edges/0/source', '/document/nodes/1']);
    expect(problem.detail).toMatch(/\/document\/nodes\/1 must have required property 'position'/);
    expect((await h.call('analyst', 'GET', '/api/flows/not-a-document')).status).toBe(404);
  });

  it('fails the request when a stored draft is not what the schema describes', async () => {
    // Stored past the use case (as a repository writing the wrong thing would): a node without its position.
    const doc = paymentsFlow({ id: 'broken-draft' }) as unknown as { nodes: Record<string, unknown>[] };
    delete doc.nodes[0].position;
    await h.store.saveDraft(doc as unknown as FlowDocument, 'analyst');
    await expect(h.call('analyst', 'GET', '/api/flows/broken-draft')).rejects.toThrow(/GET \/api\/flows\/\{id\} answered 200 with a body its schema does not describe:\n.*\/draft\/nodes\/0\/position/);
    await expect(h.call('analyst', 'GET', '/api/flows/broken-draft/export')).rejects.toThrow(ContractMismatch);
  });

  it('checks a version\'s document by the full document schema, value rules included', async () => {
    await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow({ id: 'versioned' }) }, 201);
    await h.json('analyst', 'POST', '/api/flows/versioned/versions', { message: 'v1' }, 201);
    expect((await h.json('analyst', 'GET', '/api/flows/versioned/versions/1')).document.id).toBe('versioned');
    const bad = { ...paymentsFlow({ id: 'versioned' }), name: '' };
    await h.store.saveVersion('versioned', bad, 'analyst', 'an empty name, past the use case');
    await expect(h.call('analyst', 'GET', '/api/flows/versioned/versions/2')).rejects.toThrow(/\/document\/name: Too small/);
  });

  it('fails the request when a problem document carries a member the contract does not declare', async () => {
    const { responseMismatch } = await import('./response-contract.ts');
    const route = h.app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' && d.route.method === 'get' && d.route.path === '/api/flows/{id}' ? [d.route] : []))[0];
    const body = { type: '/api/docs#problem-not-found', title: 'Not found', status: 404, detail: 'No flow', stack: 'at …' };
    const answer = new Response(JSON.stringify(body), { status: 404, headers: { 'content-type': 'application/problem+json' } });
    expect(await responseMismatch({ method: 'GET', template: route.path, responses: route.responses }, answer)).toMatch(/Unrecognized key: "stack"/);
  });
});
