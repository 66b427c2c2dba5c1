/** The right-hand panel: the selected node's form, the selection, or the flow's settings. */
import { useDesigner, useDesignerShallow, useDesignerStoreApi } from '../store/store-context.tsx';
import { useEditor } from '../editor-context.tsx';
import { NodeInspector } from './node-inspector.tsx';
import { FlowSettings } from './flow-settings.tsx';

export function Inspector() {
  const nodeIds = useDesignerShallow((s) => s.selectedNodeIds.filter((id) => s.document?.nodes.some((n) => n.id === id)));
  const edgeIds = useDesigner((s) => s.selectedEdgeIds);
  const diffing = useDesigner((s) => s.diffView !== null);
  if (diffing) return null;
  let body;
  if (nodeIds.length === 1) body = <NodeInspector key={nodeIds[0]} nodeId={nodeIds[0]} />;
  else if (nodeIds.length > 1 || edgeIds.length > 0) body = <SelectionSummary nodes={nodeIds.length} edges={edgeIds.length} />;
  else body = <FlowSettings />;
  return <aside className="inspector" aria-label="Inspector">{body}</aside>;
}

function SelectionSummary({ nodes, edges }: { nodes: number; edges: number }) {
  const store = useDesignerStoreApi();
  const { readOnly } = useEditor();
  const parts = [nodes && `${nodes} node${nodes === 1 ? '' : 's'}`, edges && `${edges} connection${edges === 1 ? '' : 's'}`].filter(Boolean);
  return (
    <div className="inspector-section">
      <h2 className="inspector-title">{parts.join(' and ')} selected</h2>
      <p className="muted small">Select a single node to edit its settings.</p>
      {!readOnly && (
        <div className="button-row">
          {nodes > 0 && <button type="button" className="btn" onClick={() => { const s = store.getState(); if (s.copy()) s.paste(); }}>Duplicate</button>}
          {nodes > 0 && <button type="button" className="btn" onClick={() => store.getState().openDialog('save-subflow')} title="Save the selected nodes as a reusable sub-flow, used here and by other flows">Save as sub-flow…</button>}
          <button type="button" className="btn btn-danger" onClick={() => store.getState().deleteSelection()}>Delete</button>
        </div>
      )}
    </div>
  );
}
