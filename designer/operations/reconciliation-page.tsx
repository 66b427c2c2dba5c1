/** Daily reconciliation per flow and environment: does each day close, in count and in every currency? */
import { useState } from 'react';
import { useSession } from '../session.tsx';
import { formatTotals } from '../runs/ops-format.ts';
import { useAsync } from '../runs/use-async.ts';
import './operations.css';

export function ReconciliationPage() {
  const { api } = useSession();
  const [flow, setFlow] = useState('');
  const [environment, setEnvironment] = useState('');
  const [days, setDays] = useState(30);
  const flows = useAsync(() => api.listFlows(), [api]);
  const envs = useAsync(() => api.environments(), [api]);
  const daily = useAsync(() => api.dailyReconciliation({ flow: flow || undefined, environment: environment || undefined, days }), [flow, environment, days]);
  const names = new Map((flows.data?.items ?? []).map((f) => [f.id, f.name]));
  const items = daily.data?.items ?? [];
  const open = items.filter((d) => !d.closes).length;

  return (
    <main className="ops-page ops-wide">
      <div className="home-header">
        <div><h1>Reconciliation</h1><p className="muted">Each day's finished runs per flow and environment: records and amounts read against what was delivered, quarantined, dead-lettered, skipped as duplicate, filtered, or aggregated into groups (group records are counted apart on each run's page). Exact decimals.</p></div>
      </div>
      <div className="filter-bar">
        <select aria-label="Flow" value={flow} onChange={(e) => setFlow(e.target.value)}><option value="">All flows</option>{flows.data?.items.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}</select>
        <select aria-label="Environment" value={environment} onChange={(e) => setEnvironment(e.target.value)}><option value="">All environments</option>{envs.data?.items.map((e) => <option key={e.name} value={e.name}>{e.name}</option>)}</select>
        <select aria-label="Days" value={days} onChange={(e) => setDays(Number(e.target.value))}>{[7, 30, 90, 366].map((d) => <option key={d} value={d}>Last {d} days</option>)}</select>
        <span className="spacer" />
        {daily.data && <span className={`chip ${open ? 'chip-warning' : 'chip-added'}`}>{open ? `${open} day(s) do not close` : 'Every day closes'}</span>}
      </div>
      {daily.error && <div className="callout callout-error">{daily.error}</div>}
      {daily.data && items.length === 0 && <div className="empty-state"><div className="empty-illustration">Σ</div><h2>No finished runs</h2><p className="muted">Days appear here once runs finish.</p></div>}
      {items.length > 0 && (
        <table className="flows-table ops-table recon-daily">
          <thead><tr><th>Day</th><th>Flow</th><th>Env</th><th className="num">Runs</th><th className="num">Read</th><th className="num">Delivered</th><th className="num">Exceptions</th><th className="num">Duplicates</th><th>Read totals</th><th>Delivered totals</th><th>Closes</th></tr></thead>
          <tbody>
            {items.map((d) => (
              <tr key={`${d.day}|${d.flowId}|${d.environment}`} className={d.closes ? '' : 'row-exceptions'}>
                <td className="nowrap mono">{d.day}</td>
                <td><a href={`#/runs?flow=${encodeURIComponent(d.flowId)}`}>{names.get(d.flowId) ?? d.flowId}</a></td>
                <td>{d.environment ? <span className={`env-badge env-${d.environment}`}><span className="env-name">{d.environment}</span></span> : '—'}</td>
                <td className="num">{d.runs}{d.replayRuns ? <div className="flow-meta">{d.replayRuns} replay{d.replayRuns === 1 ? '' : 's'}</div> : null}</td>
                <td className="num">{d.counts.read.toLocaleString()}</td>
                <td className="num">{d.counts.delivered.toLocaleString()}</td>
                <td className="num">{(d.counts.quarantined + d.counts.deadLettered).toLocaleString()}</td>
                <td className="num">{d.counts.duplicate.toLocaleString()}</td>
                <td className="mono small">{formatTotals(d.totals.read)}</td>
                <td className="mono small">{formatTotals(d.totals.delivered)}</td>
                <td>{d.closes ? <span className="text-ok">✓ closes</span> : <span className="text-error" title={d.differences.join('\n')}>⚠ {d.differences[0]}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
