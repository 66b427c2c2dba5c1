/** All runs across flows: filters, counts per status, pages, live while runs are in progress. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { navigate, useLocation } from '../router.ts';
import { useSession } from '../session.tsx';
import { relativeTime } from '../shell/format.ts';
import '../operations/operations.css';
import { runDuration, STATUS_LABEL, TRIGGERS } from './ops-format.ts';
import { followRuns } from '../api-client.ts';
import type { RunFilters, RunRow } from '../../runtime/api/contract/schemas.ts';
import { RUN_STATUSES } from '../../runtime/api/contract/enums.ts';
import { RunStatusPill } from './status-pill.tsx';
import { useAsync } from './use-async.ts';
import { RunFlowDialog } from './run-flow-dialog.tsx';
import { CursorPager } from '../shell/cursor-pager.tsx';

const RANGES: { label: string; hours: number | null }[] = [
  { label: 'Any time', hours: null }, { label: 'Last hour', hours: 1 }, { label: 'Last 24 hours', hours: 24 }, { label: 'Last 7 days', hours: 168 }, { label: 'Last 30 days', hours: 720 },
];

function filtersOf(query: URLSearchParams): RunFilters & { range?: string } {
  const get = (k: string) => query.get(k) ?? undefined;
  return { flow: get('flow'), environment: get('environment'), status: get('status') as RunFilters['status'], trigger: get('trigger'), hasExceptions: get('hasExceptions') as RunFilters['hasExceptions'], range: get('range') };
}

export function RunsPage() {
  const { api } = useSession();
  const { query } = useLocation();
  const filters = filtersOf(query);
  const key = JSON.stringify(filters);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [live, setLive] = useState(true);
  const [runOpen, setRunOpen] = useState(false);
  useEffect(() => setCursors([null]), [key]);
  const cursor = cursors[cursors.length - 1];

  const flows = useAsync(() => api.listFlows(), [api]);
  const envs = useAsync(() => api.environments(), [api]);
  const page = useAsync(() => {
    const { range, ...rest } = filters;
    const hours = RANGES.find((r) => String(r.hours) === range)?.hours;
    return api.runs({ ...rest, since: hours ? new Date(Date.now() - hours * 3600_000).toISOString() : undefined }, cursor);
  }, [key, cursor]);

  // Live: every run change reloads the page (debounced), so counts and order stay the server's.
  const reloadRef = useRef(page.reload);
  reloadRef.current = page.reload;
  useEffect(() => {
    if (!live) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reload = () => {
      clearTimeout(timer);
      timer = setTimeout(() => reloadRef.current(), 300);
    };
    // Also on (re)connecting: changes while the stream was not open sent no event.
    const stop = followRuns(reload, filters.flow, reload);
    return () => { clearTimeout(timer); stop(); };
  }, [live, filters.flow]);

  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(query);
    if (v) next.set(k, v); else next.delete(k);
    const qs = next.toString();
    navigate(`/runs${qs ? `?${qs}` : ''}`, { replace: true });
  };
  const flowName = useMemo(() => new Map((flows.data?.items ?? []).map((f) => [f.id, f.name])), [flows.data]);
  const counts: Record<string, number> = page.data?.statusCounts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const inProgress = (counts.queued ?? 0) + (counts.running ?? 0);

  return (
    <main className="ops-page ops-wide">
      <div className="home-header">
        <div>
          <h1>Runs</h1>
          <p className="muted">Every run of every flow, newest first. {inProgress > 0 ? `${inProgress} in progress.` : ''}</p>
        </div>
        <div className="spacer" />
        <button type="button" className="btn btn-primary" onClick={() => setRunOpen(true)}>▶ Run a flow…</button>
        {runOpen && <RunFlowDialog initialFlowId={filters.flow} onClose={() => setRunOpen(false)} />}
        <label className="toggle" title="Follow run changes as they happen (server-sent events)">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} />
          <span className="toggle-track"><span className="toggle-thumb" /></span>
          Live updates
        </label>
      </div>

      <div className="status-tabs" role="tablist" aria-label="Runs by status">
        <button type="button" role="tab" className={!filters.status ? 'active' : ''} onClick={() => set('status', undefined)}>All <span className="tab-badge">{total}</span></button>
        {RUN_STATUSES.map((s) => (
          <button type="button" key={s} role="tab" className={`${filters.status === s ? 'active' : ''} tab-${s}`} onClick={() => set('status', s)}>
            {STATUS_LABEL[s]} <span className={`tab-badge count-${s}`}>{counts[s] ?? 0}</span>
          </button>
        ))}
      </div>

      <div className="filter-bar">
        <select aria-label="Flow" value={filters.flow ?? ''} onChange={(e) => set('flow', e.target.value)}>
          <option value="">All flows</option>
          {flows.data?.items.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
        </select>
        <select aria-label="Environment" value={filters.environment ?? ''} onChange={(e) => set('environment', e.target.value)}>
          <option value="">All environments</option>
          {envs.data?.items.map((e) => <option key={e.name} value={e.name}>{e.name}</option>)}
        </select>
        <select aria-label="Trigger" value={filters.trigger ?? ''} onChange={(e) => set('trigger', e.target.value)}>
          <option value="">Any trigger</option>
          {TRIGGERS.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <select aria-label="Time range" value={filters.range ?? ''} onChange={(e) => set('range', e.target.value === 'null' ? undefined : e.target.value)}>
          {RANGES.map((r) => <option key={r.label} value={String(r.hours)}>{r.label}</option>)}
        </select>
        <label className="toggle">
          <input type="checkbox" checked={filters.hasExceptions === 'true'} onChange={(e) => set('hasExceptions', e.target.checked ? 'true' : undefined)} />
          <span className="toggle-track"><span className="toggle-thumb" /></span>
          Has exceptions
        </label>
      </div>

      {page.error && <div className="callout callout-error">{page.error}</div>}
      {!page.data && page.loading && <div className="skeleton-list">{[0, 1, 2, 3].map((i) => <div key={i} className="skeleton-row" />)}</div>}
      {page.data && page.data.items.length === 0 && (
        <div className="empty-state"><div className="empty-illustration">◎</div><h2>No runs match</h2><p className="muted">Runs appear here when a flow runs by hand, on a webhook, a schedule, polling or a replay.</p></div>
      )}
      {page.data && page.data.items.length > 0 && (
        <table className="flows-table ops-table">
          <thead>
            <tr><th>Status</th><th>Flow</th><th>Environment</th><th>Trigger</th><th>Started</th><th>Duration</th><th className="num">Read</th><th className="num">Delivered</th><th className="num">Exceptions</th><th className="num">Duplicates</th></tr>
          </thead>
          <tbody>
            {page.data.items.map((r) => <RunRowView key={r.id} run={r} flowName={flowName.get(r.flowId)} />)}
          </tbody>
        </table>
      )}
      {page.data && <CursorPager cursors={cursors} nextCursor={page.data.nextCursor} onChange={setCursors} />}
    </main>
  );
}

function RunRowView({ run, flowName }: { run: RunRow; flowName?: string }) {
  const exceptions = run.counts.quarantined + run.counts.deadLettered;
  const open = () => navigate(`/runs/${encodeURIComponent(run.id)}`);
  return (
    <tr className={`clickable ${exceptions ? 'row-exceptions' : ''}`} onClick={open} data-run-id={run.id}>
      <td className="nowrap"><RunStatusPill status={run.status} /></td>
      <td>
        <a href={`#/runs/${encodeURIComponent(run.id)}`} className="flow-name" title={flowName ?? run.flowId} onClick={(e) => e.stopPropagation()}>{flowName ?? run.flowId}</a>
        <div className="flow-meta mono truncate" title={run.id}>{run.id}{run.version !== null ? ` · v${run.version}` : ''}</div>
      </td>
      <td>{run.environment ? <span className={`env-badge env-${run.environment}`}><span className="env-name">{run.environment}</span></span> : '—'}</td>
      <td><span className="chip chip-small">{run.trigger}</span>{run.triggerRef && <div className="flow-meta truncate" title={run.triggerRef}>{run.triggerRef}</div>}</td>
      <td className="nowrap" title={run.createdAt}>{relativeTime(run.startedAt ?? run.createdAt)}</td>
      <td className="nowrap">{runDuration(run)}</td>
      <td className="num">{run.counts.read.toLocaleString()}</td>
      <td className="num">{run.counts.delivered.toLocaleString()}</td>
      <td className="num">
        {exceptions ? <span className="exception-flag" title={`${run.counts.quarantined} quarantined, ${run.counts.deadLettered} dead-lettered`}>⚑ {exceptions.toLocaleString()}</span> : <span className="muted">0</span>}
        {(run.reconciliation?.partiallyDelivered ?? 0) > 0 && <div className="flow-meta text-error" data-testid="partially-delivered">{run.reconciliation!.partiallyDelivered} partially delivered</div>}
      </td>
      <td className="num">{run.counts.duplicate ? run.counts.duplicate.toLocaleString() : <span className="muted">0</span>}</td>
    </tr>
  );
}
