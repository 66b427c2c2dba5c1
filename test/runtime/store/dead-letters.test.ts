import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterEntry, RecordTrace } from '../../../runtime/engine/run-types.ts';
import type { ErrorClass } from '../../../nodes/errors.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { storeBackends } from './store-backends.ts';

function entry(runId: string, i: number, errorClass: ErrorClass): { trace: RecordTrace; dead: DeadLetterEntry } {
  const disposition = errorClass === 'validation' ? 'quarantined' as const : 'dead_lettered' as const;
  const error = { errorClass, message: `record ${i} failed (${errorClass})` };
  return {
    trace: { runId, lineageKey: String(i), sourceKey: `s${i}`, businessKey: `PO-${i}`, path: ['src', 'n'], outcome: disposition,
      endNode: 'n', errorClass, error, input: { i }, output: null, steps: [], finishedAt: Date.now() },
    dead: { runId, lineageKey: String(i), sourceKey: `s${i}`, businessKey: `PO-${i}`, nodeId: 'n', disposition, errorClass, error, sourceRecord: { i } },
  };
}

async function writeRun(store: Store, runId: string, flowId: string, classes: ErrorClass[]): Promise<void> {
  const sink = store.openTraceSink({ runId, flowId, version: 1, environment: 'prod' });
  const items = classes.map((c, i) => entry(runId, i, c));
  sink.write(items.map((x) => x.trace), items.map((x) => x.dead));
  await sink.flush();
}

for (const backend of storeBackends()) {
  describe(`dead letters on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await backend.open();
      await writeRun(store, 'run_a', 'ap', ['validation', 'mapping', 'transient', 'permanent', 'validation']);
      await writeRun(store, 'run_b', 'gl', ['validation', 'transient']);
    });
    afterAll(() => backend.cleanup());

    it('lists newest first with filters and pages', async () => {
      const all = await store.listDeadLetters({}, { limit: 100 });
      expect(all.items.map((d) => `${d.runId}:${d.lineageKey}`)).toEqual(
        ['run_b:1', 'run_b:0', 'run_a:4', 'run_a:3', 'run_a:2', 'run_a:1', 'run_a:0']);
      const ap = await store.listDeadLetters({ flowId: 'ap', errorClass: 'validation' }, { limit: 100 });
      expect(ap.items.map((d) => d.lineageKey)).toEqual(['4', '0']);
      expect(ap.items.every((d) => d.disposition === 'quarantined')).toBe(true);
      const byRun = await store.listDeadLetters({ runId: 'run_b' }, { limit: 100 });
      expect(byRun.items).toHaveLength(2);

      const p1 = await store.listDeadLetters({ status: 'open' }, { limit: 3 });
      const p2 = await store.listDeadLetters({ status: 'open' }, { limit: 3, cursor: p1.nextCursor! });
      const p3 = await store.listDeadLetters({ status: 'open' }, { limit: 3, cursor: p2.nextCursor! });
      expect([...p1.items, ...p2.items, ...p3.items].map((d) => d.id)).toEqual(all.items.map((d) => d.id));
      expect(p3.nextCursor).toBeNull();

      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await store.listDeadLetters({ olderThan: future }, { limit: 100 })).items).toHaveLength(7);
      expect((await store.listDeadLetters({ olderThan: '2000-01-01T00:00:00Z' }, { limit: 100 })).items).toHaveLength(0);
    });

    it('marks dead letters replayed or discarded', async () => {
      const [first, second, third] = (await store.listDeadLetters({ runId: 'run_a' }, { limit: 3 })).items;
      await store.setDeadLetterStatus([first.id, second.id], 'replayed', 'cost centre added', 'run_replay');
      await store.setDeadLetterStatus([third.id], 'discarded', 'duplicate of INV-7');
      await store.setDeadLetterStatus([], 'discarded', null);

      const replayed = await store.getDeadLetter(first.id);
      expect(replayed).toMatchObject({ status: 'replayed', statusReason: 'cost centre added', replayRunId: 'run_replay' });
      expect(replayed!.updatedAt >= replayed!.createdAt).toBe(true);
      expect(await store.getDeadLetter(third.id)).toMatchObject({ status: 'discarded', statusReason: 'duplicate of INV-7', replayRunId: null });
      const open = await store.listDeadLetters({ status: 'open', runId: 'run_a' }, { limit: 100 });
      expect(open.items.map((d) => d.id)).not.toContain(first.id);
      expect(open.items).toHaveLength(2);
      // Changing the reason later keeps the replay run.
      await store.setDeadLetterStatus([first.id], 'replayed', 'confirmed');
      expect(await store.getDeadLetter(first.id)).toMatchObject({ statusReason: 'confirmed', replayRunId: 'run_replay' });
      expect(await store.getDeadLetter(999_999)).toBeNull();
    });
  });
}
