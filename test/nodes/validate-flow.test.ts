import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.ts';
import { createReferenceEvaluator } from '../../nodes/expression/jsonata-evaluator.ts';
import type { FlowDocument, FlowEdge, FlowNode } from '../../nodes/flow-document.ts';
import { validateFlow } from '../../nodes/validate-flow.ts';

const evaluator = createReferenceEvaluator();
const n = (id: string, type: string, config: Record<string, unknown> = {}, typeVersion = 1): FlowNode => ({ id, type, typeVersion, position: { x: 0, y: 0 }, config });
const e = (source: string, target: string, sourceHandle?: string): FlowEdge => ({ id: `${source}>${target}${sourceHandle ? `:${sourceHandle}` : ''}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) });

function flow(nodes: FlowNode[], edges: FlowEdge[], extra: Partial<FlowDocument> = {}): FlowDocument {
  return { id: 'f', name: 'F', nodes, edges, connections: { db: { kind: 'postgres' } }, ...extra };
}
const target = (id: string, extra: Record<string, unknown> = {}) => n(id, 'target.postgres', { connection: 'db', table: 't', mode: 'insert', keyColumns: [], columns: { id: 'id' }, ...extra });
const codes = (doc: unknown) => validateFlow(doc, catalog, evaluator).map((p) => `${p.code}@${p.nodeId ?? p.path}`).sort();

describe('validateFlow', () => {
  const valid = flow(
    [n('src', 'source.webhook'), n('map', 'transform.jsonata', { expression: '{ "id": id }' }), target('out')],
    [e('src', 'map'), e('map', 'out')],
  );

  it('accepts a well-formed flow', () => {
    expect(validateFlow(valid, catalog, evaluator)).toEqual([]);
  });

  it.each([
    ['unknown node type', flow([...valid.nodes, n('x', 'transform.magic')], [...valid.edges, e('map', 'x')]), ['unknown-node-type@x']],
    ['a cycle', flow([n('src', 'source.webhook'), n('a', 'transform.jsonata', { expression: 'x' }), n('b', 'transform.jsonata', { expression: 'x' }), target('out')],
      [e('src', 'a'), e('a', 'b'), e('b', 'a'), e('b', 'out')]), ['cycle@a']],
    ['a dangling edge', flow(valid.nodes, [...valid.edges, e('map', 'ghost')]), ['dangling-edge@/edges/2/target']],
    ['an unreachable node', flow([...valid.nodes, n('lonely', 'transform.jsonata', { expression: 'x' }), target('out2')], [...valid.edges, e('lonely', 'out2')]),
      ['unconnected-port@lonely', 'unreachable-node@lonely', 'unreachable-node@out2']],
    ['an unconnected required output', flow([n('src', 'source.webhook'), n('map', 'transform.jsonata', { expression: 'x' })], [e('src', 'map')]), ['unconnected-port@map']],
    ['a port the node does not have', flow(valid.nodes, [e('src', 'map'), e('map', 'out', 'valid')]), ['unknown-port@map']],
    ['a target without idempotency key', flow([valid.nodes[0], valid.nodes[1], target('out', { idempotencyKey: ' ' })], valid.edges), ['missing-idempotency-key@out']],
    ['a JSONata syntax error', flow([valid.nodes[0], n('map', 'transform.jsonata', { expression: '$sum(' }), valid.nodes[2]], valid.edges), ['expression-syntax@map']],
    ['config failing the type schema', flow([valid.nodes[0], valid.nodes[1], target('out', { mode: 'merge' })], valid.edges), ['invalid-config@out']],
    ['a node written for a newer type version', flow([valid.nodes[0], n('map', 'transform.jsonata', { expression: 'x' }, 9), valid.nodes[2]], valid.edges), ['newer-node-version@map']],
    ['an undeclared connection', flow([valid.nodes[0], valid.nodes[1], target('out', { connection: 'erp' })], valid.edges), ['unknown-connection@out']],
    ['no source at all', flow([n('map', 'transform.jsonata', { expression: 'x' }), target('out')], [e('map', 'out')]), ['no-source@/nodes', 'unconnected-port@map']],
    ['a bad flow-level business key', { ...valid, businessKey: 'Invoice.[' }, ['expression-syntax@/businessKey']],
  ])('reports %s', (_name, doc, expected) => {
    expect(codes(doc)).toEqual([...expected].sort());
  });

  it('reports every problem at once, each with a JSON path', () => {
    const doc = flow(
      [n('src', 'source.webhook'), n('map', 'transform.jsonata', { expression: '$sum(' }), target('out', { idempotencyKey: '' }), n('x', 'nope')],
      [e('src', 'map'), e('map', 'out'), e('out', 'ghost')],
    );
    const problems = validateFlow(doc, catalog, evaluator);
    expect(problems.map((p) => p.code).sort()).toEqual(['dangling-edge', 'expression-syntax', 'missing-idempotency-key', 'unknown-node-type']);
    const syntax = problems.find((p) => p.code === 'expression-syntax')!;
    expect(syntax).toMatchObject({ path: '/nodes/1/config/expression', nodeId: 'map', position: 5 });
    for (const p of problems) expect(p.path).toMatch(/^\//);
  });

  it('rejects documents that are not flows, naming the field', () => {
    const problems = validateFlow({ id: 'Bad Id!', nodes: 'none' }, catalog, evaluator);
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['/id', '/name', '/nodes', '/edges']));
  });
});
