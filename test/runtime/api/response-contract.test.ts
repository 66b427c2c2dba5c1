/**
 * The response check of the API tests (response-contract.ts) catches a
 * response that disagrees with the route's declaration: a field the schema
 * lacks, a field of the wrong type, a status not declared. Every other API
 * test goes through it (the harness's app).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from '../../../runtime/store/open-store.ts';
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
