import { describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { describeDiff, diffFlows } from '../../../nodes/flow-diff.ts';
import { connectionsUsed, pinnedSubflows, subflowProblems } from '../../../nodes/subflow/definition.ts';
import { expandSubflows, MAX_SUBFLOW_DEPTH } from '../../../nodes/subflow/expand.ts';
import { groupAsSubflow } from '../../../nodes/subflow/group.ts';
import type { SubflowDefinition } from '../../../nodes/subflow/subflow.ts';
import { validateFlow } from '../../../nodes/validate-flow.ts';
import { e, flowNesting, flowUsing, intakeDefinition, n, subflowConfig, vatCheckDefinition } from './subflow-fixtures.ts';

const evaluator = createReferenceEvaluator();

/** A chain of `depth` sub-flows, each using the next; the innermost is vat-check. */
function chainOf(depth: number): SubflowDefinition {
  let def = vatCheckDefinition();
  for (let level = depth - 1; level >= 1; level--) {
    const name = level === depth - 1 ? 'vat-check' : `level-${level + 1}`;
    def = {
      inputs: [{ id: 'in', targets: [{ node: 'inner' }] }],
      outputs: [{ id: 'ok', sources: [{ node: 'inner', port: 'ok' }] }, { id: 'rejected', sources: [{ node: 'inner', port: 'rejected' }] }],
      nodes: [n('inner', 'subflow', subflowConfig(name, 1, def) as unknown as Record<string, unknown>)],
      edges: [],
    };
  }
  return def;
}

describe('a sub-flow using another sub-flow', () => {
  it('is valid, and expands recursively with ids namespaced by each level', () => {
    const doc = flowNesting();
    expect(validateFlow(doc, catalog, evaluator)).toEqual([]);
    const expanded = expandSubflows(doc);
    expect(expanded.nodes.map((x) => x.id)).toEqual(['in', 'vat/stamp', 'vat/vat/normalise', 'vat/vat/has-vat', 'post', 'reject']);
    expect(expanded.nodes[2]).toMatchObject({ label: 'invoice-intake › vat-check › normalise', position: { x: 480, y: 0 } });
    expect(expanded.edges.map((x) => `${x.source}.${x.sourceHandle ?? 'out'}>${x.target}`)).toEqual([
      'vat/vat/normalise.out>vat/vat/has-vat',
      'vat/stamp.out>vat/vat/normalise',
      'in.out>vat/stamp',
      'vat/vat/has-vat.ok>post',
      'vat/vat/has-vat.default>reject',
    ]);
  });

  it('checks the inner sub-flow\'s nodes, pointing into both pinned copies', () => {
    const problems = validateFlow(flowNesting(intakeDefinition(1, vatCheckDefinition('$round('))), catalog, evaluator);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'expression-syntax', path: '/nodes/1/config/nodes/1/config/nodes/0/config/expression', nodeId: 'vat' });
    expect(problems[0].message).toMatch(/^Sub-flow 'invoice-intake' v1 \(node 'vat'\): Sub-flow 'vat-check' v1 \(node 'vat'\): Node 'normalise'/);
  });

  it('refuses a cycle (A uses B uses A), naming the chain, at validation and at expansion', () => {
    // `vat-check` here uses `invoice-intake` back.
    const usesBack: SubflowDefinition = {
      inputs: [{ id: 'in', targets: [{ node: 'back' }] }],
      outputs: [{ id: 'ok', sources: [{ node: 'back', port: 'ok' }] }, { id: 'rejected', sources: [{ node: 'back', port: 'rejected' }] }],
      nodes: [n('back', 'subflow', subflowConfig('invoice-intake', 1, intakeDefinition()) as unknown as Record<string, unknown>)],
      edges: [],
    };
    const doc = flowNesting(intakeDefinition(1, usesBack));
    const problems = validateFlow(doc, catalog, evaluator);
    expect(problems.map((p) => [p.code, p.path, p.nodeId])).toEqual([['cycle', '/nodes/1/config/nodes/1/config/nodes/0/config/name', 'vat']]);
    expect(problems[0].message).toContain("Sub-flow 'invoice-intake' uses itself: invoice-intake → vat-check → invoice-intake");
    // Saving `vat-check` as a version that uses `invoice-intake`, which uses `vat-check`.
    const saved = subflowProblems('vat-check', usesBack, catalog, evaluator);
    expect(saved.map((p) => [p.code, p.path])).toEqual([['cycle', '/nodes/0/config/nodes/1/config/name']]);
    expect(saved[0].message).toContain('vat-check → invoice-intake → vat-check');
    expect(() => expandSubflows(doc)).toThrow(/uses itself: invoice-intake → vat-check → invoice-intake/);
  });

  it(`allows ${MAX_SUBFLOW_DEPTH} levels and refuses one more`, () => {
    const at = (depth: number) => {
      const doc = flowUsing('f', 1);
      doc.nodes[1] = { ...doc.nodes[1], config: subflowConfig('level-1', 1, chainOf(depth)) as unknown as Record<string, unknown> };
      return doc;
    };
    expect(validateFlow(at(MAX_SUBFLOW_DEPTH), catalog, evaluator)).toEqual([]);
    expect(expandSubflows(at(MAX_SUBFLOW_DEPTH)).nodes.map((x) => x.id)).toContain(`vat${'/inner'.repeat(MAX_SUBFLOW_DEPTH - 1)}/normalise`);
    const deep = validateFlow(at(MAX_SUBFLOW_DEPTH + 1), catalog, evaluator);
    expect(deep).toHaveLength(1);
    expect(deep[0].message).toContain(`nested more than ${MAX_SUBFLOW_DEPTH} deep: level-1 → level-2 → level-3 → level-4 → level-5 → vat-check`);
    expect(() => expandSubflows(at(MAX_SUBFLOW_DEPTH + 1))).toThrow(/more than 5 deep/);
  });

  it('lists every pinned copy with the sub-flows it sits in', () => {
    expect(pinnedSubflows(flowNesting().nodes).map((p) => [p.path, p.config.name, p.config.version, p.via.join('›'), p.outerNodeId])).toEqual([
      ['/nodes/1', 'invoice-intake', 1, '', 'vat'],
      ['/nodes/1/config/nodes/1', 'vat-check', 1, 'invoice-intake', 'vat'],
    ]);
  });

  it('shows a change of the inner sub-flow in the using flow\'s diff', () => {
    const before = flowNesting();
    const after = flowNesting(intakeDefinition(2, vatCheckDefinition('$string($round($number(amount), 0))')));
    const diff = diffFlows(before, after, { from: 'v1', to: 'v2' }, { catalog });
    expect(diff.summary).toMatchObject({ nodesChanged: 1, layoutOnly: false });
    const lines = describeDiff(diff);
    expect(lines.some((l) => /nodes\[1\]\.config\.version.*1 → 2/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('nodes[1].config.nodes[0].config.expression'))).toBe(true);
  });

  it('can be grouped: selected nodes holding a sub-flow node save as a sub-flow using it', () => {
    const doc = flowUsing('f', 1);
    const flat = { ...doc, nodes: [doc.nodes[0], n('stamp', 'transform.jsonata', { expression: '$' }), doc.nodes[1], doc.nodes[2], doc.nodes[3]], edges: [e('in', 'stamp'), e('stamp', 'vat'), ...doc.edges.slice(1)] };
    const grouping = groupAsSubflow(flat, ['stamp', 'vat'], (t) => catalog.get(t)?.category === 'source');
    if (!grouping.ok) throw new Error(grouping.reason);
    expect(grouping.definition.outputs.map((o) => o.id)).toEqual(['ok', 'rejected']);
    expect(subflowProblems('invoice-intake', grouping.definition, catalog, evaluator)).toEqual([]);
  });
});

describe('connections a nested sub-flow needs', () => {
  it('names those of the sub-flows it uses too', () => {
    const vat = vatCheckDefinition();
    vat.nodes.push(n('log', 'target.postgres', { connection: 'audit', table: 'vat_log', mode: 'insert', keyColumns: ['id'], columns: { id: 'id' }, idempotencyKey: 'id' }));
    expect(connectionsUsed(intakeDefinition(1, vat))).toEqual(['audit']);
  });
});
