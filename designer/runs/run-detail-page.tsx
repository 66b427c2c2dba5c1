/** One run: the version's graph with per-node counts, timeline, trigger, reconciliation and its records. */
import { figureLevels } from './figure-levels.ts';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api-client.ts';
import { useSession } from '../session.tsx';
import '../operations/operations.css';
import { formatDateTime, formatSeconds, runDuration } from './ops-format.ts';
import { followRuns, api } from '../api-client.ts';
import { ReconciliationPanel } from './reconciliation-panel.tsx';
import { RunGraph } from './run-graph.tsx';
import { RunRecords } from './run-records.tsx';
import { RunStatusPill } from './status-pill.tsx';
import { isTerminal } from '../../runtime/api/contract/enums.ts';
import { useAsync } from './use-async.ts';

export default function RunDetailPage({ params }: { params: Record<string, string> }) {
  const { user } = useSession();
  const id = params.id;
  const detail = useAsync(() => api.run(id), [id]);
  const [selected, setSelected] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const reloadRef = useRef(detail.reload);
  reloadRef.current = detail.reload;
  const finished = detail.data && isTerminal(detail.data.run.status);

  useEffect(() => {
    if (!detail.data || finished) return;
    // Read again once following: a run that ended between the first read and the subscription sends no event.
    return followRuns((r) => { if (r.id === id) reloadRef.current(); }, detail.data.run.flowId, () => reloadRef.current());
  }, [id, detail.data?.run.flowId, finished]);

  if (detail.error && !detail.data) return <div className="page-error"><h1>Run not found</h1><p className="muted">{detail.error}</p><a href="#/runs">Back to runs</a></div>;
  if (!detail.data) return <main className="ops-page"><div className="skeleton-list">{[0, 1, 2].map((i) => <div key={i} className="skeleton-row" />)}</div></main>;
  const { run, nodes, version, timeline } = detail.data;
  // With a fan-out, outcomes are shown per item (each entry of a statement) beside the source records read.
  const { items } = figureLevels(run.counts, run.reconciliation);
  const shown = items ?? run.counts;
  const groups = run.reconciliation?.groups?.counts;
  const groupExceptions = groups ? groups.quarantined + groups.deadLettered : 0;
  const exceptions = shown.quarantined + shown.deadLettered + groupExceptions;
  const canCancel = !finished && (user.role === 'admin' || user.role === 'operator');
  const cancel = () => api.cancel(run.id).then(() => detail.reload(), (err) => setActionError(errorMessage(err)));
  const selectedStats = nodes.find((n) => n.nodeId === selected);

  return (
    <main className="ops-page ops-wide">
      <div className="crumbs"><a href="#/runs">Runs</a><span className="crumb-sep">/</span><span className="mono">{run.id}</span></div>
      <div className="run-head">
        <div>
          <h1 className="title-with-pill"><span className="truncate-line" title={version?.document.name ?? run.flowId}>{version?.document.name ?? run.flowId}</span> <RunStatusPill status={run.status} /></h1>
          <div className="run-meta">
            {run.version !== null && <span className="version-pill">v{run.version}</span>}
            {run.environment && <span className={`env-badge env-${run.environment}`}><span className="env-name">{run.environment}</span></span>}
            <span>started {formatDateTime(run.startedAt ?? run.createdAt)}</span>
            <span>· took {runDuration(run)}</span>
            {run.replayOf && <span>· replay of <a href={`#/runs/${encodeURIComponent(run.replayOf)}`} className="mono">{run.replayOf}</a></span>}
          </div>
        </div>
        <div className="button-row">
          {exceptions > 0 && <a className="btn" href={`#/dead-letters?runId=${encodeURIComponent(run.id)}`}>Dead letters of this run</a>}
          <a className="btn" href={`#/flows/${encodeURIComponent(run.flowId)}`}>Open flow</a>
          {canCancel && <button type="button" className="btn btn-danger" onClick={cancel}>Cancel run</button>}
        </div>
      </div>
      {actionError && <div className="callout callout-error">{actionError}</div>}
      {run.error && <div className="callout callout-error"><strong>{run.error.errorClass} error:</strong> {run.error.message}</div>}
      {run.reconciliation?.warnings?.map((w) => <div key={w.code + (w.expression ?? '')} className="callout callout-warning" data-testid="run-warning"><strong>{w.code}</strong> {w.message}</div>)}
      {exceptions > 0 && (
        <div className="callout callout-warning exceptions-banner">
          ⚑ {exceptions.toLocaleString()} {items ? (exceptions === 1 ? 'item needs' : 'items need') : (exceptions === 1 ? 'record needs' : 'records need')} attention: {shown.quarantined} quarantined, {shown.deadLettered} dead-lettered{groupExceptions > 0 ? `, and ${groupExceptions} group record(s) (${groups!.quarantined} quarantined, ${groups!.deadLettered} dead-lettered; a replay runs the group itself)` : ''}.
          {(run.reconciliation?.partiallyDelivered ?? 0) > 0 && ` ${run.reconciliation!.partiallyDelivered} source record(s) partially delivered: written to some targets, failed at others — replay completes only the missing targets.`}
        </div>
      )}

      <div className="stat-cards">
        <Stat label={items ? 'Source records read' : 'Read'} value={run.counts.read} />
        {items && <Stat label="Items (fan-out)" value={items.read} />}
        <Stat label={items ? 'Items delivered' : 'Delivered'} value={shown.delivered} tone="ok" />
        <Stat label="Quarantined" value={shown.quarantined} tone={shown.quarantined ? 'warn' : undefined} />
        <Stat label="Dead-lettered" value={shown.deadLettered} tone={shown.deadLettered ? 'err' : undefined} />
        <Stat label="Duplicates" value={shown.duplicate} />
        <Stat label="Filtered" value={shown.filtered} />
        {(shown.aggregated ?? 0) > 0 && <Stat label="Aggregated" value={shown.aggregated ?? 0} />}
        {run.reconciliation?.groups && <Stat label="Groups emitted" value={run.reconciliation.groups.counts.read} />}
        {run.reconciliation?.groups && <Stat label="Groups delivered" value={run.reconciliation.groups.counts.delivered} tone="ok" />}
      </div>

      <div className="run-grid">
        <section className="ops-card graph-card">
          <div className="card-head"><h3>Flow as it ran{run.version !== null ? ` (version ${run.version})` : ''}</h3><span className="muted small">Click a node for its figures</span></div>
          {version ? <RunGraph document={version.document} stats={nodes} selected={selected} onSelect={setSelected} /> : <p className="muted">The version of this run is not stored.</p>}
        </section>
        <section className="ops-card">
          <div className="card-head"><h3>Nodes</h3></div>
          <table className="mini-table">
            <thead><tr><th>Node</th><th className="num">In</th><th className="num">Out</th><th className="num">Invalid</th><th className="num">Errors</th><th className="num">Time</th></tr></thead>
            <tbody>
              {(version?.document.nodes ?? []).map((n) => {
                const s = nodes.find((x) => x.nodeId === n.id);
                return (
                  <tr key={n.id} className={`clickable ${n.id === selected ? 'selected' : ''}`} onClick={() => setSelected(n.id === selected ? null : n.id)}>
                    <td className="mono">{n.label || n.id}</td>
                    <td className="num">{s?.in ?? 0}</td><td className="num">{s?.out ?? 0}</td>
                    <td className={`num ${s?.invalid ? 'text-warning' : ''}`}>{s?.invalid ?? 0}</td>
                    <td className={`num ${s?.errors ? 'text-error' : ''}`}>{s?.errors ?? 0}</td>
                    <td className="num">{s ? formatSeconds(s.ms / 1000) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {selectedStats && <p className="muted small">{selected}: {selectedStats.in} in, {selectedStats.out} out, {formatSeconds(selectedStats.ms / 1000)} in total ({selectedStats.in ? formatSeconds(selectedStats.ms / 1000 / selectedStats.in) : '—'} a record).</p>}
          <div className="card-head"><h3>Timeline</h3></div>
          <ol className="timeline">
            {timeline.map((t, i) => (
              <li key={i} className={`tl-${t.event.replace(/\s.*/, '')}`}>
                <span className="tl-time">{formatDateTime(t.at)}</span>
                <span className="tl-event">{t.event[0].toUpperCase() + t.event.slice(1).replace(/_/g, ' ')}</span>
                {t.detail && <span className="tl-detail">{t.detail}</span>}
              </li>
            ))}
          </ol>
        </section>
      </div>

      <div className="run-grid run-grid-even">
        <section className="ops-card">
          <div className="card-head"><h3>Trigger</h3></div>
          <dl className="facts">
            <dt>Trigger</dt><dd><span className="chip chip-small">{run.trigger}</span></dd>
            <dt>Payload</dt><dd className="mono">{run.triggerRef ?? '—'}</dd>
            <dt>Queued</dt><dd>{formatDateTime(run.createdAt)}</dd>
            <dt>Finished</dt><dd>{formatDateTime(run.finishedAt)}</dd>
            <dt>Reference data</dt>
            <dd data-testid="run-reference-versions">
              {run.referenceVersions && Object.keys(run.referenceVersions).length
                ? Object.entries(run.referenceVersions).map(([name, v]) => (
                  <div key={name}><a href={`#/reference-data/${encodeURIComponent(v.set)}?version=${v.version}`} className="mono">{v.set}</a> version {v.version}{name !== v.set ? <span className="muted"> (as {name})</span> : null}</div>
                ))
                : '—'}
            </dd>
          </dl>
        </section>
        <section className="ops-card">
          <div className="card-head"><h3>Reconciliation</h3></div>
          <ReconciliationPanel reconciliation={run.reconciliation} />
        </section>
      </div>

      <section className="ops-card">
        <div className="card-head"><h3>Records</h3></div>
        <RunRecords run={run} />
      </section>
    </main>
  );
}

function Stat({ label, value, tone }: { label: string; value: number; tone?: 'ok' | 'warn' | 'err' }) {
  return (
    <div className={`stat-card ${tone ? `tone-${tone}` : ''}`}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value.toLocaleString()}</span>
    </div>
  );
}
