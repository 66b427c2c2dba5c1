import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordTrace } from '../../../runtime/engine/run-types.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { storeBackends } from './store-backends.ts';

const trace = (runId: string, i: number): RecordTrace => ({
  runId, lineageKey: String(i), sourceKey: `s${i}`, businessKey: `INV-${i}`, path: ['src', 'map', 'erp'], outcome: 'delivered',
  endNode: 'erp', targetNode: 'erp', targetRef: `ref-${i}`, input: { i, iban: 'x' }, output: { i }, steps: [{ node: 'map', data: { i } }],
  finishedAt: Date.now(),
});

const DAY = 86_400_000;

for (const backend of storeBackends().filter((b) => b.name !== 'pglite-disk')) {
  describe(`trace retention on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); });
    afterAll(() => backend.cleanup());

    it('drops old snapshots, keeps the lineage skeleton, and deletes lineage older than its own period', async () => {
      // Three generations of traces: 400 days, 120 days and 1 day old.
      for (const [runId, age] of [['run-ancient', 400], ['run-old', 120], ['run-new', 1]] as const) {
        const sink = store.openTraceSink({ runId, flowId: 'f', version: 1, environment: 'prod', batchSize: 50 });
        for (let i = 0; i < 7; i++) sink.write(Array.from({ length: 50 }, (_, k) => trace(runId, i * 50 + k)), []);
        await sink.flush();
        await store.sql.query(`update record_traces set created_at = now() - make_interval(days => $2) where run_id = $1`, [runId, age]);
      }
      const now = Date.now();
      const result = await store.pruneTraces({ snapshotsBefore: new Date(now - 90 * DAY), lineageBefore: new Date(now - 365 * DAY), batchSize: 100 });
      expect(result).toEqual({ tracesDeleted: 350, snapshotsPruned: 350 });

      expect((await store.listTraces('run-ancient', {}, { limit: 10 })).items).toEqual([]);
      const old = await store.getTrace('run-old', '42');
      expect(old).toMatchObject({ businessKey: 'INV-42', path: ['src', 'map', 'erp'], outcome: 'delivered', targetRef: 'ref-42', input: null, output: null, steps: [] });
      const fresh = await store.getTrace('run-new', '42');
      expect(fresh).toMatchObject({ input: { i: 42, iban: 'x' }, output: { i: 42 } });
      // Business-key search still finds the skeleton.
      expect((await store.findByBusinessKey('INV-42', { limit: 10 })).items.map((t) => t.runId).sort()).toEqual(['run-new', 'run-old']);
      // Running it again finds nothing more to do.
      expect(await store.pruneTraces({ snapshotsBefore: new Date(now - 90 * DAY), lineageBefore: new Date(now - 365 * DAY) })).toEqual({ tracesDeleted: 0, snapshotsPruned: 0 });
    });
  });
}
