import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutcomeCounts } from '../../../runtime/engine/run-types.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { newRunId } from '../../../runtime/store/ids.ts';
import { storeBackends } from './store-backends.ts';

const counts = (over: Partial<OutcomeCounts> = {}): OutcomeCounts =>
  ({ read: 0, delivered: 0, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0, ...over });

describe('newRunId', () => {
  it('sorts by creation time', () => {
    const a = newRunId(1_700_000_000_000);
    const b = newRunId(1_700_000_000_001);
    expect(a).toMatch(/^run_[0-9a-z]{26}$/);
    expect(a < b).toBe(true);
    expect(newRunId(5)).not.toBe(newRunId(5));
  });
});

for (const backend of storeBackends()) {
  describe(`runs on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); });
    afterAll(() => backend.cleanup());

    it('goes through its lifecycle', async () => {
      const run = await store.createRun({ flowId: 'life', version: 3, environment: 'prod', trigger: 'webhook', triggerRef: 'evt-1' });
      expect(run).toMatchObject({ flowId: 'life', version: 3, environment: 'prod', trigger: 'webhook', triggerRef: 'evt-1',
        status: 'queued', counts: counts(), reconciliation: null, error: null, startedAt: null, finishedAt: null, replayOf: null });
      expect(run.id).toMatch(/^run_/);

      await store.setRunStatus(run.id, 'running');
      const running = await store.getRun(run.id);
      expect(running?.status).toBe('running');
      expect(running?.startedAt).not.toBeNull();

      const final = counts({ read: 3, delivered: 2, quarantined: 1 });
      const reconciliation = { counts: final, totals: { read: { EUR: '30.00' }, delivered: { EUR: '20.00' }, quarantined: { EUR: '10.00' }, deadLettered: {}, duplicate: {}, filtered: {} }, closes: true, differences: [], withoutAmount: 0 };
      await store.finishRun(run.id, { status: 'completed_with_exceptions', counts: final, reconciliation });
      const done = await store.getRun(run.id);
      expect(done).toMatchObject({ status: 'completed_with_exceptions', counts: final, reconciliation, startedAt: running?.startedAt });
      expect(done?.finishedAt).not.toBeNull();
      expect(await store.getRun('run_missing')).toBeNull();
      await expect(store.setRunStatus('run_missing', 'running')).rejects.toThrow(/does not exist/);
    });

    it('records and clears a run error', async () => {
      const run = await store.createRun({ id: `run_err_${backend.name}`, flowId: 'err', trigger: 'manual', replayOf: 'run_before' });
      expect(run.id).toBe(`run_err_${backend.name}`);
      expect(run.replayOf).toBe('run_before');
      await store.setRunStatus(run.id, 'failed', { error: { errorClass: 'transient', message: 'ERP unavailable' } });
      const failed = await store.getRun(run.id);
      expect(failed?.error).toEqual({ errorClass: 'transient', message: 'ERP unavailable' });
      expect(failed?.finishedAt).not.toBeNull();
      await store.setRunStatus(run.id, 'queued');
      expect((await store.getRun(run.id))?.error?.message).toBe('ERP unavailable');
      await store.setRunStatus(run.id, 'queued', { error: null });
      expect((await store.getRun(run.id))?.error).toBeNull();
    });

    it('pages through runs newest first without gaps or repeats, with filters', async () => {
      const flowId = `paged-${backend.name}`;
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) {
        const run = await store.createRun({ flowId, environment: i % 2 ? 'prod' : 'test', trigger: i % 3 ? 'schedule' : 'manual' });
        ids.push(run.id);
        if (i % 5 === 0) await store.finishRun(run.id, { status: 'completed_with_exceptions', counts: counts({ read: 1, deadLettered: 1 }), reconciliation: null });
        else if (i % 4 === 0) await store.finishRun(run.id, { status: 'succeeded', counts: counts({ read: 1, delivered: 1 }), reconciliation: null });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listRuns({ flowId }, { limit: 5, cursor });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(5);
      expect(seen).toEqual([...ids].reverse());

      const prod = await store.listRuns({ flowId, environment: 'prod', trigger: 'schedule' }, { limit: 100 });
      expect(prod.items.map((r) => r.id)).toEqual(ids.filter((_, i) => i % 2 === 1 && i % 3 !== 0).reverse());
      const exceptions = await store.listRuns({ flowId, hasExceptions: true }, { limit: 100 });
      expect(exceptions.items.map((r) => r.id)).toEqual(ids.filter((_, i) => i % 5 === 0).reverse());
      const clean = await store.listRuns({ flowId, hasExceptions: false }, { limit: 100 });
      expect(clean.items).toHaveLength(23 - 5);
      const succeeded = await store.listRuns({ flowId, status: 'succeeded' }, { limit: 100 });
      expect(succeeded.items.map((r) => r.id)).toEqual(ids.filter((_, i) => i % 5 !== 0 && i % 4 === 0).reverse());

      const all = await store.listRuns({ flowId }, { limit: 100 });
      const middle = all.items[10].createdAt;
      const since = await store.listRuns({ flowId, since: middle }, { limit: 100 });
      expect(since.items.every((r) => r.createdAt >= middle)).toBe(true);
      const until = await store.listRuns({ flowId, until: middle }, { limit: 100 });
      expect(since.items.length + until.items.length).toBe(23);
    });

    it('refuses a cursor it did not make', async () => {
      await expect(store.listRuns({}, { limit: 5, cursor: 'garbage' })).rejects.toThrow(/cursor/);
    });

    it('adds node statistics up across chunks', async () => {
      const run = await store.createRun({ flowId: 'stats', trigger: 'manual' });
      await store.addNodeStats(run.id, [
        { nodeId: 'map', in: 100, out: 100, invalid: 0, errors: 1, ms: 12.5 },
        { nodeId: 'check', in: 100, out: 97, invalid: 3, errors: 0, ms: 4 },
      ]);
      await store.addNodeStats(run.id, [
        { nodeId: 'map', in: 50, out: 49, invalid: 0, errors: 1, ms: 7.5 },
        { nodeId: 'map', in: 1, out: 1, invalid: 0, errors: 0, ms: 1 },
      ]);
      await store.addNodeStats(run.id, []);
      expect(await store.getNodeStats(run.id)).toEqual([
        { nodeId: 'check', in: 100, out: 97, invalid: 3, errors: 0, ms: 4 },
        { nodeId: 'map', in: 151, out: 150, invalid: 0, errors: 2, ms: 21 },
      ]);
    });

    it('adds concurrent chunk statistics without losing any', async () => {
      const run = await store.createRun({ flowId: 'stats', trigger: 'manual' });
      const sibling = await backend.openSibling(store);
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? sibling : store).addNodeStats(run.id, [
        { nodeId: 'a', in: 10, out: 10, invalid: 0, errors: 0, ms: 1 },
        { nodeId: 'b', in: 10, out: 9, invalid: 1, errors: 0, ms: 1 },
      ])));
      const stats = await store.getNodeStats(run.id);
      expect(stats.map((s) => [s.nodeId, s.in, s.out, s.invalid])).toEqual([['a', 100, 100, 0], ['b', 100, 90, 10]]);
    });
  });
}
