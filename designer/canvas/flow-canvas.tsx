/**
 * The editable canvas: React Flow bound to the designer store. The document
 * is the source of truth; React Flow sees a memoised projection of it.
 */
import { memo, useCallback, useMemo, useState, type DragEvent } from 'react';
import {
  Background, BackgroundVariant, ControlButton, Controls, MiniMap, ReactFlow, useReactFlow,
  type Connection, type EdgeChange, type FinalConnectionState, type Node, type NodeChange,
} from '@xyflow/react';
import { catalog } from '../../nodes/catalog.ts';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { CATEGORY_LOOK } from './categories.ts';
import { checkConnection } from './connection-rules.ts';
import { NODE_TYPES_FOR_RF } from './flow-node-card.tsx';
import { PALETTE_MIME } from './palette.tsx';
import { addSubflow } from '../subflows/add-subflow.ts';
import { SUBFLOW_MIME } from '../subflows/subflow-palette-group.tsx';
import { useEditor } from '../editor-context.tsx';
import { createRfProjector, type DesignerEdge, type DesignerNode } from './rf-mapping.ts';
import { initialViewport } from './initial-viewport.ts';
import { estimateNodeBox } from './node-box-estimate.ts';
import { useRevealWhenIdle } from '../shell/use-reveal-when-idle.ts';

// Props React Flow compares by identity are made once.
const INITIAL_FIT = { padding: 0.2, maxZoom: 1.1 };
const EDGE_OPTIONS = { interactionWidth: 16 };
const MINIMAP_STYLE = { width: 180, height: 120 };
const minimapColor = (n: Node) => CATEGORY_LOOK[catalog.get(n.type ?? '')?.category ?? 'transform']?.color ?? '#94a3b8';

export interface FlowCanvasProps {
  readOnly: boolean;
  onLayout: () => void;
}

/** Memoised: the editor around it re-renders when versions or the save status change; the canvas need not. */
export const FlowCanvas = memo(function FlowCanvas({ readOnly, onLayout }: FlowCanvasProps) {
  const store = useDesignerStoreApi();
  const { api } = useEditor();
  const doc = useDesigner((s) => s.document)!;
  const selectedNodeIds = useDesigner((s) => s.selectedNodeIds);
  const selectedEdgeIds = useDesigner((s) => s.selectedEdgeIds);
  // With the bottom drawer open the canvas is short; the minimap would cover the nodes.
  const drawerOpen = useDesigner((s) => s.drawer !== null);
  // The minimap draws every node of the flow (300 in a large one): drawn once the browser is idle after
  // the canvas's first frames, not in their renders, layouts and paints.
  const minimapReady = useRevealWhenIdle();
  const rf = useReactFlow<DesignerNode, DesignerEdge>();
  // Decided once, from the flow as opened.
  const [opening] = useState(() => initialViewport(doc));
  // A large flow opens on part of it: React Flow renders only what is on screen (see estimateNodeBox).
  const projector = useMemo(() => createRfProjector(opening ? { estimate: (n) => estimateNodeBox(n, catalog) } : {}), [opening]);

  const nodeSet = useMemo(() => new Set(selectedNodeIds), [selectedNodeIds]);
  const edgeSet = useMemo(() => new Set(selectedEdgeIds), [selectedEdgeIds]);
  const nodes = useMemo(() => projector.nodes(doc, nodeSet), [doc, nodeSet, projector]);
  const edges = useMemo(() => projector.edges(doc, edgeSet), [doc, edgeSet, projector]);

  const onNodesChange = useCallback((changes: NodeChange<DesignerNode>[]) => {
    const s = store.getState();
    const moves: { id: string; position: { x: number; y: number } }[] = [];
    let dragEnded = false;
    let selection: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'position') {
        if (c.position) moves.push({ id: c.id, position: c.position });
        if (c.dragging === false) dragEnded = true;
      } else if (c.type === 'dimensions' && c.dimensions) {
        // Not a re-render: React Flow already holds the size (see createRfProjector).
        projector.measure(c.id, c.dimensions);
      } else if (c.type === 'select') {
        selection ??= new Set(s.selectedNodeIds);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (!readOnly && (moves.length || dragEnded)) s.moveNodes(moves, dragEnded ? 'end' : 'drag');
    if (selection) s.select([...selection], s.selectedEdgeIds);
  }, [store, projector, readOnly]);

  const onEdgesChange = useCallback((changes: EdgeChange<DesignerEdge>[]) => {
    const s = store.getState();
    let selection: Set<string> | null = null;
    for (const c of changes) {
      if (c.type !== 'select') continue;
      selection ??= new Set(s.selectedEdgeIds);
      if (c.selected) selection.add(c.id);
      else selection.delete(c.id);
    }
    if (selection) s.select(s.selectedNodeIds, [...selection]);
  }, [store]);

  const isValidConnection = useCallback((c: Connection | DesignerEdge) => {
    const d = store.getState().document;
    return !!d && checkConnection(d, c, catalog).ok;
  }, [store]);

  const onConnect = useCallback((c: Connection) => {
    const verdict = store.getState().connect(c);
    if (!verdict.ok) store.getState().notify('error', verdict.reason);
  }, [store]);

  const onConnectEnd = useCallback((_e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    const d = store.getState().document;
    if (!d || state.isValid !== false || !state.fromHandle || !state.toHandle) return;
    const [from, to] = state.fromHandle.type === 'source' ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
    const verdict = checkConnection(d, { source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id }, catalog);
    if (!verdict.ok) store.getState().notify('error', verdict.reason);
  }, [store]);

  const onDrop = useCallback((e: DragEvent) => {
    const type = e.dataTransfer.getData(PALETTE_MIME);
    const subflow = e.dataTransfer.getData(SUBFLOW_MIME);
    if ((!type && !subflow) || readOnly) return;
    e.preventDefault();
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    const at = { x: Math.round(p.x - 120), y: Math.round(p.y - 30) };
    if (subflow) void addSubflow(store, api, subflow, at);
    else store.getState().addNode(type, at);
  }, [rf, store, api, readOnly]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME) || e.dataTransfer.types.includes(SUBFLOW_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
    }
  }, []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the drop zone for palette drags; React Flow handles the canvas's keyboard use
    <div className="canvas" onDrop={onDrop} onDragOver={onDragOver}>
      <ReactFlow<DesignerNode, DesignerEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES_FOR_RF}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode="Shift"
        onlyRenderVisibleElements
        fitView={opening === null}
        fitViewOptions={INITIAL_FIT}
        defaultViewport={opening ?? undefined}
        minZoom={0.1}
        maxZoom={2}
        defaultEdgeOptions={EDGE_OPTIONS}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cbd5e1" />
        {minimapReady && !drawerOpen && <MiniMap pannable zoomable style={MINIMAP_STYLE} nodeStrokeWidth={2} nodeColor={minimapColor} />}
        <Controls showInteractive={false}>
          {!readOnly && <ControlButton onClick={onLayout} title="Arrange automatically (Shift+L)" aria-label="Arrange automatically">⇶</ControlButton>}
        </Controls>
      </ReactFlow>
      {doc.nodes.length === 0 && (
        <div className="canvas-empty">
          <h2>Start with a source</h2>
          <p>Drag a <strong>source</strong> from the palette on the left — a file, a webhook or a database query — then add a map, checks and a target, and connect their ports.</p>
        </div>
      )}
    </div>
  );
});
