/**
 * The lineage keys of a run's groups, outside the JS heap. A group held for a
 * whole run keeps the key of every line it summed; as array elements these
 * were most of an aggregate's live heap, and V8 lets its heap grow to a few
 * times what is alive before it collects, so each byte kept there costs
 * several of RSS. Here every key is one slot of two growable Int32Arrays (its
 * value, and the slot of the next key of the same group): 8 bytes a line, in
 * array buffers the heap's growth does not count.
 */

/** A lineage key as a group holds it: a record's position as a number, an item key ("12.3") as text. */
export type LineageKey = number | string;

export class LineagePool {
  // A position (≥ 0), or -(i + 1) for texts[i].
  private values = new Int32Array(1024);
  // The next slot of the same group's list; -1 ends it.
  private next = new Int32Array(1024);
  private size = 0;
  private texts: string[] = [];

  /** Appends `key` to the list whose last slot is `tail` (-1: a new list); returns the key's slot. */
  append(tail: number, key: LineageKey): number {
    if (this.size === this.values.length) this.grow();
    const slot = this.size++;
    this.values[slot] = typeof key === 'number' && key <= 0x7fffffff ? key : -this.texts.push(String(key));
    this.next[slot] = -1;
    if (tail >= 0) this.next[tail] = slot;
    return slot;
  }

  /** The keys of the list starting at slot `head`, in the order appended. */
  list(head: number): LineageKey[] {
    const out: LineageKey[] = [];
    for (let slot = head; slot >= 0; slot = this.next[slot]) {
      const v = this.values[slot];
      out.push(v >= 0 ? v : this.texts[-v - 1]);
    }
    return out;
  }

  /** Forgets every list (their groups were spilled). */
  clear(): void {
    this.size = 0;
    this.texts = [];
  }

  private grow(): void {
    const values = new Int32Array(this.values.length * 2);
    values.set(this.values);
    const next = new Int32Array(this.next.length * 2);
    next.set(this.next);
    this.values = values;
    this.next = next;
  }
}

/** A group's lineage kept in a pool: its first and last slot. */
export class PooledLineage {
  head = -1;
  tail = -1;
  constructor(readonly pool: LineagePool) {}

  push(key: LineageKey): void {
    this.tail = this.pool.append(this.tail, key);
    if (this.head < 0) this.head = this.tail;
  }

  list(): LineageKey[] {
    return this.pool.list(this.head);
  }
}
