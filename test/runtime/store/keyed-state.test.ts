import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryKeyedState } from '../../../runtime/engine/memory-keyed-state.ts';
import type { KeyedStateStore } from '../../../nodes/define-node.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { storeBackends } from './store-backends.ts';

const by = { runId: 'run1', nodeId: 'apply' };
const subtract = (amounts: number[]) => (i: number, current: unknown) => (current as number) - amounts[i];

/** The rules every keyed state keeps, the store's and the dry runs' in memory alike. */
function keyedStateRules(state: () => KeyedStateStore) {
  it('applies changes of one key in order, from its initial value; each once per apply key', async () => {
    const s = state();
    const first = await s.apply('ar', [
      { key: 'INV-1', applyKey: 'P1', initial: 100 },
      { key: 'INV-1', applyKey: 'P2', initial: 100 },
      { key: 'INV-2', applyKey: 'P3', initial: 50 },
    ], subtract([60, 30, 50]), by);
    expect(first).toEqual([
      { before: 100, after: 40, earlier: false },
      { before: 40, after: 10, earlier: false },
      { before: 50, after: 0, earlier: false },
    ]);
    // A retry or replay of P2 gets its recorded result back; P4 applies against what is left.
    const again = await s.apply('ar', [{ key: 'INV-1', applyKey: 'P2', initial: 100 }, { key: 'INV-1', applyKey: 'P4', initial: 100 }], subtract([30, 10]), by);
    expect(again).toEqual([{ before: 40, after: 10, earlier: true }, { before: 10, after: 0, earlier: false }]);
    expect(await s.read('ar', ['INV-1', 'INV-2', 'INV-3'])).toEqual(new Map([['INV-1', 0], ['INV-2', 0]]));
    // Scopes are apart.
    expect(await s.read('other', ['INV-1'])).toEqual(new Map());
  });

  it('a change whose value cannot be computed applies nothing and is not recorded, so a later try applies it', async () => {
    const s = state();
    const failed = await s.apply('fx', [{ key: 'K', applyKey: 'A1', initial: 5 }], () => { throw new Error('no rate'); }, by);
    expect(failed[0]).toMatchObject({ earlier: false, error: new Error('no rate') });
    expect(await s.read('fx', ['K'])).toEqual(new Map());
    expect(await s.apply('fx', [{ key: 'K', applyKey: 'A1', initial: 5 }], (_i, c) => (c as number) + 1, by)).toEqual([{ before: 5, after: 6, earlier: false }]);
  });
}

describe('keyed state in memory (dry runs)', () => keyedStateRules(createMemoryKeyedState));

for (const backend of storeBackends()) {
  describe(`keyed state on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); }, 60_000);
    afterAll(() => backend.cleanup());

    keyedStateRules(() => store.keyedState);

    it('keeps exact decimals as given, and records every change with its run and node', async () => {
      await store.keyedState.apply('dec', [{ key: 'INV-9', applyKey: 'P9', initial: '1000.10' }], () => '0.00', { runId: 'r9', nodeId: 'n9' });
      expect(await store.keyedState.read('dec', ['INV-9'])).toEqual(new Map([['INV-9', '0.00']]));
      const { rows } = await store.sql.query('select key, before, after, run_id, node_id from keyed_state_changes where scope = $1', ['dec']);
      expect(rows).toEqual([{ key: 'INV-9', before: '1000.10', after: '0.00', run_id: 'r9', node_id: 'n9' }]);
    });

    it('serialises concurrent changes of one key (two workers): none is lost', async () => {
      const sibling = await backend.openSibling(store);
      // Each change waits a moment while it holds the key, so without the lock the two would overlap.
      const slowSubtract = (amount: number) => async (_i: number, current: unknown) => {
        await new Promise((r) => setTimeout(r, 50));
        return (current as number) - amount;
      };
      const changes = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : sibling).keyedState.apply(
        'race', [{ key: 'INV-R', applyKey: `P${i}`, initial: 1000 }], slowSubtract(i + 1), by));
      await Promise.all(changes);
      expect(await store.keyedState.read('race', ['INV-R'])).toEqual(new Map([['INV-R', 1000 - 55]]));
    });
  });
}
