import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../runtime/store/store.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends()) {
  describe(`reference data and watermarks on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); });
    afterAll(() => backend.cleanup());

    const put = (set: string, key: string | string[], rows: Record<string, unknown>[], more: object = {}) =>
      store.putReferenceSet({ set, keyFields: Array.isArray(key) ? key : [key], rows, loadedBy: 'ana', sourceName: `${set}.csv`, ...more });

    it('stores a set as numbered versions, each kept whole, the newest current', async () => {
      const first = [{ code: 'CC-100', name: 'Finance' }, { code: 'CC-200', name: 'Sales' }, { code: 300, name: 'R&D' }];
      const v1 = await put('cost_centres', 'code', first);
      expect(v1).toMatchObject({ unchanged: false, version: { set: 'cost_centres', version: 1, keyFields: ['code'], rowCount: 3, loadedBy: 'ana', sourceName: 'cost_centres.csv', multiple: false } });
      expect((await store.getReferenceData('cost_centres'))?.rows).toEqual(first);

      const v2 = await put('cost_centres', 'code', [{ code: 'CC-900', name: 'Ops' }]);
      expect(v2.version.version).toBe(2);
      expect((await store.getReferenceData('cost_centres'))).toMatchObject({ version: 2, rows: [{ code: 'CC-900', name: 'Ops' }] });
      expect((await store.getReferenceDataVersion('cost_centres', 1))?.rows).toEqual(first);
      expect((await store.listReferenceSetVersions('cost_centres')).map((v) => v.version)).toEqual([2, 1]);
      // The same content again is no new version.
      expect(await put('cost_centres', 'code', [{ code: 'CC-900', name: 'Ops' }])).toMatchObject({ unchanged: true, version: { version: 2 } });
      // A replay "as it was" finds the version of then.
      expect((await store.getReferenceDataAsOf('cost_centres', v1.version.loadedAt))?.version).toBe(1);
      expect(await store.getReferenceData('tax_codes')).toBeNull();
      await put('empty', 'code', []);
      expect((await store.getReferenceData('empty'))?.rows).toEqual([]);
      expect((await store.listReferenceSets()).map((s) => `${s.set}@${s.version}`)).toEqual(expect.arrayContaining(['cost_centres@2', 'empty@1']));
    });

    it('loads a large set in one go', async () => {
      const rows = Array.from({ length: 12_000 }, (_, i) => ({ account: `4${String(i).padStart(5, '0')}`, label: `Account ${i}` }));
      expect((await put('accounts', 'account', rows)).version.rowCount).toBe(12_000);
      const stored = await store.getReferenceData('accounts');
      expect(stored?.rows.length).toBe(12_000);
      expect(stored?.rows[11_999]).toEqual({ account: '411999', label: 'Account 11999' });
    });

    it('refuses rows without a key or with a duplicate key, and keeps the old version', async () => {
      await put('suppliers', 'id', [{ id: 'S1' }]);
      const missing = put('suppliers', 'id', [{ id: 'S2' }, { name: 'no id' }]);
      await expect(missing).rejects.toBeInstanceOf(FlowError);
      await expect(missing).rejects.toThrow('Reference data set "suppliers": row 2 has no usable value in key field id.');
      await expect(put('suppliers', 'id', [{ id: 'S2' }, { id: 'S3' }, { id: 'S2' }])).rejects.toThrow('rows 1 and 3 have the same id "S2"');
      expect(await store.getReferenceData('suppliers')).toMatchObject({ version: 1, rows: [{ id: 'S1' }] });
    });

    it('keeps composite keys, effective dates and one-to-many sets with how they are keyed', async () => {
      const rates = [
        { entity: 'NL01', code: 'S', rate: '21', from: '2020-01-01', to: '2025-12-31' },
        { entity: 'NL01', code: 'S', rate: '22', from: '2026-01-01', to: '' },
        { entity: 'DE01', code: 'S', rate: '19', from: '2020-01-01', to: '' },
      ];
      await put('vat', ['entity', 'code'], rates, { validFrom: 'from', validTo: 'to' });
      expect(await store.getReferenceData('vat')).toMatchObject({ keyFields: ['entity', 'code'], validFrom: 'from', validTo: 'to', multiple: false });
      await expect(put('vat', ['entity', 'code'], [...rates, { entity: 'NL01', code: 'S', rate: '9', from: '2025-06-01', to: '2026-06-30' }], { validFrom: 'from', validTo: 'to' }))
        .rejects.toThrow('rows 1 and 4 have the same entity + code "NL01 / S" for overlapping validity periods');
      await put('contacts', 'supplier', [{ supplier: 'S1', mail: 'a@x' }, { supplier: 'S1', mail: 'b@x' }], { multiple: true });
      expect(await store.getReferenceData('contacts')).toMatchObject({ multiple: true, rowCount: 2 });
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
