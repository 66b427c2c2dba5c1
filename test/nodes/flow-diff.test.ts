import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.ts';
import { describeDiff, diffFlows, type FlowDiff } from '../../nodes/flow-diff.ts';
import type { FlowDocument, FlowNode } from '../../nodes/flow-document.ts';

const realFlow: FlowDocument = JSON.parse(readFileSync(new URL('../../flows/ubl-invoice-to-ap/flow.json', import.meta.url), 'utf8'));

const mapping = '(\n  $doc := Invoice;\n  {\n    "invoiceNumber": $doc.ID,\n    "currency": $doc.DocumentCurrencyCode\n  }\n)';

/** A small flow with one node of each kind the diff treats specially. */
function baseFlow(): FlowDocument {
  return {
    id: 'ap-sync',
    name: 'AP sync',
    businessKey: 'Invoice.ID',
    sensitive: ['iban'],
    nodes: [
      { id: 'read', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'xml' } },
      { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, label: 'To AP invoice', config: { expression: mapping } },
      {
        id: 'check',
        type: 'validate.record',
        typeVersion: 1,
        position: { x: 400, y: 0 },
        config: {
          rules: [
            { id: 'has-number', expression: '$exists(invoiceNumber)', message: 'No invoice number', severity: 'error' },
            { id: 'has-currency', expression: '$exists(currency)', message: 'No currency', severity: 'error' },
          ],
          references: [],
        },
      },
      {
        id: 'post',
        type: 'target.postgres',
        typeVersion: 1,
        position: { x: 600, y: 0 },
        config: { connection: 'ap', table: 'ap_invoice', keyColumns: ['invoice_number'], idempotencyKey: 'invoiceNumber', columns: { invoice_number: 'invoiceNumber', currency: 'currency' } },
        retry: { attempts: 3, backoffMs: 500 },
      },
      { id: 'quarantine', type: 'target.file', typeVersion: 1, position: { x: 600, y: 200 }, config: { path: 'invalid.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'read', target: 'map' },
      { id: 'e2', source: 'map', target: 'check' },
      { id: 'e3', source: 'check', sourceHandle: 'valid', target: 'post' },
      { id: 'e4', source: 'check', sourceHandle: 'invalid', target: 'quarantine' },
    ],
  };
}

function edited(edit: (flow: FlowDocument) => void): FlowDocument {
  const flow = baseFlow();
  edit(flow);
  return flow;
}

const node = (flow: FlowDocument, id: string): FlowNode => flow.nodes.find((n) => n.id === id)!;
const config = (flow: FlowDocument, id: string) => node(flow, id).config as Record<string, any>;

function expectEmpty(diff: FlowDiff): void {
  expect(diff.flow).toEqual([]);
  expect(diff.nodes).toEqual([]);
  expect(diff.edges).toEqual([]);
  expect(diff.layout).toEqual([]);
  expect(diff.summary).toEqual({ nodesAdded: 0, nodesRemoved: 0, nodesChanged: 0, edgesAdded: 0, edgesRemoved: 0, flowFieldsChanged: 0, layoutOnly: false });
  expect(describeDiff(diff)).toEqual(['No changes']);
}

describe('diffFlows: no change', () => {
  it.each([
    { name: 'the same document', pair: () => [realFlow, realFlow] },
    { name: 'a deep copy of a real flow', pair: () => [realFlow, structuredClone(realFlow)] },
    { name: 'edge ids renamed, default ports spelled out', pair: () => [baseFlow(), edited((f) => { f.edges = f.edges.map((e, i) => ({ ...e, id: `edge-${i}`, sourceHandle: e.sourceHandle ?? 'out', targetHandle: 'in' })); })] },
    { name: 'config keys in another order, an undefined key', pair: () => [baseFlow(), edited((f) => { node(f, 'post').config = { ...config(f, 'post'), table: 'ap_invoice', connection: 'ap', extra: undefined }; })] },
  ])('$name → empty diff', ({ pair }) => {
    const [a, b] = pair() as [FlowDocument, FlowDocument];
    const diff = diffFlows(a, b, { from: 'v1', to: 'v2' });
    expectEmpty(diff);
    expect(diff.from).toEqual({ label: 'v1' });
    expect(diff.to).toEqual({ label: 'v2' });
  });
});

describe('diffFlows: changes', () => {
  it('reports an added and a removed node, added first (order of the new version)', () => {
    const to = edited((f) => {
      f.nodes = f.nodes.filter((n) => n.id !== 'quarantine');
      f.edges = f.edges.filter((e) => e.target !== 'quarantine');
      f.nodes.splice(1, 0, { id: 'dedupe', type: 'transform.jsonata', typeVersion: 1, position: { x: 100, y: 0 }, label: 'Dedupe', config: { expression: '$' } });
    });
    const diff = diffFlows(baseFlow(), to);
    expect(diff.nodes).toEqual([
      { nodeId: 'dedupe', kind: 'added', type: 'transform.jsonata', label: 'Dedupe' },
      { nodeId: 'quarantine', kind: 'removed', type: 'target.file' },
    ]);
    expect(diff.edges).toEqual([{ kind: 'removed', edgeId: 'e4', source: 'check', sourceHandle: 'invalid', target: 'quarantine', targetHandle: 'in' }]);
    expect(diff.summary).toMatchObject({ nodesAdded: 1, nodesRemoved: 1, nodesChanged: 0, edgesRemoved: 1, layoutOnly: false });
    expect(describeDiff(diff)).toEqual([
      "Node 'dedupe' (transform.jsonata) added",
      "Node 'quarantine' (target.file) removed",
      'Edge check:invalid → quarantine removed',
    ]);
  });

  it.each([
    {
      name: 'a column mapping changed',
      edit: (f: FlowDocument) => { config(f, 'post').columns.invoice_number = 'invoiceNo'; },
      change: { path: 'columns.invoice_number', kind: 'changed', from: 'invoiceNumber', to: 'invoiceNo' },
    },
    {
      name: 'a column added',
      edit: (f: FlowDocument) => { config(f, 'post').columns.due_date = 'dueDate'; },
      change: { path: 'columns.due_date', kind: 'added', to: 'dueDate' },
    },
    {
      name: 'a field removed',
      edit: (f: FlowDocument) => { delete config(f, 'post').idempotencyKey; },
      change: { path: 'idempotencyKey', kind: 'removed', from: 'invoiceNumber' },
    },
    {
      name: 'a key column inserted at the front of a list of names',
      edit: (f: FlowDocument) => { config(f, 'post').keyColumns.unshift('supplier_vat_id'); },
      change: { path: 'keyColumns[0]', kind: 'added', to: 'supplier_vat_id' },
    },
    {
      name: 'an item of a list of names replaced',
      edit: (f: FlowDocument) => { config(f, 'post').keyColumns = ['invoice_no']; },
      change: { path: 'keyColumns[0]', kind: 'changed', from: 'invoice_number', to: 'invoice_no' },
    },
    {
      name: 'a value turned from text into a list',
      edit: (f: FlowDocument) => { config(f, 'read').format = ['xml', 'json']; },
      change: { path: 'format', kind: 'changed', from: 'xml', to: ['xml', 'json'] },
    },
    {
      name: 'a rule message changed inside a rule matched by id',
      edit: (f: FlowDocument) => { config(f, 'check').rules[1].message = 'Currency missing'; },
      change: { path: 'rules[1].message', kind: 'changed', from: 'No currency', to: 'Currency missing', item: 'has-currency' },
    },
  ])('config: $name', ({ edit, change }) => {
    const diff = diffFlows(baseFlow(), edited(edit));
    expect(diff.nodes).toHaveLength(1);
    const n = diff.nodes[0];
    expect(n.kind).toBe('changed');
    if (n.kind !== 'changed') return;
    expect(n.config).toEqual([change]);
    expect(diff.summary).toMatchObject({ nodesChanged: 1, layoutOnly: false });
  });

  it('gives a JSONata expression change a line diff with line numbers', () => {
    const newMapping = '(\n  $doc := Invoice;\n  $total := $doc.LegalMonetaryTotal;\n  {\n    "invoiceNumber": $doc.ID,\n    "payable": $total.PayableAmount\n  }\n)';
    const diff = diffFlows(baseFlow(), edited((f) => { config(f, 'map').expression = newMapping; }));
    const n = diff.nodes[0];
    if (n.kind !== 'changed') throw new Error('expected a changed node');
    expect(n.config).toHaveLength(1);
    expect(n.config[0]).toMatchObject({ path: 'expression', kind: 'changed', from: mapping, to: newMapping });
    expect(n.config[0].lines).toEqual([
      { kind: 'same', text: '(', fromLine: 1, toLine: 1 },
      { kind: 'same', text: '  $doc := Invoice;', fromLine: 2, toLine: 2 },
      { kind: 'added', text: '  $total := $doc.LegalMonetaryTotal;', toLine: 3 },
      { kind: 'same', text: '  {', fromLine: 3, toLine: 4 },
      { kind: 'same', text: '    "invoiceNumber": $doc.ID,', fromLine: 4, toLine: 5 },
      { kind: 'removed', text: '    "currency": $doc.DocumentCurrencyCode', fromLine: 5 },
      { kind: 'added', text: '    "payable": $total.PayableAmount', toLine: 6 },
      { kind: 'same', text: '  }', fromLine: 6, toLine: 7 },
      { kind: 'same', text: ')', fromLine: 7, toLine: 8 },
    ]);
    expect(describeDiff(diff)).toEqual(["Node 'map' (transform.jsonata): expression changed (2 lines added, 1 removed)"]);
  });

  it('line-diffs the real UBL mapping after an edit in the middle', () => {
    const to = structuredClone(realFlow);
    const map = to.nodes.find((n) => n.type === 'transform.jsonata')!;
    const lines = String(map.config.expression).split('\n');
    const edited = [...lines.slice(0, 3), '  $unused := 1;', ...lines.slice(4)];
    map.config.expression = edited.join('\n');
    const n = diffFlows(realFlow, to).nodes[0];
    if (n.kind !== 'changed') throw new Error('expected a changed node');
    const changedLines = n.config[0].lines!.filter((l) => l.kind !== 'same');
    expect(changedLines).toEqual([
      { kind: 'removed', text: lines[3], fromLine: 4 },
      { kind: 'added', text: '  $unused := 1;', toLine: 4 },
    ]);
    expect(n.config[0].lines!.filter((l) => l.kind === 'same')).toHaveLength(lines.length - 1);
  });

  it('matches rules by id: one inserted at the start is one added rule', () => {
    const rule = { id: 'has-supplier', expression: '$exists(supplier.vatId)', message: 'No supplier VAT id', severity: 'error' };
    const diff = diffFlows(baseFlow(), edited((f) => { config(f, 'check').rules.unshift(rule); }));
    const n = diff.nodes[0];
    if (n.kind !== 'changed') throw new Error('expected a changed node');
    expect(n.config).toEqual([{ path: 'rules[0]', kind: 'added', to: rule, item: 'has-supplier' }]);
    expect(describeDiff(diff)[0]).toMatch(/^Node 'check' \(validate\.record\): rules\[0\] \(has-supplier\) added: \{"id":"has-supplier"/);
  });

  it('matches routes by port and reports a change of their order', () => {
    const route = (port: string, condition: string) => ({ port, condition });
    const from = edited((f) => f.nodes.push({ id: 'by-entity', type: 'route.condition', typeVersion: 1, position: { x: 0, y: 300 }, config: { routes: [route('de', "entity = 'DE01'"), route('nl', "entity = 'NL01'")], defaultPort: 'default' } }));
    const to = structuredClone(from);
    config(to, 'by-entity').routes = [route('fr', "entity = 'FR01'"), route('nl', "entity = 'NL02'"), route('de', "entity = 'DE01'")];
    const n = diffFlows(from, to, undefined, { catalog }).nodes[0];
    if (n.kind !== 'changed') throw new Error('expected a changed node');
    expect(n.config).toEqual([
      { path: 'routes', kind: 'changed', from: ['de', 'nl'], to: ['nl', 'de'], reordered: true },
      { path: 'routes[0]', kind: 'added', to: route('fr', "entity = 'FR01'"), item: 'fr' },
      {
        path: 'routes[1].condition',
        kind: 'changed',
        from: "entity = 'NL01'",
        to: "entity = 'NL02'",
        item: 'nl',
        lines: [
          { kind: 'removed', text: "entity = 'NL01'", fromLine: 1 },
          { kind: 'added', text: "entity = 'NL02'", toLine: 1 },
        ],
      },
    ]);
  });

  it("line-diffs the catalog's expression fields only when given the catalog", () => {
    const to = edited((f) => { config(f, 'post').idempotencyKey = "supplier.vatId & '/' & invoiceNumber"; });
    const without = diffFlows(baseFlow(), to).nodes[0];
    const withCatalog = diffFlows(baseFlow(), to, undefined, { catalog }).nodes[0];
    if (without.kind !== 'changed' || withCatalog.kind !== 'changed') throw new Error('expected changed nodes');
    expect(without.config[0].lines).toBeUndefined();
    expect(withCatalog.config[0].lines?.map((l) => l.kind)).toEqual(['removed', 'added']);
  });

  it('reports a rewired edge as one removed and one added connection', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { f.edges[3] = { id: 'e4', source: 'map', sourceHandle: 'out', target: 'quarantine' }; }));
    expect(diff.edges).toEqual([
      { kind: 'added', edgeId: 'e4', source: 'map', sourceHandle: 'out', target: 'quarantine', targetHandle: 'in' },
      { kind: 'removed', edgeId: 'e4', source: 'check', sourceHandle: 'invalid', target: 'quarantine', targetHandle: 'in' },
    ]);
    expect(diff.nodes).toEqual([]);
    expect(diff.summary).toMatchObject({ edgesAdded: 1, edgesRemoved: 1, layoutOnly: false });
    expect(describeDiff(diff)).toEqual(['Edge map → quarantine added', 'Edge check:invalid → quarantine removed']);
  });

  it('counts a duplicated connection once per copy', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { f.edges.push({ id: 'e5', source: 'read', target: 'map' }); }));
    expect(diff.edges).toEqual([{ kind: 'added', edgeId: 'e5', source: 'read', sourceHandle: 'out', target: 'map', targetHandle: 'in' }]);
  });

  it('keeps a move out of the node changes: layout only', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { node(f, 'map').position = { x: 220, y: 40 }; node(f, 'post').position = { x: 640, y: 0 }; }));
    expect(diff.nodes).toEqual([]);
    expect(diff.layout).toEqual([
      { nodeId: 'map', from: { x: 200, y: 0 }, to: { x: 220, y: 40 } },
      { nodeId: 'post', from: { x: 600, y: 0 }, to: { x: 640, y: 0 } },
    ]);
    expect(diff.summary.layoutOnly).toBe(true);
    expect(describeDiff(diff)).toEqual(['Moved 2 nodes (layout only)']);
  });

  it('reports a label change, which is still layout only', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { node(f, 'map').label = 'Map to AP'; node(f, 'read').label = 'Invoice file'; }));
    expect(diff.nodes).toEqual([
      { nodeId: 'read', kind: 'changed', type: 'source.file', label: 'Invoice file', labelChanged: { to: 'Invoice file' }, config: [] },
      { nodeId: 'map', kind: 'changed', type: 'transform.jsonata', label: 'Map to AP', labelChanged: { from: 'To AP invoice', to: 'Map to AP' }, config: [] },
    ]);
    expect(diff.summary).toMatchObject({ nodesChanged: 2, layoutOnly: true });
    expect(describeDiff(diff)).toEqual([
      "Node 'read' (source.file): label 'Invoice file' added",
      "Node 'map' (transform.jsonata): label 'To AP invoice' → 'Map to AP'",
    ]);
  });

  it('is not layout only when a move comes with a config change', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { node(f, 'map').position = { x: 1, y: 1 }; config(f, 'read').format = 'json'; }));
    expect(diff.summary.layoutOnly).toBe(false);
    expect(describeDiff(diff)).toEqual(["Node 'read' (source.file): format changed: 'xml' → 'json'", 'Moved 1 node']);
  });

  it('reports a flow-level business key change with a line diff', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { f.businessKey = 'Invoice.ID & "/" & Invoice.IssueDate'; }));
    expect(diff.flow).toEqual([
      {
        path: 'businessKey',
        kind: 'changed',
        from: 'Invoice.ID',
        to: 'Invoice.ID & "/" & Invoice.IssueDate',
        lines: [
          { kind: 'removed', text: 'Invoice.ID', fromLine: 1 },
          { kind: 'added', text: 'Invoice.ID & "/" & Invoice.IssueDate', toLine: 1 },
        ],
      },
    ]);
    expect(diff.summary).toMatchObject({ flowFieldsChanged: 1, layoutOnly: false });
    expect(describeDiff(diff)).toEqual([`Flow businessKey changed: 'Invoice.ID' → 'Invoice.ID & "/" & Invoice.IssueDate'`]);
  });

  it('reports flow fields in a fixed order and counts fields, not changes', () => {
    const diff = diffFlows(baseFlow(), edited((f) => {
      f.sensitive = ['iban', 'email', 'phone'];
      f.amount = { value: 'total', currency: "'EUR'" };
      f.name = 'AP sync (EU)';
    }));
    expect(diff.flow.map((c) => `${c.kind} ${c.path}`)).toEqual(['changed name', 'added amount', 'added sensitive[1]', 'added sensitive[2]']);
    expect(diff.summary.flowFieldsChanged).toBe(3);
  });

  it('summarises mapping tests by name', () => {
    const test = (name: string, expected: unknown) => ({ name, node: 'map', input: { Invoice: { ID: '1' } }, expected });
    const from = edited((f) => { f.tests = [test('eur invoice', { a: 1 }), test('credit note', { b: 1 }), test('old', {})]; });
    const to = edited((f) => { f.tests = [test('new', {}), test('eur invoice', { a: 2 }), test('credit note', { b: 1 })]; });
    const diff = diffFlows(from, to);
    expect(diff.flow).toEqual([
      { path: 'tests[0]', kind: 'added', item: 'new', to: 'new' },
      { path: 'tests[1]', kind: 'changed', item: 'eur invoice', parts: ['expected'] },
      { path: 'tests[2]', kind: 'removed', item: 'old', from: 'old' },
    ]);
    expect(describeDiff(diff)).toEqual(["Mapping test 'new' added", "Mapping test 'eur invoice' changed (expected)", "Mapping test 'old' removed"]);
  });

  it('reports a type version bump and a retry policy change', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { node(f, 'post').typeVersion = 2; node(f, 'post').retry = { attempts: 5, backoffMs: 500 }; }));
    expect(diff.nodes).toEqual([
      {
        nodeId: 'post',
        kind: 'changed',
        type: 'target.postgres',
        typeVersionChanged: { from: 1, to: 2 },
        retryChanged: { path: 'retry', kind: 'changed', from: { attempts: 3, backoffMs: 500 }, to: { attempts: 5, backoffMs: 500 } },
        config: [],
      },
    ]);
    expect(diff.summary.layoutOnly).toBe(false);
    expect(describeDiff(diff)).toEqual([
      "Node 'post' (target.postgres): type version 1 → 2",
      `Node 'post' (target.postgres): retry policy changed: {"attempts":3,"backoffMs":500} → {"attempts":5,"backoffMs":500}`,
    ]);
  });

  it('reports a change of node type', () => {
    const diff = diffFlows(baseFlow(), edited((f) => { node(f, 'quarantine').type = 'target.http'; }));
    expect(diff.nodes).toEqual([{ nodeId: 'quarantine', kind: 'changed', type: 'target.http', typeChanged: { from: 'target.file', to: 'target.http' }, config: [] }]);
    expect(describeDiff(diff)).toEqual(["Node 'quarantine': type target.file → target.http"]);
  });
});

