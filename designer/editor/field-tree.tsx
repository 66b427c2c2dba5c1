/** A collapsible tree of fields with types and examples; items can be dragged (the mapper) or clicked. */
import { useState, type DragEvent } from 'react';
import { pathExpression } from '../mapping/expression-mapping.ts';
import { cellText } from '../shell/format.ts';
import type { FieldNode } from './field-paths.ts';
import { clickOnEnter } from '../shell/keyboard.ts';

export const FIELD_MIME = 'application/x-ledgerflow-field-path';
/** The dragged field's names from the record root (JSON), so a drop inside a loop can read it relative to the item. */
export const FIELD_SEGMENTS_MIME = 'application/x-ledgerflow-field-segments';

export function FieldTree({ fields, emptyText, draggable, onPick }: { fields: FieldNode[]; emptyText: string; draggable?: boolean; onPick?: (f: FieldNode) => void }) {
  if (fields.length === 0) return <p className="muted small field-tree-empty">{emptyText}</p>;
  return <ul className="field-tree">{fields.map((f) => <FieldItem key={f.name} field={f} depth={0} draggable={draggable} onPick={onPick} />)}</ul>;
}

function FieldItem({ field, depth, draggable, onPick }: { field: FieldNode; depth: number; draggable?: boolean; onPick?: (f: FieldNode) => void }) {
  const [open, setOpen] = useState(depth < 1);
  const path = pathExpression(field.segments);
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(FIELD_MIME, path);
    e.dataTransfer.setData(FIELD_SEGMENTS_MIME, JSON.stringify(field.segments));
    e.dataTransfer.setData('text/plain', path);
    e.dataTransfer.effectAllowed = 'copy';
  };
  const type = field.types.filter((t) => t !== 'object').join(' | ') || (field.children.length ? 'object' : '');
  return (
    <li>
      <div className="field-row" role="button" tabIndex={0} onKeyDown={clickOnEnter} style={{ paddingLeft: depth * 14 + 4 }} draggable={draggable} onDragStart={onDragStart} onClick={() => onPick?.(field)} title={`${path}${field.example !== undefined ? `\ne.g. ${cellText(field.example, 200)}` : ''}`} data-path={path}>
        {field.children.length > 0 ? (
          <button type="button" className="tree-toggle" onClick={(e) => { e.stopPropagation(); setOpen(!open); }} aria-label={open ? 'Collapse' : 'Expand'} aria-expanded={open}>{open ? '▾' : '▸'}</button>
        ) : <span className="tree-toggle" />}
        <span className="field-name">{field.name}</span>
        {field.array && <span className="field-array" title="A list: paths through it give every item's value">[ ]</span>}
        <span className="field-type">{type}</span>
        {field.example !== undefined && <span className="field-example">{cellText(field.example, 40)}</span>}
      </div>
      {open && field.children.length > 0 && (
        <ul>{field.children.map((c) => <FieldItem key={c.name} field={c} depth={depth + 1} draggable={draggable} onPick={onPick} />)}</ul>
      )}
    </li>
  );
}
