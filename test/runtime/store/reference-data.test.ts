import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../runtime/store/store.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends()) {
  describe(`reference data and watermarks on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); });
    afterAll(() => backend.cleanup());

    it('stores a set and replaces it whole', async () => {
      const first = [{ code: 'CC-100', name: 'Finance' }, { code: 'CC-200', name: 'Sales' }, { code: 300, name: 'R&D' }];
      expect(await store.putReferenceData('cost_centres', 'code', first)).toBe(3);
      const read = await store.getReferenceData('cost_centres');
      expect(read).toEqual(new Map<string, unknown>([['300', first[2]], ['CC-100', first[0]], ['CC-200', first[1]]]));

      expect(await store.putReferenceData('cost_centres', 'code', [{ code: 'CC-900', name: 'Ops' }])).toBe(1);
      expect([...(await store.getReferenceData('cost_centres'))!.keys()]).toEqual(['CC-900']);
      expect(await store.getReferenceData('tax_codes')).toBeNull();
      await store.putReferenceData('empty', 'code', []);
      expect(await store.getReferenceData('empty')).toEqual(new Map());
    });

    it('loads a large set in one go', async () => {
      const rows = Array.from({ length: 12_000 }, (_, i) => ({ account: `4${String(i).padStart(5, '0')}`, label: `Account ${i}` }));
      expect(await store.putReferenceData('accounts', 'account', rows)).toBe(12_000);
      const map = await store.getReferenceData('accounts');
      expect(map?.size).toBe(12_000);
      expect(map?.get('411999')).toEqual({ account: '411999', label: 'Account 11999' });
    });

    it('refuses rows without a key or with a duplicate key, and keeps the old set', async () => {
      await store.putReferenceData('suppliers', 'id', [{ id: 'S1' }]);
      const missing = store.putReferenceData('suppliers', 'id', [{ id: 'S2' }, { name: 'no id' }]);
      await expect(missing).rejects.toBeInstanceOf(FlowError);
      await expect(missing).rejects.toThrow('Reference data set "suppliers": row 2 has no usable value in key field "id".');
      await expect(store.putReferenceData('suppliers', 'id', [{ id: 'S2' }, { id: 'S3' }, { id: 'S2' }]))
        .rejects.toThrow('rows 1 and 3 have the same id "S2"');
      expect([...(await store.getReferenceData('suppliers'))!.keys()]).toEqual(['S1']);
    });

    it('gets and sets watermarks per flow, node and environment', async () => {
      expect(await store.getWatermark('po', 'poll', 'prod')).toBeNull();
      await store.setWatermark('po', 'poll', 'prod', '2026-01-01T00:00:00Z');
      await store.setWatermark('po', 'poll', 'test', '42');
      await store.setWatermark('po', 'poll', 'prod', '2026-01-02T00:00:00Z');
      expect(await store.getWatermark('po', 'poll', 'prod')).toBe('2026-01-02T00:00:00Z');
      expect(await store.getWatermark('po', 'poll', 'test')).toBe('42');
      expect(await store.getWatermark('po', 'other', 'prod')).toBeNull();
    });

    it('hands nodes a working SQL client with transactions', async () => {
      await store.sql.query('create table if not exists embedded_target (id text primary key, amount numeric)');
      await expect(store.sql.transaction(async (tx) => {
        await tx.query('insert into embedded_target values ($1, $2)', ['a', '1.10']);
        await tx.transaction(async (inner) => { await inner.query('insert into embedded_target values ($1, $2)', ['b', '2.20']); });
        throw new Error('abort');
      })).rejects.toThrow('abort');
      expect((await store.sql.query('select * from embedded_target')).rows).toEqual([]);
      await store.sql.transaction(async (tx) => {
        await tx.query('insert into embedded_target values ($1, $2)', ['a', '1.10']);
        await tx.transaction(async (inner) => { await inner.query('insert into embedded_target values ($1, $2)', ['a', 'dup']); }).catch(() => {});
        await tx.query('insert into embedded_target values ($1, $2)', ['c', '3.30']);
      });
      const { rows } = await store.sql.query<{ id: string; amount: string }>('select id, amount from embedded_target order by id');
      expect(rows).toEqual([{ id: 'a', amount: '1.10' }, { id: 'c', amount: '3.30' }]);
    });
  });
}
