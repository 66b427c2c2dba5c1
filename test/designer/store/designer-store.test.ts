import { describe, expect, it, vi } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { createDesignerStore } from '../../../designer/store/designer-store.ts';
import { validateOnMainThread } from '../../../designer/store/main-thread-validator.ts';
import { copySelection, pasteClipboard, parseClipboardText } from '../../../designer/store/clipboard.ts';
import { sampleFlow } from '../flow-fixture.ts';

function storeWithFlow() {
  const store = createDesignerStore({ problemsDelayMs: 0, validate: validateOnMainThread });
  store.getState().loadDocument(sampleFlow());
  return store;
}

describe('document history', () => {
  it('undoes and redoes edits in order', () => {
    const store = storeWithFlow();
    const s = () => store.getState();
    const id = s().addNode('transform.jsonata', { x: 10, y: 10 })!;
    expect(id).toBe('jsonata-1');
    s().updateNode(id, { label: 'Renamed' });
    expect(s().document!.nodes.at(-1)!.label).toBe('Renamed');
    s().undo();
    expect(s().document!.nodes.at(-1)!.label).toBeUndefined();
    s().undo();
    expect(s().document!.nodes.map((n) => n.id)).toEqual(['read', 'map', 'check', 'post']);
    s().undo(); // nothing left: no change
    expect(s().document!.nodes).toHaveLength(4);
    s().redo();
    s().redo();
    expect(s().document!.nodes.at(-1)).toMatchObject({ id: 'jsonata-1', label: 'Renamed', config: { expression: '$', fanOut: true } });
  });

  it('a new edit clears redo', () => {
    const store = storeWithFlow();
    const s = () => store.getState();
    s().removeElements(['check'], []);
    s().undo();
    s().updateNode('map', { label: 'x' });
    s().redo();
    expect(s().document!.nodes.some((n) => n.id === 'check')).toBe(true);
  });

  it('records a whole drag as one step', () => {
    const store = storeWithFlow();
    const s = () => store.getState();
    for (let i = 1; i <= 5; i++) s().moveNodes([{ id: 'map', position: { x: 250 + i, y: i } }], 'drag');
    s().moveNodes([], 'end');
    expect(s().history.past).toHaveLength(1);
    s().undo();
    expect(s().document!.nodes[1].position).toEqual({ x: 250, y: 0 });
  });

  it('deleting a node removes its edges and its mapping tests', () => {
    const store = storeWithFlow();
    store.getState().change((d) => ({ ...d, tests: [{ name: 't', node: 'map', input: {}, expected: {} }] }));
    store.getState().removeElements(['map'], []);
    const doc = store.getState().document!;
    expect(doc.edges.map((e) => e.id)).toEqual(['e3']);
    expect(doc.tests).toEqual([]);
  });

  it('connect refuses cycles and adds valid edges', () => {
    const store = storeWithFlow();
    expect(store.getState().connect({ source: 'check', sourceHandle: 'invalid', target: 'map' }).ok).toBe(false);
    expect(store.getState().connect({ source: 'check', sourceHandle: 'invalid', target: 'post', targetHandle: 'in' }).ok).toBe(true);
    expect(store.getState().document!.edges.at(-1)).toEqual({ id: 'e-check-post', source: 'check', sourceHandle: 'invalid', target: 'post', targetHandle: 'in' });
  });
});

describe('problems', () => {
  it('are recomputed from the document with validateFlow', () => {
    const store = storeWithFlow();
    expect(store.getState().problems.filter((p) => p.nodeId === 'map')).toEqual([]);
    store.getState().updateNodeConfig('map', { expression: '{ "a": ' });
    const map = store.getState().problemsByNode.get('map') ?? [];
    expect(map.some((p) => p.code === 'expression-syntax')).toBe(true);
  });

  it('of a flow as opened are the server\'s, taken without a check on the page; the first edit is checked', async () => {
    vi.useFakeTimers();
    try {
      const checked: FlowDocument[] = [];
      const store = createDesignerStore({ validate: (doc) => (checked.push(doc), validateOnMainThread(doc)) });
      const doc = sampleFlow();
      const fromServer = [{ code: 'schema' as const, path: '/nodes/0/config/schema', message: 'The JSON Schema is not valid', nodeId: 'map' }];
      store.getState().loadDocument(doc, 1);
      store.getState().takeProblems(doc, fromServer);
      await vi.runAllTimersAsync();
      expect(store.getState().problemsByNode.get('map')).toEqual(fromServer);
      store.getState().moveNodes([{ id: 'map', position: { x: 5, y: 5 } }], 'once');
      await vi.runAllTimersAsync();
      expect(checked).toEqual([]);
      store.getState().updateNodeConfig('map', { expression: '{ "a": ' });
      await vi.runAllTimersAsync();
      expect(checked).toHaveLength(1);
      expect((store.getState().problemsByNode.get('map') ?? []).map((p) => p.code)).toContain('expression-syntax');
    } finally {
      vi.useRealTimers();
    }
  });

  it('sent for another document than the one shown are not taken', () => {
    const store = storeWithFlow();
    store.getState().takeProblems(sampleFlow(), [{ code: 'schema', path: '', message: 'stale' }]);
    expect(store.getState().problems.map((p) => p.message)).not.toContain('stale');
  });
});

