import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countLineChanges, diffLines, diffSequences } from '../../nodes/text-line-diff.ts';

/** Length of a longest common subsequence, by the textbook table: the yardstick for minimality. */
function lcsLength<T>(a: readonly T[], b: readonly T[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1]);
      diagonal = above;
    }
  }
  return row[b.length];
}

describe('diffLines', () => {
  it('numbers every line of both texts', () => {
    const from = '(\n  $a := 1;\n  $b := 2;\n  $a + $b\n)';
    const to = '(\n  $a := 1;\n  $c := 3;\n  $d := 4;\n  $a + $c\n)';
    expect(diffLines(from, to)).toEqual([
      { kind: 'same', text: '(', fromLine: 1, toLine: 1 },
      { kind: 'same', text: '  $a := 1;', fromLine: 2, toLine: 2 },
      { kind: 'removed', text: '  $b := 2;', fromLine: 3 },
      { kind: 'removed', text: '  $a + $b', fromLine: 4 },
      { kind: 'added', text: '  $c := 3;', toLine: 3 },
      { kind: 'added', text: '  $d := 4;', toLine: 4 },
      { kind: 'added', text: '  $a + $c', toLine: 5 },
      { kind: 'same', text: ')', fromLine: 5, toLine: 6 },
    ]);
  });

  it.each([
    { name: 'identical', from: 'a\nb', to: 'a\nb', added: 0, removed: 0 },
    { name: 'from empty text', from: '', to: 'a\nb', added: 2, removed: 1 },
    { name: 'line appended', from: 'a', to: 'a\nb', added: 1, removed: 0 },
    { name: 'line dropped in the middle', from: 'a\nb\nc', to: 'a\nc', added: 0, removed: 1 },
    { name: 'CRLF and LF read alike', from: 'a\r\nb', to: 'a\nb', added: 0, removed: 0 },
    { name: 'single line replaced', from: 'Invoice.ID', to: 'Invoice.Number', added: 1, removed: 1 },
  ])('$name', ({ from, to, added, removed }) => {
    expect(countLineChanges(diffLines(from, to))).toEqual({ added, removed });
  });
});

describe('diffSequences', () => {
  it('is a shortest edit script that rebuilds both sides', () => {
    const seq = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 30 });
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const edits = diffSequences(a, b);
        expect(edits.filter((e) => e.kind !== 'added').map((e) => a[e.fromIndex!])).toEqual(a);
        expect(edits.filter((e) => e.kind !== 'removed').map((e) => b[e.toIndex!])).toEqual(b);
        for (const e of edits) if (e.kind === 'same') expect(a[e.fromIndex!]).toBe(b[e.toIndex!]);
        expect(edits.filter((e) => e.kind === 'same').length).toBe(lcsLength(a, b));
        // indexes run in order on both sides
        const fromIdx = edits.flatMap((e) => (e.fromIndex === undefined ? [] : [e.fromIndex]));
        expect(fromIdx).toEqual(a.map((_, i) => i));
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to replacing everything when the texts share almost nothing', () => {
    const a = Array.from({ length: 2500 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 2500 }, (_, i) => `b${i}`);
    const edits = diffSequences(a, b);
    expect(edits.filter((e) => e.kind === 'removed')).toHaveLength(2500);
    expect(edits.filter((e) => e.kind === 'added')).toHaveLength(2500);
  });
});
