/**
 * How the `split` job cuts a run's records into chunks.
 *
 * Without the flow's `ordering`, chunks are consecutive runs of records, all
 * queued at once, and workers take them side by side.
 *
 * With `ordering: { key }`, each record's key is hashed into one of
 * `partitions` sequences, and a chunk holds records of one sequence only, in
 * source order. Each chunk names the chunk before it in its sequence
 * (`afterChunk`); the first of a sequence is queued at once, every later one
 * only when the one before it is done — by the split if that chunk was already
 * done when this one was stored, otherwise by that chunk's own commit
 * (runtime/queue/chunk-job.ts), in the same transaction. Records with the same
 * key are therefore written to the targets in source order, whatever the
 * number of workers, while the sequences run in parallel. Cut and numbering
 * are deterministic, so a retried split stores the same chunks.
 */
import type { RootRecord } from '../engine/process-chunk.ts';
import type { PreparedFlow } from '../engine/prepare-flow.ts';

export interface CutChunk {
  chunkNo: number;
  roots: RootRecord[];
  afterChunk?: number;
}

/** FNV-1a (32 bits) of a key's text: the same partition in every process. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** A record's ordering key as text; a key that is missing or fails to evaluate is '' (one sequence for all such records). */
export async function orderingKeyOf(flow: PreparedFlow, data: unknown): Promise<string> {
  if (!flow.ordering) return '';
  let value: unknown;
  try {
    value = flow.ordering.key.evaluate(data);
    if (value instanceof Promise) value = await value;
  } catch {
    return '';
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class ChunkCutter {
  private readonly open = new Map<number, RootRecord[]>();
  private readonly lastOf = new Map<number, number>();
  private chunkNo = 0;

  /** `partitions` 0: no ordering (consecutive chunks, none waiting for another). */
  constructor(private readonly size: number, private readonly partitions: number) {}

  get chunksCut(): number {
    return this.chunkNo;
  }

  /** Adds a record (in source order) of key `key`; returns the chunk it completed, if any. */
  add(root: RootRecord, key: string): CutChunk | null {
    const p = this.partitions > 0 ? partitionOf(key, this.partitions) : 0;
    let roots = this.open.get(p);
    if (!roots) this.open.set(p, (roots = []));
    roots.push(root);
    return roots.length >= this.size ? this.cut(p) : null;
  }

  /** The chunks of records not cut yet, in the order of their first record. */
  rest(): CutChunk[] {
    const left = [...this.open.entries()].filter(([, roots]) => roots.length).sort(([, a], [, b]) => a[0].seq - b[0].seq);
    return left.map(([p]) => this.cut(p));
  }

  private cut(p: number): CutChunk {
    const roots = this.open.get(p)!;
    this.open.delete(p);
    const chunk: CutChunk = { chunkNo: ++this.chunkNo, roots };
    if (this.partitions > 0) {
      const after = this.lastOf.get(p);
      if (after !== undefined) chunk.afterChunk = after;
      this.lastOf.set(p, chunk.chunkNo);
    }
    return chunk;
  }
}
