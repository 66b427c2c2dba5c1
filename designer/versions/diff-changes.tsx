/** The list beside a version diff: flow fields, node config changes with line diffs for expressions, connections. */
import type { FieldChange, FlowDiff, NodeChange } from '../../nodes/flow-diff.ts';
import { catalog } from '../../nodes/catalog.ts';
import { cellText } from '../shell/format.ts';
import { withContext } from './line-context.ts';
import { clickOnEnter } from '../shell/keyboard.ts';

function FieldChangeView({ change }: { change: FieldChange }) {
  return (
    <div className={`field-change fc-${change.kind}`}>
      <div className="fc-path"><code>{change.path}</code>{change.item && <span className="muted small"> ({change.item})</span>} <span className={`fc-kind kind-${change.kind}`}>{change.kind}</span></div>
      {change.lines ? (
        <pre className="line-diff">
          {withContext(change.lines).map((l, i) => (l.kind === 'gap' ? (
            <div key={i} className="ld-gap">⋯ {l.count} unchanged line{l.count === 1 ? '' : 's'}</div>
          ) : (
            <div key={i} className={`ld-${l.kind}`}><span className="ld-line">{l.kind === 'added' ? l.toLine : l.fromLine}</span><span className="ld-sign">{l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ' '}</span>{l.text}</div>
          )))}
        </pre>
      ) : change.parts ? (
        <div className="muted small">changed: {change.parts.join(', ')}</div>
      ) : (
        <div className="fc-values">
          {change.kind !== 'added' && <span className="fc-from">{cellText(change.from, 200)}</span>}
          {change.kind === 'changed' && <span className="muted">→</span>}
          {change.kind !== 'removed' && <span className="fc-to">{cellText(change.to, 200)}</span>}
        </div>
      )}
    </div>
  );
}

function NodeChangeView({ change, focused, onFocus }: { change: NodeChange; focused: boolean; onFocus: () => void }) {
  const title = change.label ?? catalog.get(change.type)?.title ?? change.nodeId;
  return (
    <div className={`node-change nc-${change.kind} ${focused ? 'focused' : ''}`} role="button" tabIndex={0} onKeyDown={clickOnEnter} onClick={onFocus}>
      <div className="nc-head"><span className={`fc-kind kind-${change.kind}`}>{change.kind}</span> <strong>{title}</strong> <code className="muted">{change.nodeId}</code></div>
      {change.kind === 'changed' && (
        <>
          {change.typeChanged && <div className="muted small">type {change.typeChanged.from} → {change.typeChanged.to}</div>}
          {change.labelChanged && <div className="muted small">renamed “{change.labelChanged.from ?? ''}” → “{change.labelChanged.to ?? ''}”</div>}
          {change.config.map((c, i) => <FieldChangeView key={i} change={c} />)}
          {change.retryChanged && <FieldChangeView change={change.retryChanged} />}
        </>
      )}
    </div>
  );
}

export function DiffChanges({ diff, summary, focus, onFocus }: { diff: FlowDiff; summary: string[]; focus: string | null; onFocus: (id: string) => void }) {
  return (
    <aside className="diff-changes">
      <ul className="diff-summary">{summary.map((s, i) => <li key={i}>{s}</li>)}</ul>
      {diff.flow.length > 0 && (
        <section>
          <h3>Flow settings</h3>
          {diff.flow.map((c, i) => <FieldChangeView key={i} change={c} />)}
        </section>
      )}
      {diff.nodes.length > 0 && (
        <section>
          <h3>Nodes</h3>
          {diff.nodes.map((n) => <NodeChangeView key={`${n.kind}:${n.nodeId}`} change={n} focused={focus === n.nodeId} onFocus={() => onFocus(n.nodeId)} />)}
        </section>
      )}
      {diff.edges.length > 0 && (
        <section>
          <h3>Connections</h3>
          <ul className="edge-changes">
            {diff.edges.map((e, i) => <li key={i} className={`fc-${e.kind}`}><span className={`fc-kind kind-${e.kind}`}>{e.kind}</span> {e.source}.{e.sourceHandle} → {e.target}.{e.targetHandle}</li>)}
          </ul>
        </section>
      )}
    </aside>
  );
}
