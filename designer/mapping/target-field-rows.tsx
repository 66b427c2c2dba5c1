/**
 * The right-hand pane of the mapper: target fields, each a drop target holding
 * a JSONata expression, and target lists, each a drop target for the
 * repeating source element it loops over.
 */
import { useState, type DragEvent } from 'react';
import { evaluator } from '../expression-runtime.ts';
import { FIELD_MIME, FIELD_SEGMENTS_MIME } from '../editor/field-tree.tsx';
import { cellText } from '../shell/format.ts';
import { pathInLoops } from './loop-paths.ts';
import { applyMappingFunction, MAPPING_FUNCTIONS } from './mapping-functions.ts';
import { producesValue, type TargetRow } from './target-rows.ts';

export interface TargetRowProps {
  row: TargetRow;
  /** The row's values on the sample (one per item inside loops). */
  values: unknown[];
  onChange: (expr: string) => void;
  onLoop: (source: string) => void;
  readOnly: boolean;
}

/** The expression for a dropped source field, relative to the loops around the row. */
function droppedExpression(e: DragEvent, loops: string[]): string | null {
  const segments = e.dataTransfer.getData(FIELD_SEGMENTS_MIME);
  if (segments) return pathInLoops(loops, JSON.parse(segments) as string[]);
  return e.dataTransfer.getData(FIELD_MIME) || null;
}

function useDrop(readOnly: boolean, loops: string[], apply: (expr: string) => void) {
  const [over, setOver] = useState(false);
  return {
    over,
    handlers: {
      onDragOver: (e: DragEvent) => { if (!readOnly && e.dataTransfer.types.includes(FIELD_MIME)) { e.preventDefault(); setOver(true); } },
      onDragLeave: () => setOver(false),
      onDrop: (e: DragEvent) => {
        e.preventDefault();
        setOver(false);
        const expr = droppedExpression(e, loops);
        if (expr && !readOnly) apply(expr);
      },
    },
  };
}

const indent = (row: TargetRow) => ({ paddingLeft: row.depth * 16 });

export function TargetFieldRow(props: TargetRowProps) {
  if (props.row.kind === 'group') {
    const { row } = props;
    return (
      <div className="target-row target-group" style={{ paddingLeft: 10 + row.depth * 16 }}>
        <span className="target-name" title={row.path.join('.')}>{row.path[row.path.length - 1]}</span>
        {row.description && <span className="muted small">{row.description}</span>}
      </div>
    );
  }
  return props.row.kind === 'list' ? <TargetListRow {...props} /> : <TargetLeafRow {...props} />;
}

function TargetListRow({ row, values, onChange, onLoop, readOnly }: TargetRowProps) {
  const { over, handlers } = useDrop(readOnly, row.loops, onLoop);
  const name = row.path.join('.');
  const items = values.flatMap((v) => (Array.isArray(v) ? v : [v])).length;
  return (
    <div className={`target-row target-list ${over ? 'drop-over' : ''} ${row.loop ? 'target-mapped' : ''}`} data-target={name} data-list="true" {...handlers}>
      <div className="target-label" style={indent(row)}>
        <span className="target-title">
          <span className="target-name" title={name}>{row.path[row.path.length - 1]}</span>
          <span className="chip chip-small" title="A list: one item per item of the repeating source element">list</span>
          {!row.declared && <span className="chip chip-small" title="Nothing downstream declares this field">extra</span>}
        </span>
        {row.description && <span className="target-desc muted small">{row.description}</span>}
      </div>
      <input
        className="mono target-expr"
        value={row.loop ?? ''}
        placeholder="Drop a repeating source element (e.g. Ntry) — one item each"
        readOnly={readOnly}
        spellCheck={false}
        onChange={(e) => onLoop(e.target.value)}
        aria-label={`Repeating element for list ${name}`}
      />
      <span className="target-value">{row.loop ? `for each · ${items} item${items === 1 ? '' : 's'}` : ''}</span>
      {row.loop && !readOnly ? <button type="button" className="icon-btn" aria-label={`Unmap list ${name}`} onClick={() => onChange('')}>✕</button> : <span />}
    </div>
  );
}