// ---------------------------------------------------------------------------
// Properties over generated documents

const KEY_NAMES = new Set(['id', 'port', 'name']);
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/).filter((k) => !KEY_NAMES.has(k));
const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map(([a, b]) => `${a}\n${b}`));
const { object: configArb } = fc.letrec<{ value: unknown; object: Record<string, unknown>; array: unknown[]; keyed: unknown[] }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), tie('array'), tie('keyed')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  array: fc.array(tie('value'), { maxLength: 4 }),
  // Items with ids, as validate rules have: matched by id, so their ids are never edited below.
  keyed: fc
    .uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 4 })
    .chain((ids) => fc.tuple(...ids.map((id) => fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }).map((o) => ({ ...o, id }))))),
}));

const flowArb: fc.Arbitrary<FlowDocument> = fc
  .record({
    ids: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z-]{0,6}$/), { minLength: 1, maxLength: 5 }),
    name: fc.string(),
    businessKey: fc.option(fc.string(), { nil: undefined }),
    sensitive: fc.option(fc.array(fc.string({ maxLength: 5 })), { nil: undefined }),
  })
  .chain(({ ids, name, businessKey, sensitive }) =>
    fc.record({
      nodes: fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            type: fc.constantFrom('source.file', 'transform.jsonata', 'validate.record', 'target.postgres'),
            typeVersion: fc.integer({ min: 1, max: 3 }),
            position: fc.record({ x: fc.integer(), y: fc.integer() }),
            config: configArb,
          }),
        ),
      ),
      edges: fc.array(fc.record({ id: fc.string(), source: fc.constantFrom(...ids), target: fc.constantFrom(...ids), sourceHandle: fc.option(fc.constantFrom('out', 'valid'), { nil: undefined }) }), { maxLength: 6 }),
    }).map(({ nodes, edges }) => {
      const flow: FlowDocument = { id: 'generated', name, nodes, edges };
      if (businessKey !== undefined) flow.businessKey = businessKey;
      if (sensitive !== undefined) flow.sensitive = sensitive;
      return flow;
    }),
  );

