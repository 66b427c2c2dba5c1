/**
 * Line diffs for JSONata expressions and other multi-line text in version
 * diffs, and the sequence diff beneath them (Myers' O(ND) algorithm). Written
 * here rather than taken from a package so the designer bundle stays small.
 * Browser-safe.
 */

/** One line of a line diff; line numbers are 1-based. */
export interface LineDiff {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** Line number in the old text (same and removed lines). */
  fromLine?: number;
  /** Line number in the new text (same and added lines). */
  toLine?: number;
}

/** One step of a sequence diff; indexes are 0-based. */
export interface SequenceEdit {
  kind: 'same' | 'added' | 'removed';
  /** Index in the old sequence (same and removed items). */
  fromIndex?: number;
  /** Index in the new sequence (same and added items). */
  toIndex?: number;
}

// Beyond this many differing items the two texts have little in common; a
// plain "all old out, all new in" is then as useful and keeps the cost bounded
// (the trace of a Myers run grows with the square of the edit distance).
const MAX_EDIT_DISTANCE = 2000;

const strictEqual = (x: unknown, y: unknown) => x === y;

/**
 * A shortest edit script turning `from` into `to`. Within each run of edits,
 * removed items come before added ones, so a replaced line reads as old then new.
 */
export function diffSequences<T>(
  from: readonly T[],
  to: readonly T[],
  equal: (a: T, b: T) => boolean = strictEqual,
): SequenceEdit[] {
  let start = 0;
  while (start < from.length && start < to.length && equal(from[start], to[start])) start++;
  let endFrom = from.length;
  let endTo = to.length;
  while (endFrom > start && endTo > start && equal(from[endFrom - 1], to[endTo - 1])) {
    endFrom--;
    endTo--;
  }
  const edits: SequenceEdit[] = [];
  for (let i = 0; i < start; i++) edits.push({ kind: 'same', fromIndex: i, toIndex: i });
  edits.push(...groupRuns(myers(from, to, start, endFrom, start, endTo, equal)));
  for (let i = 0; endFrom + i < from.length; i++) edits.push({ kind: 'same', fromIndex: endFrom + i, toIndex: endTo + i });
  return edits;
}

/** Myers on from[f0..f1) and to[t0..t1), whose first and last items differ. */
function myers<T>(from: readonly T[], to: readonly T[], f0: number, f1: number, t0: number, t1: number, equal: (a: T, b: T) => boolean): SequenceEdit[] {
  const n = f1 - f0;
  const m = t1 - t0;
  if (n === 0 || m === 0) return replaceAll(f0, f1, t0, t1);
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds the furthest x per diagonal k in [-d, d] before step d (index k + d).
  const trace: Int32Array[] = [];
  let found = -1;
  search: for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && equal(from[f0 + x], to[t0 + y])) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break search;
      }
    }
  }
  if (found < 0) return replaceAll(f0, f1, t0, t1);

  const reversed: SequenceEdit[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const before = trace[d];
    const at = (k: number) => before[k + d];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      reversed.push({ kind: 'same', fromIndex: f0 + x, toIndex: t0 + y });
    }
    if (x === prevX) reversed.push({ kind: 'added', toIndex: t0 + y - 1 });
    else reversed.push({ kind: 'removed', fromIndex: f0 + x - 1 });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    reversed.push({ kind: 'same', fromIndex: f0 + x, toIndex: t0 + y });
  }
  return reversed.reverse();
}

function replaceAll(f0: number, f1: number, t0: number, t1: number): SequenceEdit[] {
  const edits: SequenceEdit[] = [];
  for (let i = f0; i < f1; i++) edits.push({ kind: 'removed', fromIndex: i });
  for (let j = t0; j < t1; j++) edits.push({ kind: 'added', toIndex: j });
  return edits;
}

/** Puts the removed items of each run of edits before its added ones. */
function groupRuns(edits: SequenceEdit[]): SequenceEdit[] {
  const out: SequenceEdit[] = [];
  let removed: SequenceEdit[] = [];
  let added: SequenceEdit[] = [];
  const flush = () => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const edit of edits) {
    if (edit.kind === 'same') {
      flush();
      out.push(edit);
    } else (edit.kind === 'removed' ? removed : added).push(edit);
  }
  flush();
  return out;
}

/** Splits text into lines; `\r\n`, `\n` and `\r` all end a line. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** Line-by-line diff of two texts, every line of both included, with line numbers. */
export function diffLines(from: string, to: string): LineDiff[] {
  const a = splitLines(from);
  const b = splitLines(to);
  return diffSequences(a, b).map((edit): LineDiff => {
    if (edit.kind === 'same') return { kind: 'same', text: a[edit.fromIndex!], fromLine: edit.fromIndex! + 1, toLine: edit.toIndex! + 1 };
    if (edit.kind === 'removed') return { kind: 'removed', text: a[edit.fromIndex!], fromLine: edit.fromIndex! + 1 };
    return { kind: 'added', text: b[edit.toIndex!], toLine: edit.toIndex! + 1 };
  });
}

/** How many lines a line diff adds and removes. */
export function countLineChanges(lines: readonly LineDiff[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === 'added') added++;
    else if (line.kind === 'removed') removed++;
  }
  return { added, removed };
}