function valueText(row: TargetRow, values: unknown[]): string {
  if (!row.expression) return '';
  if (row.loops.length === 0) return cellText(values[0], 60);
  const first = values.find((v) => v !== null && v !== undefined);
  return `${cellText(first ?? null, 40)}${values.length > 1 ? ` (+${values.length - 1} more)` : ''}`;
}

// JSONata's "parent cannot be derived" (S0217) holds for `%` read alone; inside a loop the row's expression has its parents.
const PARENT_OUTSIDE_PATH = 'S0217';

function rowProblem(row: TargetRow) {
  const problem = row.expression ? evaluator.check(row.expression) : null;
  return problem && row.loops.length > 0 && problem.code === PARENT_OUTSIDE_PATH ? null : problem;
}

function TargetLeafRow({ row, values, onChange, readOnly }: TargetRowProps) {
  const locked = readOnly || row.waitingForLoop;
  const { over, handlers } = useDrop(locked, row.loops, onChange);
  const name = row.path.join('.');
  const problem = rowProblem(row);
  const missing = row.required && !row.expression;
  // Outside any loop, several values mean the source repeats: the target would silently get a list.
  const repeats = row.loops.length === 0 && Array.isArray(values[0]) && (values[0] as unknown[]).length > 1;
  const empty = !!row.expression && !problem && !producesValue(values);
  const placeholder = row.waitingForLoop ? 'Drop a repeating element on the list above first' : missing ? 'Required — drop a source field here' : 'Drop a field or write JSONata';
  return (
    <div className={`target-row ${over ? 'drop-over' : ''} ${missing ? 'target-missing' : ''} ${row.expression ? 'target-mapped' : ''}`} data-target={name} {...handlers}>
      <div className="target-label" style={indent(row)}>
        <span className="target-title">
          <span className="target-name" title={name}>{row.path[row.path.length - 1]}</span>
          {row.required && <span className="required" title="Required by what follows">*</span>}
          {!row.declared && <span className="chip chip-small" title="Nothing downstream declares this field">extra</span>}
        </span>
        {row.description && <span className="target-desc muted small">{row.description}</span>}
      </div>
      <span className="target-edit">
        <input
          className={`mono target-expr ${problem ? 'invalid' : ''}`}
          value={row.expression ?? ''}
          placeholder={placeholder}
          readOnly={locked}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          title={problem?.message}
          aria-label={`Expression for ${name}`}
        />
        {!locked && (
          <select className="target-fn" value="" aria-label={`Apply a function to ${name}`} onChange={(e) => { if (e.target.value) onChange(applyMappingFunction(e.target.value, row.expression ?? '')); }}>
            <option value="">ƒ</option>
            {[...new Set(MAPPING_FUNCTIONS.map((f) => f.group))].map((g) => (
              <optgroup key={g} label={g}>{MAPPING_FUNCTIONS.filter((f) => f.group === g).map((f) => <option key={f.id} value={f.id}>{f.label}</option>)}</optgroup>
            ))}
          </select>
        )}
      </span>
      <span className="target-value" title={cellText(values, 2000)}>
        {problem ? <span className="text-error">syntax</span>
          : repeats ? <span className="text-error" title="The source repeats here: map it inside a list (drop the repeating element on a list row) to get one value per item">⚠ {(values[0] as unknown[]).length} values</span>
          : empty ? <span className="muted" title="No value on the sample: this field is not counted as mapped">no value</span>
          : valueText(row, values)}
      </span>
      {row.expression && !readOnly ? <button type="button" className="icon-btn" aria-label={`Unmap ${name}`} onClick={() => onChange('')}>✕</button> : <span />}
    </div>
  );
}