type Segment = string | number;

/** Every primitive value in a config with the path to it, skipping the ids of keyed items. */
function leaves(value: unknown, at: Segment[] = []): { at: Segment[]; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...at, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'id' ? [] : leaves(v, [...at, k])));
  }
  return [{ at, value }];
}

const dotted = (at: Segment[]) => at.reduce<string>((p, s) => (typeof s === 'number' ? `${p}[${s}]` : p ? `${p}.${s}` : s), '');

function setAt(target: unknown, at: Segment[], value: unknown): void {
  let parent = target as Record<string | number, unknown>;
  for (const s of at.slice(0, -1)) parent = parent[s] as Record<string | number, unknown>;
  parent[at[at.length - 1]] = value;
}

describe('diffFlows: properties', () => {
  it('finds no change between a generated document and itself or its copy', () => {
    fc.assert(
      fc.property(flowArb, (flow) => {
        expectEmpty(diffFlows(flow, flow));
        expectEmpty(diffFlows(flow, structuredClone(flow)));
        expectEmpty(diffFlows(flow, JSON.parse(JSON.stringify(flow))));
      }),
      { numRuns: 200 },
    );
  });

  it('reports a single edited config value as exactly one change at its path', () => {
    fc.assert(
      fc.property(flowArb, fc.nat(), fc.nat(), leaf, (flow, nodePick, leafPick, replacement) => {
        const nodeIndex = nodePick % flow.nodes.length;
        const candidates = leaves(flow.nodes[nodeIndex].config);
        fc.pre(candidates.length > 0);
        const { at, value } = candidates[leafPick % candidates.length];
        fc.pre(replacement !== value);
        const to = structuredClone(flow);
        setAt(to.nodes[nodeIndex].config, at, replacement);
        const diff = diffFlows(flow, to);
        expect(diff.flow).toEqual([]);
        expect(diff.edges).toEqual([]);
        expect(diff.layout).toEqual([]);
        expect(diff.nodes).toHaveLength(1);
        const n = diff.nodes[0];
        if (n.kind !== 'changed') throw new Error(`expected a changed node, got ${n.kind}`);
        expect(n.nodeId).toBe(flow.nodes[nodeIndex].id);
        expect(n.config).toHaveLength(1);
        expect(n.config[0]).toMatchObject({ path: dotted(at), kind: 'changed', from: value, to: replacement });
        expect(diff.summary).toMatchObject({ nodesChanged: 1, layoutOnly: false });
      }),
      { numRuns: 500 },
    );
  });
});
