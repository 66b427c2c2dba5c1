/**
 * How the split cuts a run into chunks: consecutive chunks without ordering;
 * with `ordering`, chunks of one key sequence each, in source order, each
 * naming the chunk before it in its sequence.
 */
import { describe, expect, it } from 'vitest';
import type { RootRecord } from '../../../runtime/engine/process-chunk.ts';
import { ChunkCutter, partitionOf, type CutChunk } from '../../../runtime/queue/chunk-order.ts';

const root = (seq: number): RootRecord => ({ seq, sourceKey: `k${seq}`, businessKey: null, amount: null, currency: null, data: { seq } });

function cutAll(cutter: ChunkCutter, n: number, keyOf: (seq: number) => string): CutChunk[] {
  const chunks: CutChunk[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const chunk = cutter.add(root(seq), keyOf(seq));
    if (chunk) chunks.push(chunk);
  }
  return [...chunks, ...cutter.rest()];
}

describe('ChunkCutter', () => {
  it('without ordering cuts consecutive chunks that wait for none', () => {
    const chunks = cutAll(new ChunkCutter(4, 0), 10, (s) => `a${s % 3}`);
    expect(chunks.map((c) => c.roots.map((r) => r.seq))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    expect(chunks.map((c) => c.chunkNo)).toEqual([1, 2, 3]);
    expect(chunks.every((c) => c.afterChunk === undefined)).toBe(true);
  });

  it('with ordering keeps each key in one chunk sequence, in source order, each chunk naming the one before it', () => {
    const keyOf = (s: number) => `acct-${s % 7}`;
    const partitions = 4;
    const chunks = cutAll(new ChunkCutter(5, partitions), 200, keyOf);
    // Every record once, chunk numbers 1 … n.
    expect(chunks.flatMap((c) => c.roots.map((r) => r.seq)).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(chunks.map((c) => c.chunkNo).sort((a, b) => a - b)).toEqual(chunks.map((_, i) => i + 1));
    const byNo = new Map(chunks.map((c) => [c.chunkNo, c]));
    const partitionOfChunk = (c: CutChunk) => new Set(c.roots.map((r) => partitionOf(keyOf(r.seq), partitions)));
    for (const c of chunks) {
      // One partition per chunk, records in source order.
      expect(partitionOfChunk(c).size).toBe(1);
      expect(c.roots.map((r) => r.seq)).toEqual([...c.roots.map((r) => r.seq)].sort((a, b) => a - b));
      if (c.afterChunk === undefined) continue;
      // The chunk before it: same partition, a lower number, and all its records earlier in the source.
      const before = byNo.get(c.afterChunk)!;
      expect(before.chunkNo).toBeLessThan(c.chunkNo);
      expect([...partitionOfChunk(before)]).toEqual([...partitionOfChunk(c)]);
      expect(before.roots.at(-1)!.seq).toBeLessThan(c.roots[0].seq);
    }
    // Each partition's chunks form one chain: one first chunk per partition used, every other chunk followed once.
    const firsts = chunks.filter((c) => c.afterChunk === undefined);
    expect(firsts.length).toBe(new Set(chunks.flatMap((c) => [...partitionOfChunk(c)])).size);
    const followed = chunks.flatMap((c) => (c.afterChunk === undefined ? [] : [c.afterChunk]));
    expect(new Set(followed).size).toBe(followed.length);
  });

  it('cuts the same chunks again from the same records (a retried split stores the same ones)', () => {
    const keyOf = (s: number) => `k${(s * 13) % 11}`;
    const strip = (cs: CutChunk[]) => cs.map((c) => ({ no: c.chunkNo, after: c.afterChunk, seqs: c.roots.map((r) => r.seq) }));
    expect(strip(cutAll(new ChunkCutter(3, 8), 100, keyOf))).toEqual(strip(cutAll(new ChunkCutter(3, 8), 100, keyOf)));
  });

  it('spreads keys over the partitions', () => {
    const used = new Set(Array.from({ length: 7 }, (_, i) => partitionOf(`A${i}`, 4)));
    expect(used.size).toBeGreaterThan(1);
  });
});
