import { describe, expect, it } from 'vitest';
import { withContext } from '../../../designer/versions/line-context.ts';
import type { LineDiff } from '../../../nodes/flow-diff.ts';

const same = (n: number): LineDiff => ({ kind: 'same', text: `l${n}`, fromLine: n, toLine: n });

describe('withContext', () => {
  it('keeps changed lines with two lines around and folds the rest', () => {
    const lines: LineDiff[] = [same(1), same(2), same(3), same(4), { kind: 'removed', text: 'old', fromLine: 5 }, { kind: 'added', text: 'new', toLine: 5 }, same(6), same(7), same(8), same(9)];
    const shown = withContext(lines);
    expect(shown.map((l) => (l.kind === 'gap' ? `…${l.count}` : l.text))).toEqual(['…2', 'l3', 'l4', 'old', 'new', 'l6', 'l7', '…2']);
  });
  it('folds everything when nothing changed', () => {
    expect(withContext([same(1), same(2)])).toEqual([{ kind: 'gap', count: 2 }]);
  });
});
