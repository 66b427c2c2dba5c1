import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { canonicalJson } from '../../../runtime/store/canonical-json.ts';
import { storeBackends } from './store-backends.ts';

function doc(id: string, extra: Partial<FlowDocument> = {}): FlowDocument {
  return {
    id, name: `Flow ${id}`, description: 'Invoices from AP to the ERP',
    nodes: [{ id: 'src', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'csv' } }],
    edges: [],
    ...extra,
  } as FlowDocument;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

for (const backend of storeBackends()) {
  describe(`flows and versions on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); });
    afterAll(() => backend.cleanup());

    it('saves and updates a draft', async () => {
      const first = await store.saveDraft(doc('ap-invoices'), 'ana');
      expect(first).toMatchObject({ id: 'ap-invoices', name: 'Flow ap-invoices', updatedBy: 'ana' });
      const second = await store.saveDraft(doc('ap-invoices', { name: 'AP invoices' }), 'ben');
      expect(second.name).toBe('AP invoices');
      expect(second.createdAt).toBe(first.createdAt);
      expect((await store.getFlow('ap-invoices'))?.draft.name).toBe('AP invoices');
      expect(await store.getFlow('nope')).toBeNull();
      expect((await store.listFlows()).map((f) => f.id)).toContain('ap-invoices');
    });

    it('numbers versions per flow from 1 and hashes the canonical document', async () => {
      const d = doc('po-sync');
      const v1 = await store.saveVersion('po-sync', d, 'ana', 'first');
      const v2 = await store.saveVersion('po-sync', { ...d, name: 'PO sync v2' }, 'ben', 'rename');
      const other = await store.saveVersion('ap-invoices', doc('ap-invoices'), 'ana', 'first');
      expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
      expect(v1.hash).toBe(createHash('sha256').update(canonicalJson(d)).digest('hex'));
      expect(v1.hash).not.toBe(v2.hash);
      // Key order does not change the hash.
      const reverseKeys = (v: unknown): unknown => Array.isArray(v) ? v.map(reverseKeys)
        : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
      const reordered = reverseKeys(d) as FlowDocument;
      expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(d));
      const v3 = await store.saveVersion('po-sync', reordered, 'ana', 'same content');
      expect(v3.hash).toBe(v1.hash);
      // A version was the first thing stored for po-sync: its flow row exists.
      expect((await store.getFlow('po-sync'))?.name).toBe('Flow po-sync');

      const read = await store.getVersion('po-sync', 2);
      expect(read).toMatchObject({ flowId: 'po-sync', version: 2, author: 'ben', message: 'rename', hash: v2.hash });
      expect(read?.document.name).toBe('PO sync v2');
      expect((await store.listVersions('po-sync')).map((v) => v.version)).toEqual([1, 2, 3]);
      expect(await store.getVersion('po-sync', 9)).toBeNull();
    });

    it('gives concurrent saves distinct numbers', async () => {
      const d = doc('busy');
      const versions = await Promise.all(Array.from({ length: 5 }, (_, i) => store.saveVersion('busy', d, 'ana', `save ${i}`)));
      expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3, 4, 5]);
    });

    it('keeps versions immutable, even against direct SQL', async () => {
      await store.saveVersion('locked', doc('locked'), 'ana', 'v1');
      await expect(store.sql.query(`update flow_versions set message = 'changed' where flow_id = 'locked'`))
        .rejects.toThrow(/immutable/);
      expect((await store.getVersion('locked', 1))?.message).toBe('v1');
      expect('updateVersion' in store).toBe(false);
    });

    it('refuses a document saved under another flow id', async () => {
      await expect(store.saveVersion('other', doc('po-sync'), 'ana', 'x')).rejects.toThrow(/not "other"/);
    });
  });
}
