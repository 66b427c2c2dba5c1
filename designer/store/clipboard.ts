/**
 * Copy and paste of parts of a flow. Pasted nodes get fresh ids (edges are
 * re-pointed at them), so pasting twice, or into another flow, never clashes.
 */
import type { FlowDocument, FlowEdge, FlowNode } from '../../nodes/flow-document.ts';
import { uniqueEdgeId, uniqueId, idStem } from '../canvas/node-ids.ts';

export interface ClipboardContent {
  kind: 'ledgerflow/nodes';
  nodes: FlowNode[];
  /** Only edges whose both ends are among `nodes`. */
  edges: FlowEdge[];
}

/** The selected nodes and the edges between them, deep-copied. */
export function copySelection(doc: FlowDocument, nodeIds: readonly string[]): ClipboardContent | null {
  const ids = new Set(nodeIds);
  const nodes = doc.nodes.filter((n) => ids.has(n.id));
  if (nodes.length === 0) return null;
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return structuredClone({ kind: 'ledgerflow/nodes', nodes, edges });
}

/** Reads clipboard text written by `copySelection` (e.g. from another tab); null when it is something else. */
export function parseClipboardText(text: string): ClipboardContent | null {
  try {
    const value = JSON.parse(text) as ClipboardContent;
    if (value?.kind !== 'ledgerflow/nodes' || !Array.isArray(value.nodes) || !Array.isArray(value.edges)) return null;
    return value;
  } catch {
    return null;
  }
}

/** Adds the clipboard's nodes at an offset, with new ids; returns the new document and the pasted ids. */
export function pasteClipboard(
  doc: FlowDocument,
  clip: ClipboardContent,
  offset: { x: number; y: number } = { x: 40, y: 40 },
): { document: FlowDocument; nodeIds: string[]; edgeIds: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const idMap = new Map<string, string>();
  const nodes: FlowNode[] = clip.nodes.map((n) => {
    const stem = n.id.replace(/-\d+$/, '') || idStem(n.type);
    const id = taken.has(n.id) ? uniqueId(stem, taken) : n.id;
    taken.add(id);
    idMap.set(n.id, id);
    return { ...structuredClone(n), id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
  });
  const edgeIds = new Set<string>();
  const edges: FlowEdge[] = [];
  for (const e of clip.edges) {
    const source = idMap.get(e.source);
    const target = idMap.get(e.target);
    if (!source || !target) continue;
    const id = uniqueEdgeId(doc, source, target, edgeIds);
    edgeIds.add(id);
    edges.push({ ...e, id, source, target });
  }
  return {
    document: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] },
    nodeIds: nodes.map((n) => n.id),
    edgeIds: [...edgeIds],
  };
}
