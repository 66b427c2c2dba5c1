/** A node's output records from a test run: as a table or as JSON; invalid ones with every failed rule. */
import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { NodeOutput } from '../../runtime/api/contract/schemas.ts';
import { cellText } from '../shell/format.ts';
import { JsonView } from '../shell/json-view.tsx';
import { clickOnEnter } from '../shell/keyboard.ts';

function columnsOf(outputs: NodeOutput[]): string[] {
  const cols = new Set<string>();
  for (const o of outputs.slice(0, 50)) {
    if (o.data && typeof o.data === 'object' && !Array.isArray(o.data)) for (const k of Object.keys(o.data)) cols.add(k);
    if (cols.size >= 30) break;
  }
  return [...cols];
}

export function OutputRecords({ outputs }: { outputs: NodeOutput[] }) {
  const [view, setView] = useState<'table' | 'json'>('table');
  const [port, setPort] = useState<string>('all');
  const ports = useMemo(() => [...new Set(outputs.map((o) => o.port))], [outputs]);
  const shown = useMemo(() => (port === 'all' ? outputs : outputs.filter((o) => o.port === port)), [outputs, port]);
  const invalid = shown.filter((o) => o.failures?.some((f) => f.severity === 'error'));
  const warned = shown.filter((o) => o.failures?.length && !o.failures.some((f) => f.severity === 'error'));
  return (
    <div className="output-records">
      <div className="output-toolbar">
        <div className="segmented">
          <button type="button" className={view === 'table' ? 'active' : ''} onClick={() => setView('table')}>Table</button>
          <button type="button" className={view === 'json' ? 'active' : ''} onClick={() => setView('json')}>JSON</button>
        </div>
        {ports.length > 1 && (
          <select className="small-select" value={port} onChange={(e) => setPort(e.target.value)} aria-label="Port">
            <option value="all">All ports ({outputs.length})</option>
            {ports.map((p) => <option key={p} value={p}>{p} ({outputs.filter((o) => o.port === p).length})</option>)}
          </select>
        )}
        <span className="muted small">{shown.length} record{shown.length === 1 ? '' : 's'}{invalid.length ? ` · ${invalid.length} invalid` : ''}{warned.length ? ` · ${warned.length} with warnings` : ''}</span>
      </div>
      {shown.length === 0 ? <p className="muted">No record left this node.</p> : view === 'table' ? <OutputTable outputs={shown} /> : (
        <div className="output-json">
          {shown.slice(0, 50).map((o, i) => (
            <div key={i} className="output-json-item">
              <div className="preview-label">#{i + 1} · port {o.port}</div>
              {o.failures && <Failures failures={o.failures} />}
              <JsonView value={o.data} />
            </div>
          ))}
          {shown.length > 50 && <p className="muted small">The first 50 records are shown as JSON; the table lists all {shown.length}.</p>}
        </div>
      )}
    </div>
  );
}

export function Failures({ failures }: { failures: NonNullable<NodeOutput['failures']> }) {
  return (
    <ul className="failures">
      {failures.map((f, i) => (
        <li key={i} className={`failure failure-${f.severity}`}>
          <span className="failure-rule">{f.rule}</span>
          {f.field && <code className="failure-field">{f.field}</code>}
          <span>{f.message}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * One fixed width per column, from its name and the first values (between 90 and 320 px), shared by every
 * row: each row is a grid of its own, so widths that followed each row's content would not line up.
 */
function columnTemplate(outputs: NodeOutput[], columns: string[], hasFailures: boolean): string {
  const chars = (c: string) => Math.max(c.length, ...outputs.slice(0, 50).map((o) => cellText((o.data as Record<string, unknown> | null)?.[c], 80).length));
  const px = (n: number) => `${Math.min(320, Math.max(90, 18 + 7 * n))}px`;
  return `48px 80px ${hasFailures ? '280px ' : ''}${columns.map((c) => px(chars(c))).join(' ') || 'minmax(240px, 1fr)'}`;
}

function OutputTable({ outputs }: { outputs: NodeOutput[] }) {
  const columns = useMemo(() => columnsOf(outputs), [outputs]);
  const hasFailures = outputs.some((o) => o.failures?.length);
  const parent = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState<number | null>(null);
  const v = useVirtualizer({ count: outputs.length, getScrollElement: () => parent.current, estimateSize: () => 30, overscan: 10 });
  const template = useMemo(() => columnTemplate(outputs, columns, hasFailures), [outputs, columns, hasFailures]);
  return (
    <div className="grid-table" ref={parent} role="table" aria-label="Output records" aria-rowcount={outputs.length + 1}>
      <div className="grid-row grid-head" role="row" tabIndex={-1} style={{ gridTemplateColumns: template }}>
        <span role="columnheader" tabIndex={-1}>#</span><span role="columnheader" tabIndex={-1}>Port</span>{hasFailures && <span role="columnheader" tabIndex={-1}>Rule failures</span>}
        {columns.length ? columns.map((c) => <span key={c} role="columnheader" tabIndex={-1} title={c}>{c}</span>) : <span role="columnheader" tabIndex={-1}>Value</span>}
      </div>
      <div role="rowgroup" style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) => {
          const o = outputs[item.index];
          const obj = o.data && typeof o.data === 'object' && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : null;
          return (
            <div key={item.key} role="row" aria-rowindex={item.index + 2} tabIndex={0} onKeyDown={clickOnEnter} className={`grid-row ${o.failures?.some((f) => f.severity === 'error') ? 'row-invalid' : ''}`} style={{ gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }} onClick={() => setOpen(item.index)}>
              <span role="cell" className="muted">{item.index + 1}</span>
              <span role="cell"><span className={`port-pill port-${o.port}`}>{o.port}</span></span>
              {hasFailures && <span role="cell" className={`cell-failures ${o.failures?.some((f) => f.severity === 'error') ? '' : 'warning'}`} title={o.failures?.map((f) => `${f.rule}: ${f.message}`).join('\n')}>{o.failures?.map((f) => f.message).join(' · ')}</span>}
              {columns.length ? columns.map((c) => <span key={c} role="cell" title={cellText(obj?.[c], 1000)}>{cellText(obj?.[c], 80)}</span>) : <span role="cell" title={cellText(o.data, 1000)}>{cellText(o.data, 200)}</span>}
            </div>
          );
        })}
      </div>
      {open !== null && outputs[open] && (
        <div className="record-popover">
          <div className="record-popover-head"><strong>Record {open + 1}</strong><button type="button" className="icon-btn" onClick={() => setOpen(null)} aria-label="Close">✕</button></div>
          {outputs[open].failures && <Failures failures={outputs[open].failures!} />}
          <JsonView value={outputs[open].data} />
        </div>
      )}
    </div>
  );
}
