import { describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { expandSubflows } from '../../../nodes/subflow/expand.ts';
import { describeDiff, diffFlows } from '../../../nodes/flow-diff.ts';
import { groupAsSubflow, replaceWithSubflow } from '../../../nodes/subflow/group.ts';
import type { SubflowDefinition } from '../../../nodes/subflow/subflow.ts';
import { validateFlow } from '../../../nodes/validate-flow.ts';
import { e, flowUsing, n, vatCheckDefinition } from './subflow-fixtures.ts';

const evaluator = createReferenceEvaluator();
const problemsOf = (def: SubflowDefinition) => validateFlow(flowUsing('f', 1, def), catalog, evaluator).map((p) => `${p.code} ${p.path} [${p.nodeId}]`);

describe('sub-flow node: validation', () => {
  it('accepts a flow using a sub-flow, with the sub-flow node\'s declared ports', () => {
    expect(validateFlow(flowUsing('f', 1), catalog, evaluator)).toEqual([]);
  });

  it('checks the inner nodes as flow nodes, pointing into the sub-flow node', () => {
    const def = vatCheckDefinition('$round(');
    const problems = validateFlow(flowUsing('f', 1, def), catalog, evaluator);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'expression-syntax', path: '/nodes/1/config/nodes/0/config/expression', nodeId: 'vat' });
    expect(problems[0].message).toMatch(/^Sub-flow 'vat-check' v1 \(node 'vat'\): Node 'normalise'/);
  });

  it('refuses inputs and outputs naming missing nodes or ports, and sources inside (nested sub-flows: nested-subflow.test.ts)', () => {
    const base = vatCheckDefinition();
    expect(problemsOf({ ...base, inputs: [{ id: 'in', targets: [{ node: 'ghost' }] }] }).sort()).toEqual([
      'dangling-edge /nodes/1/config/inputs/0/targets/0/node [vat]',
      'unconnected-port /nodes/1/config/nodes/0 [vat]',
      'unreachable-node /nodes/1/config/nodes/0 [vat]',
      'unreachable-node /nodes/1/config/nodes/1 [vat]',
    ]);
    expect(problemsOf({ ...base, outputs: [{ id: 'ok', sources: [{ node: 'has-vat', port: 'nope' }] }, base.outputs[1]] })).toContain('unknown-port /nodes/1/config/outputs/0/sources/0/port [vat]');
    expect(problemsOf({ ...base, nodes: [...base.nodes, n('src', 'source.webhook')], edges: [...base.edges, e('src', 'normalise')] })).toContain('invalid-config /nodes/1/config/nodes/2/type [vat]');
  });

  it('refuses an edge into the sub-flow node by a port it does not declare', () => {
    const doc = flowUsing('f', 1);
    doc.edges[0] = { ...doc.edges[0], targetHandle: 'lines' };
    expect(validateFlow(doc, catalog, evaluator).map((p) => p.code)).toContain('unknown-port');
    doc.edges[0] = { ...doc.edges[0], targetHandle: undefined };
    doc.edges[1] = { ...doc.edges[1], sourceHandle: 'maybe' };
    expect(validateFlow(doc, catalog, evaluator).map((p) => p.message)).toContain("Edge 'vat>post:ok' leaves node 'vat' by port 'maybe', which it does not have (ports: ok, rejected)");
  });

  it('reports an inner node whose records would go nowhere', () => {
    const base = vatCheckDefinition();
    expect(problemsOf({ ...base, outputs: [] })).toContain('unconnected-port /nodes/1/config/nodes/1 [vat]');
  });
});

describe('expandSubflows', () => {
  it('replaces the sub-flow node by its inner nodes, namespaced, and rewires its edges to the declared ports', () => {
    const expanded = expandSubflows(flowUsing('f', 1));
    expect(expanded.nodes.map((x) => x.id)).toEqual(['in', 'vat/normalise', 'vat/has-vat', 'post', 'reject']);
    expect(expanded.nodes[1]).toMatchObject({ label: 'vat-check › normalise', position: { x: 240, y: 0 } });
    expect(expanded.edges.map((x) => [x.source, x.sourceHandle ?? 'out', x.target, x.targetHandle ?? 'in'])).toEqual([
      ['vat/normalise', 'out', 'vat/has-vat', 'in'],
      ['in', 'out', 'vat/normalise', 'in'],
      ['vat/has-vat', 'ok', 'post', 'in'],
      ['vat/has-vat', 'default', 'reject', 'in'],
    ]);
  });

  it('fans an input out to every inner node it names, and an output in from every source it names', () => {
    const def = vatCheckDefinition();
    def.inputs[0].targets.push({ node: 'has-vat' });
    def.outputs[0].sources.push({ node: 'normalise' });
    def.edges = [];
    const expanded = expandSubflows(flowUsing('f', 1, def));
    expect(expanded.edges.map((x) => `${x.id}: ${x.source}>${x.target}`)).toEqual([
      'in>vat#1: in>vat/normalise', 'in>vat#2: in>vat/has-vat',
      'vat>post:ok#1: vat/has-vat>post', 'vat>post:ok#2: vat/normalise>post',
      'vat>reject:rejected: vat/has-vat>reject',
    ]);
  });

  it('leaves a flow without sub-flows as it is', () => {
    const doc = { ...flowUsing('f', 1), nodes: [n('in', 'source.webhook')], edges: [] };
    expect(expandSubflows(doc)).toBe(doc);
  });
});

