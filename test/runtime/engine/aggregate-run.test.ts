import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { createCatalog } from '../../../nodes/node-catalog.ts';
import { aggregateNode } from '../../../nodes/transform/aggregate.ts';
import { prepareFlow } from '../../../runtime/engine/prepare-flow.ts';
import { runFlow } from '../../../runtime/engine/run-flow.ts';
import type { GroupSpill, StoredPartial } from '../../../runtime/engine/grouping.ts';
import { edge, evaluator, flowOf, jsonLines, linesSource, MemoryLedger, MemoryTarget, MemoryTraceSink, node } from './engine-fixtures.ts';

const aggregateConfig = {
  groupBy: [{ field: 'account', expression: 'account' }, { field: 'currency', expression: 'currency' }],
  measures: [
    { field: 'total', op: 'sum', expression: 'amount' },
    { field: 'lines', op: 'count' },
    { field: 'first', op: 'first', expression: 'id' },
    { field: 'last', op: 'last', expression: 'id' },
    { field: 'smallest', op: 'min', expression: 'amount' },
  ],
};

/** A spill in memory, read back in key order as the store reads it. */
function memorySpill() {
  const rows: { part: number; partial: StoredPartial }[] = [];
  const spill: GroupSpill = {
    put: async (part, partials) => { for (const partial of partials) rows.push({ part, partial }); },
    read: async function* (nodeId) {
      const mine = rows.filter((r) => r.partial.nodeId === nodeId);
      mine.sort((a, b) => (a.partial.groupKey < b.partial.groupKey ? -1 : a.partial.groupKey > b.partial.groupKey ? 1 : a.part - b.part));
      for (const r of mine) yield r.partial;
    },
  };
  return { spill, rows };
}

async function run(records: unknown[], chunkSize: number, groupSpill?: GroupSpill, config: Record<string, unknown> = aggregateConfig) {
  const target = new MemoryTarget();
  const sink = new MemoryTraceSink();
  const catalog = createCatalog([linesSource, aggregateNode, target.node()]);
  const doc = flowOf([node('src', 'test.lines'), node('agg', 'transform.aggregate', config), node('erp', 'test.target')], [edge('src', 'agg'), edge('agg', 'erp')]);
  const flow = prepareFlow(doc, { catalog, evaluator, reference: createReferenceData({}), functions: {} });
  const result = await runFlow({
    runId: 'run-1', flow, input: jsonLines(records), ledger: new MemoryLedger(), traces: sink, chunkSize, groupSpill,
    connections: { sql: () => { throw new Error('no sql'); }, http: () => { throw new Error('no http'); } },
    files: { append: async () => {} },
    digest: (s) => createHash('sha256').update(s).digest('hex'),
  });
  return { result, target, sink };
}

const lines = Array.from({ length: 30 }, (_, i) => ({ id: `L${i + 1}`, account: `A${i % 3}`, currency: i % 2 ? 'EUR' : 'USD', amount: (i % 5 === 0 ? '0.10' : '1.05') }));

