/**
 * The one place where flow-document nodes and edges become React Flow nodes
 * and edges and back. The flow JSON already uses React Flow's field names, so
 * this is mostly moving `config`/`label` into `data`.
 *
 * `createRfProjector()` memoises per FlowNode object: an unchanged node keeps
 * the same React Flow node object, and a moved one the same `data`, so
 * dragging one node in a 300-node flow re-renders no card at all.
 */
import type { Edge, Node } from '@xyflow/react';
import type { FlowDocument, FlowEdge, FlowNode, RetryPolicy } from '../../nodes/flow-document.ts';

export interface FlowNodeData extends Record<string, unknown> {
  config: Record<string, unknown>;
  label?: string;
  typeVersion: number;
  retry?: RetryPolicy;
}

export type DesignerNode = Node<FlowNodeData>;
export type DesignerEdge = Edge;

/** A flow node as a React Flow node; `type` stays the catalog type id. */
export function toRfNode(node: FlowNode, selected = false): DesignerNode {
  const data: FlowNodeData = { config: node.config, typeVersion: node.typeVersion };
  if (node.label !== undefined) data.label = node.label;
  if (node.retry !== undefined) data.retry = node.retry;
  return { id: node.id, type: node.type, position: node.position, data, selected };
}

/** Back to the flow document's shape (no undefined fields, so JSON compares equal). */
export function fromRfNode(node: DesignerNode): FlowNode {
  // Key order as in flow files, so saved JSON diffs stay quiet.
  const out = { id: node.id, type: node.type ?? '', typeVersion: node.data.typeVersion, position: { x: node.position.x, y: node.position.y } } as FlowNode;
  if (node.data.label !== undefined) out.label = node.data.label;
  out.config = node.data.config;
  if (node.data.retry !== undefined) out.retry = node.data.retry;
  return out;
}

export function toRfEdge(edge: FlowEdge, selected = false): DesignerEdge {
  const out: DesignerEdge = { id: edge.id, source: edge.source, target: edge.target, selected };
  // Styled by the port it leaves (e.g. a dashed red line out of "invalid").
  if (edge.sourceHandle !== undefined) {
    out.sourceHandle = edge.sourceHandle;
    out.className = `edge-from-${edge.sourceHandle}`;
  }
  if (edge.targetHandle !== undefined) out.targetHandle = edge.targetHandle;
  return out;
}

export function fromRfEdge(edge: Pick<DesignerEdge, 'id' | 'source' | 'target' | 'sourceHandle' | 'targetHandle'>): FlowEdge {
  const out: FlowEdge = { id: edge.id, source: edge.source, target: edge.target };
  if (edge.sourceHandle != null) out.sourceHandle = edge.sourceHandle;
  if (edge.targetHandle != null) out.targetHandle = edge.targetHandle;
  return out;
}

export interface RfProjector {
  nodes(doc: FlowDocument, selected: ReadonlySet<string>): DesignerNode[];
  edges(doc: FlowDocument, selected: ReadonlySet<string>): DesignerEdge[];
  /**
   * Records the size React Flow measured, so node objects re-created later keep it. Unchanged
   * node objects need nothing: React Flow keeps its measurement while the object is the same.
   */
  measure(id: string, size: { width: number; height: number }): void;
}

type Size = { width: number; height: number };

const INITIAL_SIZE = { initialWidth: 244, initialHeight: 92 };

export interface RfProjectorOptions {
  /**
   * Size and handle positions for nodes React Flow has not measured yet: it then renders only
   * the nodes on screen (with `onlyRenderVisibleElements`) instead of all of them to measure them.
   */
  estimate?: (node: FlowNode) => { width: number; height: number; handles: NonNullable<DesignerNode['handles']> };
}

/** Memoised document → React Flow projection (see the module comment). */
export function createRfProjector(options: RfProjectorOptions = {}): RfProjector {
  const nodeCache = new WeakMap<FlowNode, { selected: boolean; size?: Size; rf: DesignerNode }>();
  // Keyed by config: a moved node is a new FlowNode object with the same content.
  const dataCache = new WeakMap<object, FlowNodeData>();
  const edgeCache = new WeakMap<FlowEdge, { selected: boolean; rf: DesignerEdge }>();
  const sizes = new Map<string, Size>();
  const sameData = (a: FlowNodeData, n: FlowNode) => a.typeVersion === n.typeVersion && a.label === n.label && a.retry === n.retry;
  return {
    nodes(doc, selected) {
      return doc.nodes.map((n) => {
        const isSelected = selected.has(n.id);
        const size = sizes.get(n.id);
        const hit = nodeCache.get(n);
        if (hit && hit.selected === isSelected && hit.size === size) return hit.rf;
        const rf = toRfNode(n, isSelected);
        // The same data object while the content is the same: the card does not re-render.
        if (typeof n.config === 'object' && n.config !== null) {
          const data = dataCache.get(n.config);
          if (data && sameData(data, n)) rf.data = data;
          else dataCache.set(n.config, rf.data);
        }
        if (size) rf.measured = size;
        else if (options.estimate) {
          const box = options.estimate(n);
          Object.assign(rf, { initialWidth: box.width, initialHeight: box.height, handles: box.handles });
        }
        // A size guess for React Flow's visibility test (it still renders each node once to measure it).
        else Object.assign(rf, INITIAL_SIZE);
        nodeCache.set(n, { selected: isSelected, size, rf });
        return rf;
      });
    },
    edges(doc, selected) {
      return doc.edges.map((e) => {
        const isSelected = selected.has(e.id);
        const hit = edgeCache.get(e);
        if (hit && hit.selected === isSelected) return hit.rf;
        const rf = toRfEdge(e, isSelected);
        edgeCache.set(e, { selected: isSelected, rf });
        return rf;
      });
    },
    measure(id, size) {
      const old = sizes.get(id);
      if (old && old.width === size.width && old.height === size.height) return;
      sizes.set(id, { width: size.width, height: size.height });
    },
  };
}
