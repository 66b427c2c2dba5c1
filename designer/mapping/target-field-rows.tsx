/** The right-hand pane of the mapper: target fields, each a drop target holding a JSONata expression. */
import { useState, type DragEvent } from 'react';
import { evaluator } from '../expression-runtime.ts';
import { FIELD_MIME } from '../editor/field-tree.tsx';
import type { FieldNode } from '../editor/field-paths.ts';
import { cellText } from '../shell/format.ts';

export interface TargetRow {
  path: string[];
  depth: number;
  /** A group (object) row: its fields follow. */
  group: boolean;
  required: boolean;
  declared: boolean;
  description?: string;
  expression?: string;
}

/** Target rows: declared fields in order, then mapped fields that nothing declares. */
export function targetRows(declared: FieldNode[], mapped: { path: string[]; expression: string }[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const byPath = new Map(mapped.map((m) => [m.path.join('\u0000'), m.expression]));
  const used = new Set<string>();
  const visit = (nodes: FieldNode[], depth: number) => {
    for (const n of nodes) {
      const key = n.segments.join('\u0000');
      const expression = byPath.get(key);
      // A declared object whose mapping is one expression (e.g. lines: [ … ]) is a leaf here.
      const group = n.children.length > 0 && expression === undefined;
      used.add(key);
      rows.push({ path: n.segments, depth, group, required: n.required, declared: true, description: n.description, expression });
      if (group) visit(n.children, depth + 1);
    }
  };
  visit(declared, 0);
  for (const m of mapped) {
    const key = m.path.join('\u0000');
    if (used.has(key)) continue;
    if ([...used].some((u) => key.startsWith(`${u}\u0000`) && byPath.has(u))) continue;
    rows.push({ path: m.path, depth: 0, group: false, required: false, declared: false, expression: m.expression });
  }
  return rows;
}

export function TargetFieldRow({ row, value, onChange, readOnly }: { row: TargetRow; value: unknown; onChange: (expr: string) => void; readOnly: boolean }) {
  const [over, setOver] = useState(false);
  const name = row.path.join('.');
  const problem = row.expression ? evaluator.check(row.expression) : null;
  const missing = row.required && !row.expression;
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const path = e.dataTransfer.getData(FIELD_MIME);
    if (path && !readOnly) onChange(path);
  };
  if (row.group) {
    return (
      <div className="target-row target-group" style={{ paddingLeft: 10 + row.depth * 16 }}>
        <span className="target-name">{row.path[row.path.length - 1]}</span>
        {row.description && <span className="muted small">{row.description}</span>}
      </div>
    );
  }
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target for dragged source fields; the row's expression input is the keyboard path
    <div
      className={`target-row ${over ? 'drop-over' : ''} ${missing ? 'target-missing' : ''} ${row.expression ? 'target-mapped' : ''}`}
      onDragOver={(e) => { if (e.dataTransfer.types.includes(FIELD_MIME)) { e.preventDefault(); setOver(true); } }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-target={name}
    >
      <div className="target-label" style={{ paddingLeft: row.depth * 16 }}>
        <span className="target-title">
          <span className="target-name" title={name}>{row.path[row.path.length - 1]}</span>
          {row.required && <span className="required" title="Required by what follows">*</span>}
          {!row.declared && <span className="chip chip-small" title="Nothing downstream declares this field">extra</span>}
        </span>
        {row.description && <span className="target-desc muted small">{row.description}</span>}
      </div>
      <input
        className={`mono target-expr ${problem ? 'invalid' : ''}`}
        value={row.expression ?? ''}
        placeholder={missing ? 'Required — drop a source field here' : 'Drop a field or write JSONata'}
        readOnly={readOnly}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
        title={problem?.message}
        aria-label={`Expression for ${name}`}
      />
      <span className="target-value" title={cellText(value, 2000)}>{row.expression ? (problem ? <span className="text-error">syntax</span> : cellText(value, 60)) : ''}</span>
      {row.expression && !readOnly && <button type="button" className="icon-btn" aria-label={`Unmap ${name}`} onClick={() => onChange('')}>✕</button>}
    </div>
  );
}
