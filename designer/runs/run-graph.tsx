/**
 * The flow graph of the exact version that ran, read-only, drawn with the
 * designer's own node cards; each card shows the run's in/out/invalid/error
 * counts (the cards read them from a designer store, as after a test run).
 */
import { useMemo, useState } from 'react';
import { Background, BackgroundVariant, Controls, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { FlowDocument, NodeStats } from '../../runtime/api/contract/schemas.ts';
import { NODE_TYPES_FOR_RF } from '../canvas/flow-node-card.tsx';
import { toRfEdge, toRfNode } from '../canvas/rf-mapping.ts';
import { createDesignerStore } from '../store/designer-store.ts';
import { DesignerStoreProvider } from '../store/store-context.tsx';

export function RunGraph({ document, stats, selected, onSelect }: { document: FlowDocument; stats: NodeStats[]; selected?: string | null; onSelect?: (nodeId: string | null) => void }) {
  const [store] = useState(() => createDesignerStore());
  useMemo(() => {
    store.getState().setTestRun({
      status: 'done', revision: 0, at: Date.now(),
      result: { status: 'succeeded', counts: { read: 0, delivered: 0, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 }, reconciliation: null, nodes: stats, outputs: {}, records: [] },
    });
  }, [store, stats]);
  const nodes = useMemo(() => document.nodes.map((n) => toRfNode(n, n.id === selected)), [document, selected]);
  const invalidSources = useMemo(() => new Set(stats.filter((s) => s.invalid > 0).map((s) => s.nodeId)), [stats]);
  const edges = useMemo(() => document.edges.map((e) => {
    const edge = toRfEdge(e);
    return e.sourceHandle === 'invalid' && invalidSources.has(e.source) ? { ...edge, className: 'edge-from-invalid' } : edge;
  }), [document, invalidSources]);
  return (
    <DesignerStoreProvider store={store}>
      <div className="canvas run-canvas" data-testid="run-graph">
        <ReactFlow
          nodes={nodes} edges={edges} nodeTypes={NODE_TYPES_FOR_RF}
          nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} edgesFocusable={false}
          fitView fitViewOptions={{ padding: 0.15, maxZoom: 1 }} minZoom={0.1}
          onNodeClick={(_, n) => onSelect?.(n.id === selected ? null : n.id)} onPaneClick={() => onSelect?.(null)}
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cbd5e1" />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </DesignerStoreProvider>
  );
}
