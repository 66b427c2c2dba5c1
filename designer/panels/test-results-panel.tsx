/** Test run results: run totals and reconciliation, per-node counts, and the selected node's records. */
import { catalog } from '../../nodes/catalog.ts';
import { useEditor } from '../editor-context.tsx';
import { EMPTY_LIST, useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { formatAmount } from '../runs/ops-format.ts';
import { runTestRun } from './test-run-action.ts';
import { OutputRecords } from './output-records.tsx';
import { figureLevels } from '../runs/figure-levels.ts';
import { NOT_EVALUATED_PORT } from '../../runtime/api/contract/enums.ts';

const STATUS_LABEL: Record<string, string> = {
  succeeded: 'Succeeded', completed_with_exceptions: 'Completed with exceptions', failed: 'Failed', cancelled: 'Cancelled', running: 'Running', queued: 'Queued',
};

export function TestResultsPanel() {
  const store = useDesignerStoreApi();
  const { api, flowId } = useEditor();
  const run = useDesigner((s) => s.testRun);
  const revision = useDesigner((s) => s.revision);
  const selected = useDesigner((s) => (s.selectedNodeIds.length === 1 ? s.selectedNodeIds[0] : null));
  const nodes = useDesigner((s) => s.document?.nodes ?? EMPTY_LIST);
  const start = () => void runTestRun(store, api, flowId);

  if (run.status === 'idle') {
    return (
      <div className="empty-panel">
        <strong>No test run yet</strong>
        <span className="muted">A test run sends the sample through the whole flow as a dry run: targets are not written. Each node then shows its counts, and its records appear here.</span>
        <button type="button" className="btn btn-primary" onClick={start}>▶ Run on the sample</button>
      </div>
    );
  }
  if (run.status === 'running') return <div className="empty-panel"><div className="spinner" /><span>Running the flow on the sample…</span></div>;
  if (run.status === 'failed') {
    return (
      <div className="empty-panel">
        <div className="callout callout-error">{run.message}</div>
        <button type="button" className="btn" onClick={start}>Try again</button>
      </div>
    );
  }
  const r = run.result;
  const c = r.counts;
  const label = (id: string) => nodes.find((n) => n.id === id)?.label ?? id;
  const outputs = selected ? r.outputs[selected] : undefined;
  const rec = r.reconciliation;
  // Lookups a test run could not evaluate (connection not bound in dev, a cap reached): their records stop there, each saying so.
  const notEvaluated = Object.entries(r.outputs).flatMap(([nodeId, list]) => {
    const first = list.find((o) => o.port === NOT_EVALUATED_PORT);
    return first ? [{ nodeId, count: list.filter((o) => o.port === NOT_EVALUATED_PORT).length, reason: first.failures?.[0]?.message ?? '' }] : [];
  });
  // With a fan-out the outcomes are counted per item (each entry of a statement), and say so.
  const { items } = figureLevels(c, rec);
  const shown = items ?? c;
  return (
    <div className="results-panel">
      <div className="results-summary">
        <span className={`status-pill status-${r.status}`}>{STATUS_LABEL[r.status] ?? r.status}</span>
        <span><strong>{c.read}</strong> source record{c.read === 1 ? '' : 's'} read</span>
        {items && <span data-testid="test-run-items"><strong>{items.read}</strong> item{items.read === 1 ? '' : 's'} (fan-out):</span>}
        <span><strong>{shown.delivered}</strong> would be delivered</span>
        <span className={shown.quarantined ? 'text-warning' : ''}><strong>{shown.quarantined}</strong> quarantined</span>
        <span className={shown.deadLettered ? 'text-error' : ''}><strong>{shown.deadLettered}</strong> dead-lettered</span>
        <span><strong>{shown.filtered}</strong> filtered</span>
        {(shown.aggregated ?? 0) > 0 && <span data-testid="test-run-aggregated"><strong>{shown.aggregated}</strong> aggregated into <strong>{rec?.groups?.counts.read ?? 0}</strong> group{rec?.groups?.counts.read === 1 ? '' : 's'} ({rec?.groups?.counts.delivered ?? 0} would be delivered)</span>}
        {rec && <span className={rec.closes ? 'text-ok' : 'text-error'} title={rec.differences.join('\n')}>{rec.closes ? '✓ Reconciles' : '✗ Does not reconcile'}{Object.keys(rec.totals.read).length ? ` · ${Object.entries(rec.totals.read).map(([cur, v]) => `${formatAmount(v, cur)} ${cur}`).join(', ')}` : ''}</span>}
        <span className="spacer" />
        {run.revision !== revision && <span className="muted small">The flow changed since this run.</span>}
        <span className="muted small">Dry run: nothing was written.</span>
        <button type="button" className="btn btn-small" onClick={start}>Run again</button>
      </div>
      {r.error && <div className="callout callout-error">{r.error.message}</div>}
      {c.read === 0 && !r.error && <div className="callout callout-warning" data-testid="run-warning"><strong>SOURCE_READ_NOTHING</strong> The source read no records from the sample: check its record path.</div>}
      {notEvaluated.map((n) => (
        <div key={n.nodeId} className="callout callout-warning" data-testid="not-evaluated">
          <strong>{label(n.nodeId)}</strong>: {n.count} record{n.count === 1 ? '' : 's'} {n.reason || 'not evaluated in preview'}. They stop at this node in the test run (port “{NOT_EVALUATED_PORT}”); nothing after it is shown for them.
        </div>
      ))}
      {rec?.warnings?.map((w) => <div key={w.code + (w.expression ?? '')} className="callout callout-warning" data-testid="run-warning"><strong>{w.code}</strong> {w.message}</div>)}
      <div className="results-body">
        <table className="mini-table node-stats">
          <thead><tr><th>Node</th><th>In</th><th>Out</th><th>Invalid</th><th>Errors</th><th>ms</th></tr></thead>
          <tbody>
            {r.nodes.map((n) => (
              <tr key={n.nodeId} className={`clickable ${selected === n.nodeId ? 'selected' : ''}`} onClick={() => store.getState().select([n.nodeId])}>
                <td>{label(n.nodeId)} <span className="muted small">{catalog.get(nodes.find((x) => x.id === n.nodeId)?.type ?? '')?.category}</span></td>
                <td>{n.in}</td><td>{n.out}</td>
                <td className={n.invalid ? 'text-warning' : ''}>{n.invalid}</td>
                <td className={n.errors ? 'text-error' : ''}>{n.errors}</td>
                <td className="muted">{Math.round(n.ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="results-records">
          {!selected && <p className="muted">Select a node (here or on the canvas) to see its output records.</p>}
          {selected && !outputs && <p className="muted">No records were captured for “{label(selected)}”.</p>}
          {selected && outputs && <OutputRecords key={selected} outputs={outputs} />}
        </div>
      </div>
    </div>
  );
}
