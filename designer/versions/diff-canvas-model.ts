/**
 * The canvas of a version diff: the newer document's nodes and edges plus
 * the removed ones, each marked added / removed / changed / moved.
 */
import type { Edge } from '@xyflow/react';
import { DEFAULT_IN_PORT, DEFAULT_OUT_PORT, type FlowDocument } from '../../nodes/flow-document.ts';
import type { FlowDiff } from '../../nodes/flow-diff.ts';
import { toRfEdge, toRfNode, type DesignerNode } from '../canvas/rf-mapping.ts';

export type DiffMark = 'added' | 'removed' | 'changed' | 'moved' | 'same';

export function diffCanvas(from: FlowDocument, to: FlowDocument, diff: FlowDiff): { nodes: DesignerNode[]; edges: Edge[]; marks: Map<string, DiffMark> } {
  const marks = new Map<string, DiffMark>();
  for (const n of diff.nodes) marks.set(n.nodeId, n.kind);
  for (const m of diff.layout) if (!marks.has(m.nodeId)) marks.set(m.nodeId, 'moved');
  const nodes: DesignerNode[] = to.nodes.map((n) => ({ ...toRfNode(n), className: `diff-${marks.get(n.id) ?? 'same'}`, draggable: false, connectable: false }));
  for (const n of from.nodes) {
    if (marks.get(n.id) === 'removed') nodes.push({ ...toRfNode(n), className: 'diff-removed', draggable: false, connectable: false });
  }
  const key = (e: { source: string; sourceHandle?: string; target: string; targetHandle?: string }) =>
    `${e.source}|${e.sourceHandle ?? DEFAULT_OUT_PORT}|${e.target}|${e.targetHandle ?? DEFAULT_IN_PORT}`;
  const added = new Set(diff.edges.filter((e) => e.kind === 'added').map(key));
  const edges: Edge[] = to.edges.map((e) => ({ ...toRfEdge(e), className: added.has(key(e)) ? 'edge-added' : undefined, selectable: false }));
  for (const e of diff.edges) {
    if (e.kind === 'removed') edges.push({ id: `removed:${e.edgeId}`, source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle, className: 'edge-removed', selectable: false });
  }
  return { nodes, edges, marks };
}