describe('clipboard', () => {
  it('copies the selected nodes with the edges between them only', () => {
    const clip = copySelection(sampleFlow(), ['map', 'check'])!;
    expect(clip.nodes.map((n) => n.id)).toEqual(['map', 'check']);
    expect(clip.edges.map((e) => e.id)).toEqual(['e2']);
    expect(parseClipboardText(JSON.stringify(clip))).toEqual(clip);
    expect(parseClipboardText('hello')).toBeNull();
  });

  it('pastes with fresh ids, re-pointed edges and an offset', () => {
    const doc = sampleFlow();
    const clip = copySelection(doc, ['map', 'check'])!;
    const { document, nodeIds, edgeIds } = pasteClipboard(doc, clip, { x: 40, y: 40 });
    expect(nodeIds).toEqual(['map-1', 'check-1']);
    const pastedEdge = document.edges.find((e) => e.id === edgeIds[0])!;
    expect(pastedEdge).toMatchObject({ source: 'map-1', target: 'check-1' });
    expect(document.nodes.find((n) => n.id === 'map-1')!.position).toEqual({ x: 290, y: 40 });
    // The original is untouched and the copy is independent.
    expect(document.nodes.find((n) => n.id === 'map-1')!.config).not.toBe(doc.nodes[1].config);
    const again = pasteClipboard(document, clip);
    expect(again.nodeIds).toEqual(['map-2', 'check-2']);
    expect(new Set(again.document.nodes.map((n) => n.id)).size).toBe(again.document.nodes.length);
  });

  it('store paste selects the pasted nodes and can be undone', () => {
    const store = storeWithFlow();
    const s = () => store.getState();
    s().select(['map']);
    s().copy();
    const ids = s().paste();
    expect(s().selectedNodeIds).toEqual(ids);
    expect(s().document!.nodes).toHaveLength(5);
    s().undo();
    expect(s().document!.nodes).toHaveLength(4);
  });
});

describe('selection and history', () => {
  it('undo drops selected nodes that no longer exist', () => {
    const store = createDesignerStore({ problemsDelayMs: 0, validate: validateOnMainThread });
    store.getState().loadDocument(sampleFlow());
    const id = store.getState().addNode('target.http', { x: 0, y: 0 })!;
    expect(store.getState().selectedNodeIds).toEqual([id]);
    store.getState().undo();
    expect(store.getState().selectedNodeIds).toEqual([]);
  });
});

describe('undo steps', () => {
  it('typing in one field within a second is one undo step; another field starts a new one', () => {
    let t = 0;
    const store = createDesignerStore({ problemsDelayMs: 0, validate: validateOnMainThread, now: () => t });
    store.getState().loadDocument(sampleFlow());
    const s = () => store.getState();
    for (const expr of ['{ "id": I', '{ "id": ID', '{ "id": ID }']) {
      t += 200;
      s().updateNodeConfig('map', { expression: expr });
    }
    t += 200;
    s().updateNode('map', { label: 'New label' });
    t += 5000;
    s().updateNodeConfig('map', { expression: '$' });
    expect(s().history.past).toHaveLength(3);
    s().undo();
    expect(s().document!.nodes[1].config.expression).toBe('{ "id": ID }');
    expect(s().document!.nodes[1].label).toBe('New label');
    s().undo();
    expect(s().document!.nodes[1]).toMatchObject({ label: 'To AP', config: { expression: '{ "id": ID }' } });
    s().undo();
    expect(s().document!.nodes[1]).toEqual(sampleFlow().nodes[1]);
  });
});
