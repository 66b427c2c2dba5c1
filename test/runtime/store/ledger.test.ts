import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../runtime/store/store.ts';
import { storeBackends } from './store-backends.ts';

const sorted = (s: Set<string>) => [...s].sort();

for (const backend of storeBackends()) {
  describe(`idempotency ledger on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); });
    afterAll(() => backend.cleanup());

    it('claims free keys, and never a delivered one again', async () => {
      const { ledger } = store;
      expect(sorted(await ledger.claim('erp', ['A', 'B', 'C', 'A'], 'run1/0'))).toEqual(['A', 'B', 'C']);
      await ledger.confirm('erp', [{ key: 'A', ref: 'DOC-1' }, { key: 'B' }], 'run1/0');
      await ledger.release('erp', ['C'], 'run1/0');

      // A replay: A and B were posted, C may be written again.
      expect(sorted(await ledger.claim('erp', ['A', 'B', 'C', 'D'], 'run2/0'))).toEqual(['C', 'D']);
      // Even the token that delivered them cannot claim them again.
      expect(sorted(await ledger.claim('erp', ['A', 'B'], 'run1/0'))).toEqual([]);
      const { rows } = await store.sql.query<{ key: string; state: string; target_ref: string | null }>(
        `select key, state, target_ref from idempotency_ledger where scope = 'erp' order by key`);
      expect(rows).toEqual([
        { key: 'A', state: 'delivered', target_ref: 'DOC-1' },
        { key: 'B', state: 'delivered', target_ref: null },
        { key: 'C', state: 'pending', target_ref: null },
        { key: 'D', state: 'pending', target_ref: null },
      ]);
      expect(await ledger.claim('erp', [], 'run3/0')).toEqual(new Set());
    });

    it('tells a retried chunk which keys it delivered itself before it crashed', async () => {
      const { ledger } = store;
      await ledger.claim('gl', ['J1', 'J2', 'J3'], 'runZ/7');
      await ledger.confirm('gl', [{ key: 'J1', ref: 'GL-9' }, { key: 'J2' }], 'runZ/7');
      // The chunk is retried: J1 and J2 are its own deliveries, J3 is still its to write.
      expect(sorted(await ledger.claim('gl', ['J1', 'J2', 'J3'], 'runZ/7'))).toEqual(['J3']);
      expect(await ledger.deliveredUnder('gl', ['J1', 'J2', 'J3'], 'runZ/7')).toEqual(new Map([['J1', 'GL-9'], ['J2', null]]));
      // For anyone else they are duplicates, not their deliveries.
      expect(await ledger.deliveredUnder('gl', ['J1', 'J2'], 'runQ/0')).toEqual(new Map());
    });

    it('confirms with refs: each key keeps its own ref, keys never claimed are recorded, other tokens\' keys left alone', async () => {
      const { ledger } = store;
      const keys = Array.from({ length: 300 }, (_, i) => `R${i}`);
      await ledger.claim('refs', keys, 'runR/0');
      await ledger.claim('refs', ['O1'], 'runO/0');
      // Every held key with its own ref (one without), then a chunk with a key never claimed and one of another token.
      await ledger.confirm('refs', keys.map((key, i) => (i === 7 ? { key } : { key, ref: `out.jsonl:${i + 1}` })), 'runR/0');
      await ledger.confirm('refs', [{ key: 'N1', ref: 'out.jsonl:301' }, { key: 'O1', ref: 'stolen' }], 'runR/0');
      const { rows } = await store.sql.query<{ key: string; state: string; claim_token: string; target_ref: string | null }>(
        `select key, state, claim_token, target_ref from idempotency_ledger where scope = 'refs'`);
      const byKey = new Map(rows.map((r) => [r.key, r]));
      expect(rows).toHaveLength(302);
      for (const [i, key] of keys.entries()) {
        expect(byKey.get(key), key).toEqual({ key, state: 'delivered', claim_token: 'runR/0', target_ref: i === 7 ? null : `out.jsonl:${i + 1}` });
      }
      expect(byKey.get('N1')).toEqual({ key: 'N1', state: 'delivered', claim_token: 'runR/0', target_ref: 'out.jsonl:301' });
      expect(byKey.get('O1')).toEqual({ key: 'O1', state: 'pending', claim_token: 'runO/0', target_ref: null });
      // A second confirm of a delivered key does not change its ref.
      await ledger.confirm('refs', [{ key: 'R1', ref: 'again' }], 'runR/0');
      expect(await ledger.deliveredUnder('refs', ['R1'], 'runR/0')).toEqual(new Map([['R1', 'out.jsonl:2']]));
    });

    it('lets a retried chunk re-own its pending keys, and nobody else', async () => {
      const { ledger } = store;
      expect(sorted(await ledger.claim('bank', ['P1', 'P2'], 'runX/3'))).toEqual(['P1', 'P2']);
      // The worker crashed; another run must not take the keys (the payment may have gone out).
      expect(sorted(await ledger.claim('bank', ['P1', 'P2', 'P3'], 'runY/0'))).toEqual(['P3']);
      // The job is retried with the same token.
      expect(sorted(await ledger.claim('bank', ['P1', 'P2'], 'runX/3'))).toEqual(['P1', 'P2']);
      // Another token cannot confirm or release keys it does not hold.
      await ledger.confirm('bank', [{ key: 'P1', ref: 'wrong' }], 'runY/0');
      await ledger.release('bank', ['P2'], 'runY/0');
      expect(sorted(await ledger.claim('bank', ['P1', 'P2'], 'runZ/0'))).toEqual([]);
      await ledger.confirm('bank', [{ key: 'P1', ref: 'PAY-1' }], 'runX/3');
      const { rows } = await store.sql.query<{ target_ref: string }>(`select target_ref from idempotency_ledger where scope = 'bank' and key = 'P1'`);
      expect(rows[0].target_ref).toBe('PAY-1');
    });

    it('confirms without refs what the token holds, records keys never claimed, and leaves other tokens\' keys alone', async () => {
      const { ledger } = store;
      expect(sorted(await ledger.claim('file', ['F1', 'F2'], 'runA/0'))).toEqual(['F1', 'F2']);
      expect(sorted(await ledger.claim('file', ['F3'], 'runB/0'))).toEqual(['F3']);
      // F1 and F2 are runA's (the plain update), F4 was never claimed (the upsert records it), F3 is runB's.
      await ledger.confirm('file', [{ key: 'F1' }, { key: 'F2' }, { key: 'F4' }], 'runA/0');
      await ledger.confirm('file', [{ key: 'F3' }], 'runA/0');
      const { rows } = await store.sql.query<{ key: string; state: string; claim_token: string }>(
        `select key, state, claim_token from idempotency_ledger where scope = 'file' order by key`);
      expect(rows).toEqual([
        { key: 'F1', state: 'delivered', claim_token: 'runA/0' },
        { key: 'F2', state: 'delivered', claim_token: 'runA/0' },
        { key: 'F3', state: 'pending', claim_token: 'runB/0' },
        { key: 'F4', state: 'delivered', claim_token: 'runA/0' },
      ]);
      // Confirming again changes nothing; a delivered key stays delivered under its first token.
      await ledger.confirm('file', [{ key: 'F1' }], 'runA/0');
      await ledger.confirm('file', [{ key: 'F1' }], 'runB/0');
      expect(await ledger.deliveredUnder('file', ['F1', 'F4'], 'runA/0')).toEqual(new Map([['F1', null], ['F4', null]]));
    });

    it('claims a chunk that meets a key already there key by key, and fresh chunks after it whole', async () => {
      const { ledger } = store;
      expect(sorted(await ledger.claim('again', ['R1', 'R2'], 'run1/0'))).toEqual(['R1', 'R2']);
      await ledger.confirm('again', [{ key: 'R1' }], 'run1/0');
      await ledger.release('again', ['R2'], 'run1/0');
      // R1 delivered, R2 released, R3 new: the plain insert fails on R1, the upsert decides each key.
      expect(sorted(await ledger.claim('again', ['R1', 'R2', 'R3'], 'run2/0'))).toEqual(['R2', 'R3']);
      for (let i = 0; i < 20; i++) expect(sorted(await ledger.claim('again', [`N${i}`], `run3/${i}`))).toEqual([`N${i}`]);
      expect(sorted(await ledger.claim('again', ['R1', 'R2', 'R3', 'N0', 'X'], 'run4/0'))).toEqual(['X']);
      const { rows } = await store.sql.query<{ n: unknown }>(`select count(*) as n from idempotency_ledger where scope = 'again'`);
      expect(Number(rows[0].n)).toBe(24);
    });

    it('keeps scopes apart', async () => {
      expect(sorted(await store.ledger.claim('scope-1', ['K'], 't1'))).toEqual(['K']);
      expect(sorted(await store.ledger.claim('scope-2', ['K'], 't2'))).toEqual(['K']);
    });

    it('gives each key to exactly one of two concurrent clients', async () => {
      const other = await backend.openSibling(store);
      const keys = Array.from({ length: 400 }, (_, i) => `INV-${i}`);
      const shuffled = [...keys].reverse();
      for (let round = 0; round < 5; round++) {
        const scope = `race-${round}`;
        const [a, b] = await Promise.all([
          store.ledger.claim(scope, keys.slice(0, 300), 'worker-a'),
          other.ledger.claim(scope, shuffled.slice(0, 300), 'worker-b'),
        ]);
        for (const k of keys) {
          const owners = Number(a.has(k)) + Number(b.has(k));
          const claimable = keys.indexOf(k) < 300 || shuffled.indexOf(k) < 300;
          expect(owners, k).toBe(claimable ? 1 : 0);
        }
        const { rows } = await store.sql.query<{ claim_token: string; n: unknown }>(
          'select claim_token, count(*) as n from idempotency_ledger where scope = $1 group by claim_token order by claim_token', [scope]);
        expect(rows.map((r) => [r.claim_token, Number(r.n)])).toEqual([['worker-a', a.size], ['worker-b', b.size]].filter(([, n]) => n));
      }
    });
  });
}