describe('a flow diff when the pinned sub-flow version changes', () => {
  it('names the version step and the inner node whose config changed, with a line diff of its expression', () => {
    const v2 = vatCheckDefinition('$string($round($number(amount), 0))');
    const diff = diffFlows(flowUsing('f', 1), flowUsing('f', 2, v2), { from: 'v1', to: 'v2' }, { catalog });
    expect(diff.summary).toMatchObject({ nodesChanged: 1, layoutOnly: false });
    const [vat] = diff.nodes;
    expect(vat).toMatchObject({ nodeId: 'vat', kind: 'changed', type: 'subflow' });
    const config = vat.kind === 'changed' ? vat.config : [];
    expect(config.map((c) => [c.path, c.item ?? null])).toEqual([['version', null], ['nodes[0].config.expression', 'normalise']]);
    expect(config[1].lines?.map((l) => l.kind)).toEqual(['removed', 'added']);
    expect(describeDiff(diff)).toEqual([
      "Node 'vat' (subflow): version changed: 1 → 2",
      `Node 'vat' (subflow): nodes[0].config.expression (normalise) changed: '$merge([$, { "amount": $string($round($number(amount), 2))… → '$merge([$, { "amount": $string($round($number(amount), 0))…`,
    ]);
  });
});

describe('save as sub-flow: grouping selected nodes', () => {
  const isSource = (type: string) => catalog.get(type)?.category === 'source';
  /** The flow of flowUsing, written out flat: the nodes a user would select. */
  const flat = () => {
    const doc = flowUsing('f', 1);
    return { ...doc, nodes: [doc.nodes[0], ...vatCheckDefinition().nodes.map((x) => ({ ...x, position: { x: x.position.x + 200, y: 40 } })), doc.nodes[2], doc.nodes[3]],
      edges: [e('in', 'normalise'), e('normalise', 'has-vat'), e('has-vat', 'post', 'ok'), e('has-vat', 'reject', 'default')] };
  };

  it('derives inputs and outputs from the edges the selection cuts, and puts one sub-flow node in its place', () => {
    const doc = flat();
    const grouping = groupAsSubflow(doc, ['normalise', 'has-vat'], isSource);
    if (!grouping.ok) throw new Error(grouping.reason);
    expect(grouping.definition.inputs).toEqual([{ id: 'in', targets: [{ node: 'normalise' }] }]);
    expect(grouping.definition.outputs).toEqual([{ id: 'ok', sources: [{ node: 'has-vat', port: 'ok' }] }, { id: 'default', sources: [{ node: 'has-vat', port: 'default' }] }]);
    expect(grouping.definition.nodes.map((x) => [x.id, x.position])).toEqual([['normalise', { x: 0, y: 0 }], ['has-vat', { x: 240, y: 0 }]]);
    const replaced = replaceWithSubflow(doc, ['normalise', 'has-vat'], 'vat-check', 1, grouping.definition);
    expect(replaced.nodes.map((x) => `${x.id}:${x.type}`)).toEqual(['in:source.file', 'post:target.postgres', 'reject:target.postgres', 'vat-check:subflow']);
    expect(replaced.edges.map((x) => `${x.source}.${x.sourceHandle ?? 'out'}>${x.target}.${x.targetHandle ?? 'in'}`)).toEqual(['in.out>vat-check.in', 'vat-check.ok>post.in', 'vat-check.default>reject.in']);
    expect(validateFlow(replaced, catalog, evaluator)).toEqual([]);
    // Expanded, it is the flat flow again (ids namespaced).
    expect(expandSubflows(replaced).edges.map((x) => `${x.source}>${x.target}`).sort()).toEqual(['in>vat-check/normalise', 'vat-check/has-vat>post', 'vat-check/has-vat>reject', 'vat-check/normalise>vat-check/has-vat']);
  });

  it('refuses a selection holding a source, or one nothing flows into', () => {
    expect(groupAsSubflow(flat(), ['in', 'normalise'], isSource)).toMatchObject({ ok: false, reason: expect.stringContaining('is a source') });
    const unfed = { ...flat(), edges: flat().edges.slice(1) };
    expect(groupAsSubflow(unfed, ['normalise'], isSource)).toMatchObject({ ok: false, reason: expect.stringContaining('Nothing flows into the selected nodes') });
    expect(groupAsSubflow(flat(), [], isSource)).toMatchObject({ ok: false });
  });
});
