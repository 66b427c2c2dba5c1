import { describe, expect, it } from 'vitest';
import {
  addToGroup, compareLineageKeys, groupRecord, lineageKeysOf, loadGroup, mergeGroups, newGroup, newGroupTable, storeGroup, type MeasureSpec,
} from '../../../nodes/transform/aggregate-groups.ts';
import { ExactSum } from '../../../nodes/transform/exact-sum.ts';

const specs: MeasureSpec[] = [
  { name: 'total', op: 'sum' }, { name: 'n', op: 'count' }, { name: 'mean', op: 'avg' }, { name: 'low', op: 'min' }, { name: 'high', op: 'max' },
  { name: 'first', op: 'first' }, { name: 'last', op: 'last' }, { name: 'ids', op: 'collect' },
];
const lines = [
  { key: '3', amount: '0.10', id: 'c' }, { key: '1', amount: '0.20', id: 'a' }, { key: '12', amount: '-5', id: 'f' },
  { key: '2.1', amount: '10.005', id: 'b' }, { key: '7', amount: undefined, id: 'e' },
];
const values = (l: (typeof lines)[number]) => [l.amount, undefined, l.amount, l.amount, l.amount, l.id, l.id, l.id];

describe('aggregate groups', () => {
  it('gives the same group however the lines are split and merged (first/last/collect by read order)', () => {
    const whole = newGroup(['K'], specs);
    for (const l of lines) addToGroup(whole, specs, values(l), l.key);
    // Two partials built in another order, one stored and read back (as between workers), then merged.
    const a = newGroup(['K'], specs);
    const b = newGroup(['K'], specs);
    for (const l of [lines[4], lines[2]]) addToGroup(a, specs, values(l), l.key);
    for (const l of [lines[3], lines[0], lines[1]]) addToGroup(b, specs, values(l), l.key);
    const merged = loadGroup(JSON.parse(JSON.stringify(storeGroup(a))), specs);
    mergeGroups(merged, loadGroup(JSON.parse(JSON.stringify(storeGroup(b))), specs));
    const record = groupRecord(whole, ['account'], specs);
    expect(groupRecord(merged, ['account'], specs)).toEqual(record);
    expect(record).toEqual({
      account: 'K', total: '5.305', n: 5, mean: '1.32625', low: '-5', high: '10.005', first: 'a', last: 'f', ids: ['a', 'b', 'c', 'e', 'f'],
    });
    expect(new Set(lineageKeysOf(merged))).toEqual(new Set(lines.map((l) => l.key)));
    expect(merged.sources).toContain(12); // a plain position is held as a number, an item key ("2.1") as text
    expect(merged.sources).toContain('2.1');
  });

  it('keeps the lineage of a run\'s groups in its table\'s pool, as a plain group keeps it', () => {
    const table = newGroupTable(true);
    const pooled = [newGroup(['A'], specs, false, table.lineage), newGroup(['B'], specs, false, table.lineage)];
    const plain = [newGroup(['A'], specs), newGroup(['B'], specs)];
    lines.forEach((l, i) => {
      addToGroup(pooled[i % 2], specs, values(l), l.key);
      addToGroup(plain[i % 2], specs, values(l), l.key);
    });
    expect(pooled.map(lineageKeysOf)).toEqual([['3', '12', '7'], ['1', '2.1']]);
    expect(pooled.map(storeGroup)).toEqual(plain.map(storeGroup));
    table.lineage!.clear();
    const after = newGroup(['C'], specs, false, table.lineage);
    addToGroup(after, specs, values(lines[3]), '2.1');
    expect(lineageKeysOf(after)).toEqual(['2.1']);
  });

  it('sums exactly beyond what doubles hold, at the largest scale written', () => {
    const sum = new ExactSum();
    for (const v of ['9007199254740991.99', '0.01', '10.5', 2]) sum.add(v);
    expect(sum.toString()).toBe('9007199254741004.50');
    const small = new ExactSum();
    for (let i = 0; i < 10; i++) small.add('0.10');
    expect(small.toString()).toBe('1.00');
  });

  it('refuses a value to sum that is not an amount, naming the measure', () => {
    expect(() => addToGroup(newGroup(['K'], specs), specs, ['abc', undefined, undefined, undefined, undefined, 'x', 'x', 'x'], '1'))
      .toThrow(/measure "total" \(sum\) is "abc"/);
  });

  it('orders lineage keys by position, segment by segment', () => {
    expect(['10', '2', '2.10', '2.9', '1'].sort(compareLineageKeys)).toEqual(['1', '2', '2.9', '2.10', '10']);
  });
});
