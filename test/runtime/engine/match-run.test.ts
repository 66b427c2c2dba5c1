/**
 * `transform.match` in runs: order lines, receipts and invoices from three sources (each its own
 * run) or from one mixed file, matched by PO line with exact sums and tolerance rules; invoices
 * waiting for receipts held in keyed state and released by a later run; nothing counted twice.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { createCatalog } from '../../../nodes/node-catalog.ts';
import { matchNode } from '../../../nodes/transform/match.ts';
import { routeNode } from '../../../nodes/route/condition.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import type { LineState } from '../../../nodes/transform/match-lines.ts';
import type { FlowEdge } from '../../../nodes/flow-document.ts';
import { prepareFlow } from '../../../runtime/engine/prepare-flow.ts';
import { runFlow, type RunInput } from '../../../runtime/engine/run-flow.ts';
import type { DeadLetterEntry } from '../../../runtime/engine/run-types.ts';
import { replayRecords } from '../../../runtime/replay.ts';
import { createMemoryKeyedState } from '../../../runtime/engine/memory-keyed-state.ts';
import { evaluator, flowOf, jsonLines, linesSource, MemoryLedger, MemoryTarget, MemoryTraceSink, node } from './engine-fixtures.ts';

const MATCH_CONFIG = {
  stateName: 'po-lines',
  order: { key: ['po', 'line'] },
  receipt: { key: ['po', 'line'], quantity: 'qty', id: 'grn' },
  invoice: { key: ['po', 'line'], quantity: 'qty', id: "invoice & '/' & line" },
  rules: [
    { name: 'price-tolerance', expression: "$decCmp($decAbs($decSub(price, $order.price)), $decMul($order.price, '0.02')) <= 0", message: 'price {{price}} is more than 2% from the PO price {{$order.price}}' },
    { name: 'quantity-received', expression: '$decCmp($quantity, $decSub($received, $invoiced)) <= 0', message: '{{$quantity}} invoiced, {{$decSub($received, $invoiced)}} received and not yet invoiced' },
  ],
};

const inEdge = (source: string, port: string): FlowEdge => ({ id: `${source}-${port}`, source, target: 'match', targetHandle: port });
const outEdge = (port: string, target: string): FlowEdge => ({ id: `match-${port}`, source: 'match', sourceHandle: port, target });

function setUp() {
  const ap = new MemoryTarget();
  const catalog = createCatalog([linesSource, matchNode, routeNode, ap.node()]);
  const state = createMemoryKeyedState();
  const ledger = new MemoryLedger();
  const sink = new MemoryTraceSink();
  const reference = createReferenceData({});
  const targets = [node('ap', 'test.target', { object: 'ap', idempotencyKey: "invoice & '/' & line" }), node('held', 'test.target', { object: 'held', idempotencyKey: "invoice & '/' & line" })];
  const threeSources = flowOf(
    [node('po', 'test.lines'), node('gr', 'test.lines'), node('inv', 'test.lines'), node('match', 'transform.match', MATCH_CONFIG), ...targets],
    [inEdge('po', 'order'), inEdge('gr', 'receipt'), inEdge('inv', 'invoice'), outEdge('matched', 'ap'), outEdge('unmatched', 'held')],
    { businessKey: 'po', amount: undefined },
  );
  const routes = { routes: ['order', 'receipt', 'invoice'].map((port) => ({ port, condition: `type = '${port}'` })), defaultPort: null };
  const oneSource = flowOf(
    [node('docs', 'test.lines'), node('route', 'route.condition', routes), node('match', 'transform.match', MATCH_CONFIG), ...targets],
    [...['order', 'receipt', 'invoice'].map((port) => ({ id: `route-${port}`, source: 'route', sourceHandle: port, target: 'match', targetHandle: port })), { id: 'docs-route', source: 'docs', target: 'route' }, outEdge('matched', 'ap'), outEdge('unmatched', 'held')],
    { businessKey: 'po', amount: undefined },
  );
  let runs = 0;
  const run = (doc: typeof oneSource, records: unknown[], sourceNodeId?: string, chunkSize = 500, input?: RunInput) => {
    const flow = prepareFlow(doc, { catalog, evaluator, reference, functions: standardFunctions(reference) });
    return runFlow({
      runId: `run-${++runs}`, flow, input: input ?? { ...jsonLines(records), ...(sourceNodeId ? { sourceNodeId } : {}) } as ReturnType<typeof jsonLines>, ledger, traces: sink, state, chunkSize,
      connections: { sql: () => { throw new Error('no sql'); }, http: () => { throw new Error('no http'); } },
      files: { append: async () => {} },
      digest: (s) => createHash('sha256').update(s).digest('hex'),
    });
  };
  const line = async (key: string) => (await state.read('local/po-lines', [key])).get(key) as LineState;
  // Both targets write into the one memory target: its rows tell them apart by the match outcome.
  // What each record of a run (a line, or an invoice a match group sent on) came to.
  const ended = (runId: string) => {
    const tally: Record<string, number> = {};
    for (const x of sink.traces) if (x.runId === runId) tally[x.outcome] = (tally[x.outcome] ?? 0) + 1;
    return tally;
  };
  const rows = (outcome: string) => [...ap.rows].filter(([, r]) => (r as { match: { outcome: string } }).match.outcome === outcome).map(([k]) => k).sort();
  // A replay of dead letters, as the dead-letter use case queues it.
  const replay = (doc: typeof oneSource, letters: DeadLetterEntry[]) => run(doc, [], undefined, 500, { kind: 'records', records: replayRecords(letters.map((l) => ({ ...l, itemKey: l.itemKey ?? '', entryNode: l.entryNode ?? null }))) });
  const quarantinedIn = (runId: string) => sink.deadLetters.filter((d) => d.runId === runId);
  return { ap, sink, run, replay, quarantinedIn, line, rows, ended, threeSources, oneSource };
}

const pos = [
  { type: 'order', po: 'PO-1', line: 1, qty: '10', price: '5.00' },
  { type: 'order', po: 'PO-1', line: 2, qty: '4', price: '12.50' },
  { type: 'order', po: 'PO-2', line: 1, qty: '3', price: '100.00' },
];
const receipts = [
  { type: 'receipt', grn: 'GR-1', po: 'PO-1', line: 1, qty: '6' },
  { type: 'receipt', grn: 'GR-2', po: 'PO-1', line: 1, qty: '4' },
  { type: 'receipt', grn: 'GR-3', po: 'PO-1', line: 2, qty: '4' },
];
const invoices = [
  { type: 'invoice', invoice: 'INV-1', po: 'PO-1', line: 1, qty: '7', price: '5.05' },
  { type: 'invoice', invoice: 'INV-1', po: 'PO-1', line: 2, qty: '4', price: '13.00' },
  { type: 'invoice', invoice: 'INV-2', po: 'PO-1', line: 1, qty: '4', price: '5.00' },
  { type: 'invoice', invoice: 'INV-3', po: 'PO-2', line: 1, qty: '3', price: '100.00' },
  { type: 'invoice', invoice: 'INV-4', line: 1, qty: '1', price: '1.00' },
];
const lateReceipt = { type: 'receipt', grn: 'GR-4', po: 'PO-2', line: 1, qty: '1.5' };
const lateReceipt2 = { type: 'receipt', grn: 'GR-5', po: 'PO-2', line: 1, qty: '1.50' };

describe('match in runs', () => {
  it('matches invoices from a third source against orders and summed receipts of earlier runs; a late receipt releases the held invoice', async () => {
    const t = setUp();
    // Orders alone send nothing on (each waits for its invoices): every line ends at the match, folded into its group
    // (outcome `aggregated`); the group records are counted apart (reconciliation.groups), not as read.
    expect((await t.run(t.threeSources, pos, 'po')).counts).toMatchObject({ read: 3, aggregated: 3 });
    expect((await t.run(t.threeSources, receipts, 'gr', 1)).counts).toMatchObject({ read: 3, aggregated: 3, quarantined: 0 });
    const day = await t.run(t.threeSources, invoices, 'inv');
    // PO-1|1 posts INV-1/1 and quarantines INV-2/1: each invoice has its one outcome, so the figures
    // close (a group of mixed outcomes is not a partial delivery).
    expect(day.reconciliation).toMatchObject({ closes: true, differences: [], groups: { counts: { read: 3, delivered: 1, quarantined: 2 }, closes: true } });
    expect(day.reconciliation.groups?.partiallyDelivered).toBeUndefined();
    // Four invoice lines end at the match (folded into their groups; one without PO quarantined there), three groups send on five.
    expect(t.ended('run-3')).toEqual({ aggregated: 4, quarantined: 3, delivered: 2 });
    expect(t.rows('matched')).toEqual(['INV-1/1']);
    expect(t.ap.rows.get('INV-1/1')).toMatchObject({ match: { key: 'PO-1|1', outcome: 'matched', received: '10', invoicedBefore: '0', quantity: '7', order: { price: '5.00' } } });
    expect(t.rows('unmatched')).toEqual(['INV-3/1']);
    const quarantined = t.sink.traces.filter((x) => x.outcome === 'quarantined');
    const byKey = Object.fromEntries(quarantined.map((x) => [x.itemKey ?? x.sourceKey, x]));
    expect(byKey['INV-1/2'].failures).toEqual([{ rule: 'price-tolerance', message: 'price 13.00 is more than 2% from the PO price 12.50', severity: 'error' }]);
    expect(byKey['INV-2/1'].failures).toEqual([{ rule: 'quantity-received', message: '4 invoiced, 3 received and not yet invoiced', severity: 'error' }]);
    const noKey = quarantined.find((x) => x.endNode === 'match' && !x.failures)!;
    expect(noKey.error).toMatchObject({ errorClass: 'validation', nodeId: 'match', field: '/invoice/key/0' });
    expect(noKey.error!.message).toBe('Node "match": the key expression /invoice/key/0 (po) gave nothing for this record');
    expect(await t.line('PO-1|1')).toMatchObject({ received: '10', invoiced: '7' });

    // Two late receipts in a later run: the held invoice is judged once, against both (3 received).
    await t.run(t.threeSources, [lateReceipt, lateReceipt2], 'gr', 1);
    expect(t.ended('run-4')).toEqual({ aggregated: 2, delivered: 1 });
    expect(t.ap.rows.get('INV-3/1')).toMatchObject({ match: { key: 'PO-2|1', outcome: 'matched', received: '3.00', quantity: '3' } });
    expect(await t.line('PO-2|1')).toMatchObject({ received: '3.00', invoiced: '3', held: [] });

    // The same files again: receipts count once, each invoice keeps its decision, nothing posted twice.
    await t.run(t.threeSources, [lateReceipt], 'gr');
    await t.run(t.threeSources, invoices, 'inv');
    expect(t.ended('run-6')).toEqual({ aggregated: 4, quarantined: 3, duplicate: 2 });
    expect(await t.line('PO-1|1')).toMatchObject({ received: '10', invoiced: '7' });
    expect(await t.line('PO-2|1')).toMatchObject({ received: '3.00', invoiced: '3' });
    expect(t.rows('matched')).toEqual(['INV-1/1', 'INV-3/1']);
  });

  it('gives the same outcome for one mixed file whatever the chunk size and wherever orders and receipts stand in it', async () => {
    // Invoices are judged in the order they were read; orders and receipts may come anywhere.
    const mixed = [...invoices, ...[...receipts].reverse(), ...pos];
    const ordersFirst = [...pos, ...receipts, ...invoices];
    const outcomes = [];
    for (const [records, chunkSize] of [[mixed, 1000], [mixed, 1], [ordersFirst, 3]] as const) {
      const t = setUp();
      await t.run(t.oneSource, [...records], undefined, chunkSize);
      expect(t.ended('run-1')).toEqual({ aggregated: 10, quarantined: 3, delivered: 2 });
      outcomes.push({ ap: t.rows('matched'), held: t.rows('unmatched'), line: await t.line('PO-1|1') });
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
    expect(outcomes[0].held).toEqual(['INV-3/1']);
  });

  it('replays an exception against the line as it is now: it matches once the cause is gone, posts once, and an exception that still holds is quarantined with its current rules', async () => {
    const t = setUp();
    await t.run(t.oneSource, [...pos, ...receipts, ...invoices]);
    const letters = t.quarantinedIn('run-1').filter((d) => d.entryNode === 'match');
    expect(letters.map((d) => [d.itemKey, d.sourceKey]).sort()).toEqual([['INV-1/2', 'match:["PO-1|2"]'], ['INV-2/1', 'match:["PO-1|1"]']]);
    const letter = (item: string) => letters.filter((d) => d.itemKey === item);

    // Nothing changed: replayed, the exception is judged again and quarantined again, with the rule that fails now.
    await t.replay(t.oneSource, letter('INV-2/1'));
    expect(t.ended('run-2')).toEqual({ quarantined: 1 });
    expect(t.quarantinedIn('run-2').map((d) => d.error.failures)).toEqual([[{ rule: 'quantity-received', message: '4 invoiced, 3 received and not yet invoiced', severity: 'error' }]]);

    // A late receipt arrives in a later run: that run does not touch the decided exception ...
    await t.run(t.oneSource, [{ type: 'receipt', grn: 'GR-9', po: 'PO-1', line: 1, qty: '1' }]);
    expect(t.rows('matched')).toEqual(['INV-1/1']);
    // ... its replay matches it against what the line has now (11 received, 7 invoiced) and posts it once.
    const replayed = await t.replay(t.oneSource, t.quarantinedIn('run-2'));
    expect(t.ended('run-4')).toEqual({ delivered: 1 });
    expect(replayed.reconciliation.closes).toBe(true);
    expect(t.ap.rows.get('INV-2/1')).toMatchObject({ match: { key: 'PO-1|1', outcome: 'matched', received: '11', invoicedBefore: '7', quantity: '4' } });
    expect(await t.line('PO-1|1')).toMatchObject({ received: '11', invoiced: '11', decided: { 'INV-2/1': { outcome: 'matched' } } });
    // Replayed again (the same dead letter, the replay retried): it stays matched, the target skips it, nothing is invoiced twice.
    await t.replay(t.oneSource, t.quarantinedIn('run-2'));
    expect(t.ended('run-5')).toEqual({ duplicate: 1 });
    expect(await t.line('PO-1|1')).toMatchObject({ received: '11', invoiced: '11' });

    // The PO line's price corrected (a new version of the order): the replay judges the price against it,
    // not against the order the failed run's group held.
    await t.run(t.oneSource, [{ ...pos[1], price: '13.00' }]);
    await t.replay(t.oneSource, letter('INV-1/2'));
    expect(t.ended('run-7')).toEqual({ delivered: 1 });
    expect(t.ap.rows.get('INV-1/2')).toMatchObject({ match: { outcome: 'matched', order: { price: '13.00' } } });
    expect(t.rows('matched')).toEqual(['INV-1/1', 'INV-1/2', 'INV-2/1']);
  });
});
