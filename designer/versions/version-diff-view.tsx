/** A visual diff of two versions (or a version and the draft) on the canvas, with the changes listed beside it. */
import { useEffect, useMemo, useState } from 'react';
import { Background, BackgroundVariant, Controls, ReactFlow } from '@xyflow/react';
import { catalog } from '../../nodes/catalog.ts';
import { diffFlows, describeDiff, type FlowDiff } from '../../nodes/flow-diff.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { errorMessage } from '../api-client.ts';
import { NODE_TYPES_FOR_RF } from '../canvas/flow-node-card.tsx';
import { useEditor } from '../editor-context.tsx';
import { useDesignerStoreApi } from '../store/store-context.tsx';
import type { VersionDiffView as View } from '../store/ui-slice.ts';
import { diffCanvas } from './diff-canvas-model.ts';
import { DiffChanges } from './diff-changes.tsx';

const label = (v: number | 'draft') => (v === 'draft' ? 'draft' : `v${v}`);

export default function VersionDiffView({ view }: { view: View }) {
  const store = useDesignerStoreApi();
  const { api, flowId } = useEditor();
  const [docs, setDocs] = useState<{ from: FlowDocument; to: FlowDocument } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [focus, setFocus] = useState<string | null>(null);

  useEffect(() => {
    const load = (v: number | 'draft') => (v === 'draft' ? Promise.resolve(store.getState().document!) : api.getVersion(flowId, v).then((r) => r.document));
    Promise.all([load(view.from), load(view.to)]).then(([from, to]) => setDocs({ from, to }), (err) => setError(errorMessage(err)));
  }, [api, flowId, view.from, view.to, store]);

  const diff: FlowDiff | null = useMemo(() => (docs ? diffFlows(docs.from, docs.to, { from: label(view.from), to: label(view.to) }, { catalog }) : null), [docs, view]);
  const canvas = useMemo(() => (docs && diff ? diffCanvas(docs.from, docs.to, diff) : null), [docs, diff]);
  const nodes = useMemo(() => canvas?.nodes.map((n) => (n.id === focus ? { ...n, selected: true } : n)) ?? [], [canvas, focus]);
  const close = () => store.getState().showDiff(null);

  return (
    <div className="diff-view">
      <div className="diff-header">
        <strong>Changes from {label(view.from)} to {label(view.to)}</strong>
        {diff && (
          <span className="diff-chips">
            <span className="chip chip-added">+{diff.summary.nodesAdded} nodes</span>
            <span className="chip chip-removed">−{diff.summary.nodesRemoved} nodes</span>
            <span className="chip chip-changed">{diff.summary.nodesChanged} changed</span>
            <span className="chip">{diff.summary.edgesAdded + diff.summary.edgesRemoved} connections</span>
            {diff.layout.length > 0 && <span className="chip">{diff.layout.length} moved</span>}
          </span>
        )}
        <span className="spacer" />
        <span className="diff-legend"><i className="lg-added" />added <i className="lg-removed" />removed <i className="lg-changed" />changed <i className="lg-moved" />moved</span>
        <button type="button" className="btn btn-small" onClick={close}>Close diff</button>
      </div>
      {error && <div className="callout callout-error">{error}</div>}
      {!docs && !error && <div className="empty-panel"><div className="spinner" /></div>}
      {canvas && diff && (
        <div className="diff-body">
          <div className="canvas diff-canvas">
            <ReactFlow nodes={nodes} edges={canvas.edges} nodeTypes={NODE_TYPES_FOR_RF} nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} fitView fitViewOptions={{ padding: 0.2, maxZoom: 1 }} minZoom={0.1} onNodeClick={(_, n) => setFocus(n.id)}>
              <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cbd5e1" />
              <Controls showInteractive={false} />
            </ReactFlow>
          </div>
          <DiffChanges diff={diff} summary={describeDiff(diff)} focus={focus} onFocus={setFocus} />
        </div>
      )}
    </div>
  );
}
