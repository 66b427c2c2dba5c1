/** The node palette, grouped by category and searchable; built from the catalog, with the stored sub-flows. */
import { useMemo, useState, type DragEvent } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import { NODE_CATEGORIES } from '../../nodes/define-node.ts';
import { SUBFLOW_TYPE } from '../../nodes/subflow/subflow.ts';
import { SubflowPaletteGroup } from '../subflows/subflow-palette-group.tsx';
import { CATEGORY_LOOK } from './categories.ts';

export const PALETTE_MIME = 'application/x-ledgerflow-node-type';

export function Palette({ onAdd, onAddSubflow, readOnly }: { onAdd: (type: string) => void; onAddSubflow: (name: string) => void; readOnly?: boolean }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    return NODE_CATEGORIES.map((category) => ({
      category,
      // A sub-flow node is added from the Sub-flows group (it pins a stored sub-flow), never empty.
      types: catalog.byCategory(category).filter((d) => d.type !== SUBFLOW_TYPE && (!q || `${d.title} ${d.description} ${d.type} ${category}`.toLowerCase().includes(q))),
    })).filter((g) => g.types.length > 0);
  }, [query]);

  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(PALETTE_MIME, type);
    e.dataTransfer.effectAllowed = 'move';
  };

  return (
    <aside className="palette" aria-label="Node palette">
      <div className="palette-search">
        <input type="search" placeholder="Search nodes" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search nodes" />
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the list scrolls; a read-only viewer has nothing else to focus in it */}
      <div className="palette-groups" tabIndex={0} role="region" aria-label="Node types">
        {groups.length === 0 && <p className="muted small palette-empty">No node type matches “{query}”.</p>}
        {groups.map(({ category, types }) => {
          const look = CATEGORY_LOOK[category];
          return (
            <section key={category} className="palette-group">
              <h3 style={{ color: look.ink }}>{look.heading}</h3>
              {types.map((d) => (
                <button type="button"
                  key={d.type}
                  className="palette-item"
                  draggable={!readOnly}
                  disabled={readOnly}
                  onDragStart={(e) => onDragStart(e, d.type)}
                  onDoubleClick={() => onAdd(d.type)}
                  onKeyDown={(e) => e.key === 'Enter' && onAdd(d.type)}
                  title={`${d.description}\n\nDrag onto the canvas, or double-click to add.`}
                  data-testid={`palette-${d.type}`}
                >
                  <span className="palette-glyph" style={{ background: look.color }}>{look.glyph}</span>
                  <span className="palette-text">
                    <span className="palette-title">{d.title}</span>
                    <span className="palette-desc">{d.description}</span>
                  </span>
                </button>
              ))}
            </section>
          );
        })}
        <SubflowPaletteGroup query={query} onAdd={onAddSubflow} readOnly={readOnly} />
      </div>
      <p className="palette-hint muted small">{readOnly ? 'Read only: operators watch and run flows; analysts change them.' : 'Drag a node onto the canvas, then connect its ports.'}</p>
    </aside>
  );
}
