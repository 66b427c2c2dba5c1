/**
 * The rows a lookup found per key, kept for one run with a size limit: the oldest-used keys go
 * first. A node instance can serve several runs (a worker's flow cache), so a new run starts empty.
 */
export class LookupCache {
  private runId: string | undefined;
  private readonly entries = new Map<string, unknown[]>();

  constructor(private readonly limit: number) {}

  /** The cache of `runId` (emptied when the run changes). */
  forRun(runId: string): this {
    if (this.runId !== runId) {
      this.runId = runId;
      this.entries.clear();
    }
    return this;
  }

  get(key: string): unknown[] | undefined {
    const rows = this.entries.get(key);
    if (rows !== undefined) {
      // Most recently used last, so eviction takes the least recently used first.
      this.entries.delete(key);
      this.entries.set(key, rows);
    }
    return rows;
  }

  /** Keeps `rows` (an empty list: not found) unless the limit is 0. */
  set(key: string, rows: unknown[]): void {
    if (this.limit <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, rows);
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