describe('aggregate in a run', () => {
  it('emits one record per group with exact sums, whatever the chunk size, and links each group to its lines', async () => {
    const one = await run(lines, 1000);
    const many = await run(lines, 4);
    const rows = (t: MemoryTarget) => [...t.rows.values()].sort((a: any, b: any) => (a.account + a.currency < b.account + b.currency ? -1 : 1));
    expect(rows(one.target)).toHaveLength(6);
    expect(rows(many.target)).toEqual(rows(one.target));
    // Independently: A0/USD holds lines 1, 7, 13, 19, 25 (i = 0, 6, 12, 18, 24).
    const a0usd = rows(one.target).find((r: any) => r.account === 'A0' && r.currency === 'USD') as Record<string, unknown>;
    const expected = [0, 6, 12, 18, 24].map((i) => (i % 5 === 0 ? 10 : 105)).reduce((a, b) => a + b, 0);
    expect(a0usd).toEqual({ account: 'A0', currency: 'USD', total: (expected / 100).toFixed(2), lines: 5, first: 'L1', last: 'L25', smallest: '0.10' });
    expect(one.result.counts).toMatchObject({ read: 30, aggregated: 30, filtered: 0, delivered: 0, quarantined: 0 });
    expect(one.result.reconciliation.groups!.counts).toMatchObject({ read: 6, delivered: 6, quarantined: 0 });
    expect(one.result.reconciliation.closes).toBe(true);
    expect(one.result.status).toBe('succeeded');
    const groupTrace = one.sink.traces.find((t) => t.outcome === 'delivered' && t.businessKey === 'A0 / USD')!;
    expect((groupTrace.input as { sourceLineageKeys: string[] }).sourceLineageKeys).toEqual(['1', '7', '13', '19', '25']);
    expect(one.sink.traces.find((t) => t.lineageKey === '7')).toMatchObject({ outcome: 'aggregated', endNode: 'agg', targetRef: 'group ["A0","USD"]' });
  });

  it('quarantines a record whose group key gives nothing, naming node and expression', async () => {
    const { result, sink } = await run([...lines.slice(0, 3), { id: 'X', currency: 'EUR', amount: '1' }], 2);
    expect(result.counts).toMatchObject({ read: 4, quarantined: 1, aggregated: 3, delivered: 0 });
    expect(result.reconciliation.groups!.counts).toMatchObject({ read: 3, delivered: 3 });
    expect(result.status).toBe('completed_with_exceptions');
    const q = sink.traces.find((t) => t.outcome === 'quarantined')!;
    expect(q.error).toMatchObject({ errorClass: 'validation', nodeId: 'agg', field: '/groupBy/0/expression' });
    expect(q.error!.message).toContain('group key "account" (`account`) gave nothing');
  });

  it('quarantines a record whose amount to sum is not a number, naming the measure', async () => {
    const { result, sink } = await run([...lines.slice(0, 3), { id: 'Y', account: 'A0', currency: 'USD', amount: 'twelve' }], 2);
    expect(result.counts).toMatchObject({ quarantined: 1 });
    expect(sink.traces.find((t) => t.outcome === 'quarantined')!.error!.message).toContain('measure "total" (sum) is "twelve"');
  });

  it('spills groups beyond the node\'s limit and still emits each group once, as when held in memory', async () => {
    const many = Array.from({ length: 900 }, (_, i) => ({ id: `M${i + 1}`, account: `A${(i * 7) % 300}`, currency: Math.floor(i / 300) % 2 ? 'EUR' : 'USD', amount: `${i}.${String(i % 100).padStart(2, '0')}` }));
    const limited = { ...aggregateConfig, maxGroupsInMemory: 100 };
    const { spill, rows } = memorySpill();
    const spilled = await run(many, 50, spill, limited);
    const held = await run(many, 50, undefined, limited);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.part)).size).toBeGreaterThan(1);
    expect(spilled.target.rows.size).toBe(600);
    expect(Object.fromEntries(spilled.target.rows)).toEqual(Object.fromEntries(held.target.rows));
    expect(spilled.result.counts).toEqual(held.result.counts);
  });

  it('closes a size window every N records of a key, in read order, and the last smaller one at run end, however the run is cut', async () => {
    const sized = { groupBy: [{ field: 'account', expression: 'account' }], measures: [{ field: 'total', op: 'sum', expression: 'amount' }, { field: 'ids', op: 'collect', expression: 'id' }], sizeWindow: 4, maxGroupsInMemory: 100 };
    const rowsOf = (t: MemoryTarget) => [...t.rows.values()].sort((a: any, b: any) => (a.account < b.account ? -1 : a.account > b.account ? 1 : a.windowNo - b.windowNo));
    const one = await run(lines, 1000, undefined, sized);
    const cut = await run(lines, 3, undefined, sized);
    const { spill } = memorySpill();
    const spilled = await run(lines, 2, spill, sized);
    // Independently: account A0 holds lines i = 0, 3, 6, …, 27 (10 lines): windows of 4, 4 and 2 lines.
    const a0 = Array.from({ length: 10 }, (_, n) => n * 3);
    const windows = [a0.slice(0, 4), a0.slice(4, 8), a0.slice(8)];
    const cents = (i: number) => (i % 5 === 0 ? 10 : 105);
    const expected = windows.map((w, n) => ({ account: 'A0', windowNo: n + 1, total: (w.reduce((a, i) => a + cents(i), 0) / 100).toFixed(2), ids: w.map((i) => `L${i + 1}`) }));
    expect(rowsOf(one.target).filter((r: any) => r.account === 'A0')).toEqual(expected);
    expect(rowsOf(one.target)).toHaveLength(9);
    expect(rowsOf(cut.target)).toEqual(rowsOf(one.target));
    expect(rowsOf(spilled.target)).toEqual(rowsOf(one.target));
    const last = one.sink.traces.find((t) => t.businessKey === 'A0 / 3')!;
    expect((last.input as { sourceLineageKeys: string[] }).sourceLineageKeys).toEqual(['25', '28']);
  });
});
