/**
 * `transform.match` on its own: config checks, and the resolution of a key's group against keyed
 * state (memory), including a retried chunk, which must send the same records and change nothing.
 */
import { describe, expect, it } from 'vitest';
import type { GroupingBehaviour, ProcessBehaviour, ProcessContext } from '../../../nodes/define-node.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import type { LineState, MatchGroup } from '../../../nodes/transform/match-lines.ts';
import { matchNode, type MatchConfig } from '../../../nodes/transform/match.ts';
import { createMemoryKeyedState } from '../../../runtime/engine/memory-keyed-state.ts';

const evaluator = createReferenceEvaluator();
const reference = createReferenceData({});
const config: MatchConfig = {
  ...matchNode.defaults,
  stateName: 'lines',
  order: { key: ['po', 'line'] },
  receipt: { key: ['po', 'line'], quantity: 'qty', id: 'grn' },
  invoice: { key: ['po', 'line'], quantity: 'qty', id: 'inv' },
  rules: [{ name: 'quantity-received', expression: '$decCmp($quantity, $decSub($received, $invoiced)) <= 0', message: '{{$quantity}} over {{$decSub($received, $invoiced)}}' }],
};

function grouping(c: MatchConfig = config): GroupingBehaviour {
  const behaviour = matchNode.create(c, { nodeId: 'match', evaluator, reference, functions: standardFunctions(reference) }) as ProcessBehaviour;
  return behaviour.grouping!;
}

async function groupOf(g: GroupingBehaviour, records: [string, unknown][]): Promise<MatchGroup> {
  const table = new Map();
  let n = 0;
  for (const [port, data] of records) await g.add(table, data, {}, String(++n), port);
  return g.record([...table.values()][0]) as MatchGroup;
}

describe('match config checks', () => {
  it('needs an order or receipt side, as many key parts on every side, and rules named once', () => {
    const problems = matchNode.check!({
      ...config, order: undefined, receipt: undefined,
      rules: [config.rules[0], { ...config.rules[0] }],
    }, evaluator).map((p) => p.path);
    expect(problems).toEqual(['/order', '/rules/1/name']);
    expect(matchNode.check!({ ...config, receipt: { ...config.receipt!, key: ['po'] } }, evaluator)).toEqual([
      { path: '/receipt/key', message: 'The receipt key has 1 part, the invoice key 2: the sides must list the same parts' },
    ]);
    expect(matchNode.check!(config, evaluator)).toEqual([]);
  });
});

describe('match resolution', () => {
  it('sums receipts exactly, judges invoices in read order, and a retried chunk sends the same and changes nothing', async () => {
    const g = grouping();
    const group = await groupOf(g, [
      ['invoice', { inv: 'I1', po: 'P', line: 1, qty: '2.5' }],
      ['receipt', { grn: 'G1', po: 'P', line: 1, qty: '1.25' }],
      ['invoice', { inv: 'I2', po: 'P', line: 1, qty: '1.1' }],
      ['receipt', { grn: 'G2', po: 'P', line: 1, qty: '1.35' }],
      ['order', { po: 'P', line: 1, price: '9.99' }],
    ]);
    expect(group.key).toBe('P|1');
    expect(group.records.map((r) => r.side)).toEqual(['invoice', 'receipt', 'invoice', 'receipt', 'order']);
    const state = createMemoryKeyedState();
    const ctx: ProcessContext = { connections: { sql: () => { throw new Error(); }, http: () => { throw new Error(); } }, state, fetch, signal: new AbortController().signal, runId: 'r1' };
    const first = await g.resolve!([{ data: group, bindings: {} }], ctx);
    const ports = (answer: unknown) => (answer as { port: string; failures?: { message: string }[]; item?: { key: unknown } }[]).map((e) => [e.port, e.item?.key, e.failures?.[0]?.message]);
    expect(ports(first[0])).toEqual([['matched', 'I1', undefined], ['exception', 'I2', '1.1 over 0.10']]);
    const line = (await state.read('local/lines', ['P|1'])).get('P|1') as LineState;
    expect(line).toMatchObject({ received: '2.60', invoiced: '2.5', held: [] });
    // The same chunk again (a worker died before committing it): the recorded change comes back.
    expect(ports((await g.resolve!([{ data: group, bindings: {} }], ctx))[0])).toEqual(ports(first[0]));
    expect((await state.read('local/lines', ['P|1'])).get('P|1')).toEqual(line);
    // Another run with the same records: receipts count once, each invoice keeps its first decision.
    expect(ports((await g.resolve!([{ data: group, bindings: {} }], { ...ctx, runId: 'r2' }))[0])).toEqual(ports(first[0]));
    expect((await state.read('local/lines', ['P|1'])).get('P|1')).toMatchObject({ received: '2.60', invoiced: '2.5' });
  });

  it('quarantines a record by a port the match has no side for, naming the port', async () => {
    const g = grouping({ ...config, order: undefined });
    await expect(g.add(new Map(), { po: 'P', line: 1 }, {}, '1', 'order')).rejects.toThrow('Node "match": a record came in by port "order", but the match has no order side configured');
  });

  it('previews one record as the side whose key it gives, waiting for the others', async () => {
    const behaviour = matchNode.create({ ...config, receipt: { ...config.receipt!, key: ['poNumber', 'poLine'] }, invoice: { ...config.invoice, key: ['poNumber', 'poLine'] } }, { nodeId: 'match', evaluator, reference, functions: standardFunctions(reference) }) as ProcessBehaviour;
    const preview = async (data: unknown) => ((await behaviour.process(data, {})) as { port: string; data: { match: unknown } }[]).map((e) => [e.port, e.data.match]);
    expect(await preview({ poNumber: 'P', poLine: 2, qty: '1', inv: 'I' })).toEqual([['unmatched', { key: 'P|2', side: 'invoice', outcome: 'unmatched', order: null, waitingFor: ['order', 'receipt'] }]]);
    expect(await preview({ po: 'P', line: 2, price: '1.00' })).toEqual([['unmatched', { key: 'P|2', side: 'order', outcome: 'unmatched', order: null, waitingFor: ['invoice'] }]]);
    await expect(preview({ nothing: true })).rejects.toThrow('the key expression /invoice/key/0 (poNumber) gave nothing');
  });
});
