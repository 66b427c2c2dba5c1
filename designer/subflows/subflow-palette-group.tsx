/** The palette's Sub-flows group: the stored sub-flows at their latest version, added by drag, double-click or Enter. */
import { useEffect, useState, type DragEvent } from 'react';
import type { z } from 'zod';
import type { SubflowSummarySchema } from '../../runtime/api/contract/subflow-schemas.ts';
import { errorMessage } from '../api-client.ts';
import { useEditor } from '../editor-context.tsx';
import { useDesigner } from '../store/store-context.tsx';

type SubflowSummary = z.output<typeof SubflowSummarySchema>;

const COLOR = '#6366f1';

/** Dragged from the palette's Sub-flows group: the sub-flow's name. */
export const SUBFLOW_MIME = 'application/x-ledgerflow-subflow';

export function SubflowPaletteGroup({ query, onAdd, readOnly }: { query: string; onAdd: (name: string) => void; readOnly?: boolean }) {
  const { api } = useEditor();
  const stamp = useDesigner((s) => s.subflowsStamp);
  const [items, setItems] = useState<SubflowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.subflows().then((r) => live && setItems(r.items), (err) => live && setError(errorMessage(err)));
    return () => { live = false; };
  }, [api, stamp]);

  const q = query.trim().toLowerCase();
  const shown = (items ?? []).filter((s) => !q || `${s.name} ${s.description ?? ''} sub-flow`.toLowerCase().includes(q));
  if (q && shown.length === 0) return null;
  const onDragStart = (e: DragEvent, name: string) => {
    e.dataTransfer.setData(SUBFLOW_MIME, name);
    e.dataTransfer.effectAllowed = 'move';
  };

  return (
    <section className="palette-group" aria-label="Sub-flows">
      <h3 style={{ color: COLOR }}>Sub-flows</h3>
      {error && <p className="muted small">Sub-flows could not be listed: {error}</p>}
      {items && items.length === 0 && <p className="muted small palette-empty">None yet: select nodes on the canvas and choose “Save as sub-flow”.</p>}
      {shown.map((s) => (
        <button type="button" key={s.name} className="palette-item" draggable={!readOnly} disabled={readOnly}
          onDragStart={(e) => onDragStart(e, s.name)} onDoubleClick={() => onAdd(s.name)} onKeyDown={(e) => e.key === 'Enter' && onAdd(s.name)}
          title={`${s.description ?? s.name}\n\nVersion ${s.version}; used by ${s.usedBy.length} flow node(s). Drag onto the canvas, or double-click to add.`}
          data-testid={`palette-subflow-${s.name}`}>
          <span className="palette-glyph" style={{ background: COLOR }}>⧉</span>
          <span className="palette-text">
            <span className="palette-title">{s.name} <span className="muted">v{s.version}</span></span>
            <span className="palette-desc">{s.description || `${s.nodeCount} nodes`} · in: {s.inputs.join(', ')} · out: {s.outputs.join(', ') || 'none'}</span>
          </span>
        </button>
      ))}
    </section>
  );
}
