import { describe, expect, it } from 'vitest';
import { createRfProjector, fromRfEdge, fromRfNode, toRfEdge, toRfNode } from '../../../designer/canvas/rf-mapping.ts';
import { sampleFlow } from '../flow-fixture.ts';

describe('rf-mapping', () => {
  it('round-trips every node and edge of a flow exactly', () => {
    const doc = sampleFlow();
    for (const n of doc.nodes) expect(fromRfNode(toRfNode(n))).toEqual(n);
    for (const e of doc.edges) expect(fromRfEdge(toRfEdge(e))).toEqual(e);
    // No undefined keys sneak in (they would show up in saved JSON diffs).
    expect(JSON.stringify(doc.nodes.map((n) => fromRfNode(toRfNode(n))))).toBe(JSON.stringify(doc.nodes));
  });

  it('puts config and label into data and keeps the catalog type', () => {
    const rf = toRfNode(sampleFlow().nodes[1], true);
    expect(rf).toMatchObject({ id: 'map', type: 'transform.jsonata', selected: true, data: { label: 'To AP', config: { expression: '{ "id": ID }' } } });
  });

  it('turns React Flow null handles into absent fields', () => {
    expect(fromRfEdge({ id: 'x', source: 'a', target: 'b', sourceHandle: null, targetHandle: null })).toEqual({ id: 'x', source: 'a', target: 'b' });
  });

  it('reuses node objects that did not change and keeps measured sizes', () => {
    const projector = createRfProjector();
    const doc = sampleFlow();
    const first = projector.nodes(doc, new Set());
    projector.measure('post', { width: 220, height: 80 });
    const moved = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'map' ? { ...n, position: { x: 1, y: 2 } } : n)) };
    const second = projector.nodes(moved, new Set(['check']));
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1].position).toEqual({ x: 1, y: 2 });
    expect(second[2].selected).toBe(true);
    expect(second[3].measured).toEqual({ width: 220, height: 80 });
  });
});
