import { describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { checkConnection, portsOf, wouldCreateCycle } from '../../../designer/canvas/connection-rules.ts';
import { sampleFlow } from '../flow-fixture.ts';

describe('wouldCreateCycle', () => {
  const edges = [
    { source: 'a', target: 'b' },
    { source: 'b', target: 'c' },
    { source: 'x', target: 'c' },
  ];
  it('finds a loop back to the start', () => {
    expect(wouldCreateCycle(edges, 'c', 'a')).toBe(true);
    expect(wouldCreateCycle(edges, 'c', 'b')).toBe(true);
  });
  it('treats a self edge as a cycle', () => {
    expect(wouldCreateCycle(edges, 'a', 'a')).toBe(true);
  });
  it('allows edges that keep the graph acyclic', () => {
    expect(wouldCreateCycle(edges, 'a', 'c')).toBe(false);
    expect(wouldCreateCycle(edges, 'x', 'b')).toBe(false);
    expect(wouldCreateCycle([], 'a', 'b')).toBe(false);
  });
});

describe('checkConnection', () => {
  const doc = sampleFlow();
  it('accepts a valid new connection', () => {
    expect(checkConnection(doc, { source: 'check', sourceHandle: 'invalid', target: 'post', targetHandle: 'in' }, catalog)).toEqual({ ok: true });
  });
  it('refuses a cycle', () => {
    const v = checkConnection(doc, { source: 'check', sourceHandle: 'invalid', target: 'map', targetHandle: 'in' }, catalog);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/loop/);
  });
  it('refuses connecting into a source; a target connects onward by its out port (record + answer), not by another', () => {
    const intoSource = checkConnection(doc, { source: 'map', sourceHandle: 'out', target: 'read' }, catalog);
    expect(intoSource.ok === false && intoSource.reason).toMatch(/is a source/);
    const withWriteBack = { ...doc, nodes: [...doc.nodes, { id: 'back', type: 'transform.jsonata', typeVersion: 1, position: { x: 1000, y: 0 }, config: { expression: 'response' } }] };
    expect(checkConnection(withWriteBack, { source: 'post', sourceHandle: 'out', target: 'back', targetHandle: 'in' }, catalog)).toEqual({ ok: true });
    const otherPort = checkConnection(withWriteBack, { source: 'post', sourceHandle: 'valid', target: 'back' }, catalog);
    expect(otherPort.ok === false && otherPort.reason).toMatch(/no output 'valid'/);
    // Back into the flow before it: a loop.
    const loop = checkConnection(doc, { source: 'post', sourceHandle: 'out', target: 'check' }, catalog);
    expect(loop.ok === false && loop.reason).toMatch(/loop/);
  });
  it('refuses ports a node does not have', () => {
    const v = checkConnection(doc, { source: 'map', sourceHandle: 'valid', target: 'post', targetHandle: 'in' }, catalog);
    expect(v.ok === false && v.reason).toMatch(/no output 'valid'/);
    const w = checkConnection(doc, { source: 'check', sourceHandle: 'invalid', target: 'post', targetHandle: 'records' }, catalog);
    expect(w.ok === false && w.reason).toMatch(/no input 'records'/);
  });
  it('refuses a duplicate edge, counting absent handles as the default ports', () => {
    const v = checkConnection(doc, { source: 'map', sourceHandle: 'out', target: 'check', targetHandle: 'in' }, catalog);
    expect(v.ok === false && v.reason).toMatch(/already connected/);
  });
  it('reads config-dependent outputs (route ports)', () => {
    const route = { id: 'r', type: 'route.condition', typeVersion: 1, position: { x: 0, y: 0 }, config: { routes: [{ port: 'de', condition: 'x' }], defaultPort: null } };
    expect(portsOf(route, catalog).outputs.map((p) => p.id)).toEqual(['de']);
    const withRoute = { ...doc, nodes: [...doc.nodes, route], edges: [...doc.edges, { id: 'e9', source: 'map', target: 'r' }] };
    expect(checkConnection(withRoute, { source: 'r', sourceHandle: 'de', target: 'post', targetHandle: 'in' }, catalog).ok).toBe(true);
    expect(checkConnection(withRoute, { source: 'r', sourceHandle: 'default', target: 'post', targetHandle: 'in' }, catalog).ok).toBe(false);
  });
});
