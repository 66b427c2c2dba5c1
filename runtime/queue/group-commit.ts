/**
 * Group commit: items submitted while a write is in flight (or within a short
 * window) are written together by one call of `write` — one transaction for
 * many requests. Each submitter's promise settles only once the write that
 * carried its item has finished, so "resolved" still means "committed".
 *
 * Under light load a lone item is written at once (after `windowMs`); under
 * heavy load batches grow by themselves, because everything that arrives
 * while one transaction commits goes into the next.
 */

/** What `write` reports for one item: its result, or an error that fails only that item. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<T> {
  /**
   * Writes `items` together (e.g. in one transaction) and returns one outcome
   * per item, in order. Throwing fails every item of the batch.
   */
  write(items: T[]): Promise<ItemOutcome<unknown>[]>;
  /** Most items per write (default 200). */
  maxItems?: number;
  /** Most bytes per write as counted by `sizeOf`; a single larger item is written alone (default 16 MiB). */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
  /** Milliseconds a write waits for company when nothing is in flight (default 0: the next turn of the event loop). */
  windowMs?: number;
}

export interface GroupCommit<T, R> {
  /** Resolves with the item's result once the write that carried it has finished. */
  submit(item: T): Promise<R>;
  /** Resolves once nothing is waiting or being written. */
  drain(): Promise<void>;
  /** True when nothing is waiting or being written. */
  idle(): boolean;
  /** Writes so far and the items they carried (for tests and benchmarks). */
  stats(): { writes: number; items: number; largest: number };
}

interface Pending<T> {
  item: T;
  size: number;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export function createGroupCommit<T, R>(options: GroupCommitOptions<T>): GroupCommit<T, R> {
  const maxItems = Math.max(1, options.maxItems ?? 200);
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const windowMs = options.windowMs ?? 0;
  const queue: Pending<T>[] = [];
  const counters = { writes: 0, items: 0, largest: 0 };
  let writing: Promise<void> | null = null;
  let scheduled = false;
  const idle: (() => void)[] = [];

  /** The next batch: up to maxItems, and up to maxBytes unless its first item alone is larger. */
  function take(): Pending<T>[] {
    let bytes = 0;
    let n = 0;
    while (n < queue.length && n < maxItems && (n === 0 || bytes + queue[n].size <= maxBytes)) bytes += queue[n++].size;
    return queue.splice(0, n);
  }

  async function writeBatch(batch: Pending<T>[]): Promise<void> {
    counters.writes++;
    counters.items += batch.length;
    counters.largest = Math.max(counters.largest, batch.length);
    let outcomes: ItemOutcome<unknown>[];
    try {
      outcomes = await options.write(batch.map((p) => p.item));
      if (outcomes.length !== batch.length) throw new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} items`);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    outcomes.forEach((o, i) => {
      if (o.ok) batch[i].resolve(o.value);
      else batch[i].reject(o.error);
    });
  }

  function flush(): void {
    scheduled = false;
    if (writing || !queue.length) return;
    const batch = take();
    writing = writeBatch(batch).finally(() => {
      writing = null;
      // What arrived during this write goes out at once: it has waited long enough.
      if (queue.length) flush();
      else for (const done of idle.splice(0)) done();
    });
  }

  function schedule(): void {
    if (writing || scheduled) return;
    scheduled = true;
    if (windowMs > 0) setTimeout(flush, windowMs);
    else setImmediate(flush);
  }

  return {
    submit(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, size: options.sizeOf?.(item) ?? 0, resolve: resolve as (v: unknown) => void, reject });
        if (queue.length >= maxItems && !writing) flush();
        else schedule();
      });
    },
    drain(): Promise<void> {
      if (!writing && !queue.length) return Promise.resolve();
      return new Promise((done) => idle.push(done));
    },
    idle: () => !writing && !queue.length,
    stats: () => ({ ...counters }),
  };
}
