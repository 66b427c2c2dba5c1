/** The dead-letter queue: by flow, error class and age; open one's lineage; replay or discard a selection, or all of a run. */
import { useEffect, useMemo, useState } from 'react';
import { navigate, useLocation } from '../router.ts';
import { useSession } from '../session.tsx';
import { relativeTime } from '../shell/format.ts';
import { isTerminal, type DeadLetterStatus, type ErrorClass, type ReplayAgainst, type ReplayReference } from '../../runtime/api/contract/enums.ts';
import type { DeadLetter as ListedDeadLetter, RunRow } from '../../runtime/api/contract/schemas.ts';
import { RunStatusPill } from '../runs/status-pill.tsx';
import { figureLevels } from '../runs/figure-levels.ts';
import { useAsync } from '../runs/use-async.ts';
import { DiscardDialog, ReplayDialog } from './replay-dialogs.tsx';
import './operations.css';
import { CursorPager } from '../shell/cursor-pager.tsx';

const CLASSES = ['validation', 'mapping', 'transient', 'permanent'] as const;
const AGES: { label: string; hours: number | null }[] = [{ label: 'Any age', hours: null }, { label: 'Older than 1 hour', hours: 1 }, { label: 'Older than 1 day', hours: 24 }, { label: 'Older than 7 days', hours: 168 }];

export function DeadLettersPage() {
  const { api, user } = useSession();
  const { query } = useLocation();
  const f = { flow: query.get('flow') ?? '', errorClass: query.get('errorClass') ?? '', status: query.get('status') ?? 'open', age: query.get('age') ?? '', runId: query.get('runId') ?? '' };
  const key = JSON.stringify(f);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [dialog, setDialog] = useState<'replay' | 'replay-run' | 'discard' | null>(null);
  const [replayRun, setReplayRun] = useState<RunRow | null>(null);
  useEffect(() => { setCursors([null]); setSelected(new Set()); }, [key]);

  const flows = useAsync(() => api.listFlows(), [api]);
  const page = useAsync(() => {
    const hours = Number(f.age) || 0;
    return api.deadLetters({
      flow: f.flow || undefined, errorClass: (f.errorClass || undefined) as ErrorClass | undefined, status: f.status as DeadLetterStatus, runId: f.runId || undefined,
      olderThan: hours ? new Date(Date.now() - hours * 3600_000).toISOString() : undefined, cursor: cursors[cursors.length - 1],
    });
  }, [key, cursors]);

  // A queued replay is followed until it finishes, so the operator sees what it delivered.
  const { reload } = page;
  useEffect(() => {
    if (!replayRun) return;
    if (isTerminal(replayRun.status)) {
      reload();
      return;
    }
    const t = setTimeout(() => api.run(replayRun.id).then((d) => setReplayRun(d.run)), 700);
    return () => clearTimeout(t);
  }, [replayRun, reload]);
  // A replay of fan-out entries is counted per item: "1 source record → 5 items: 5 delivered".
  const replayLevels = replayRun ? figureLevels(replayRun.counts, replayRun.reconciliation) : null;
  const replayShown = replayLevels ? (replayLevels.items ?? replayLevels.records) : null;

  const set = (k: string, v: string) => {
    const next = new URLSearchParams(query);
    if (v) next.set(k, v); else next.delete(k);
    navigate(`/dead-letters?${next.toString()}`, { replace: true });
  };
  const items = page.data?.items ?? [];
  const chosen = items.filter((d) => selected.has(d.id));
  const scope: ListedDeadLetter[] = dialog === 'replay-run' ? items : chosen;
  const flowInfo = useMemo(() => new Map((flows.data?.items ?? []).map((x) => [x.id, x])), [flows.data]);
  const first = scope[0];
  const deployedVersion = first ? flowInfo.get(first.flowId)?.deployments[first.environment ?? ''] ?? null : null;
  const canAct = user.role === 'operator' || user.role === 'admin';
  const toggle = (id: number) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const allChosen = items.length > 0 && items.every((d) => selected.has(d.id));

  const replay = async (against: ReplayAgainst, reference: ReplayReference) => {
    const body = dialog === 'replay-run' ? { runId: f.runId, against, reference } : { ids: chosen.map((d) => d.id), against, reference };
    const { runId } = await api.replay(body);
    setSelected(new Set());
    setReplayRun((await api.run(runId)).run);
  };
  const discard = async (reason: string) => {
    await api.discard(chosen.map((d) => d.id), reason);
    setSelected(new Set());
    page.reload();
  };

  return (
    <main className="ops-page ops-wide">
      <div className="home-header">
        <div>
          <h1>Dead letters</h1>
          <p className="muted">Records that need a person: quarantined by validation, or dead-lettered by mapping or target errors. Fix the flow, then replay.</p>
        </div>
      </div>

      <div className="class-cards">
        {CLASSES.map((c) => (
          <button type="button" key={c} className={`class-card class-${c} ${f.errorClass === c ? 'active' : ''}`} onClick={() => set('errorClass', f.errorClass === c ? '' : c)}>
            <span className="stat-label">{c}</span>
            <span className="stat-value">{(page.data?.countsByClass[c] ?? 0).toLocaleString()}</span>
            <span className="muted small">{f.status} {f.flow ? `in ${flowInfo.get(f.flow)?.name ?? f.flow}` : 'in all flows'}</span>
          </button>
        ))}
      </div>

      <div className="filter-bar">
        <div className="segmented" role="group" aria-label="Status">
          {['open', 'replayed', 'discarded'].map((s) => <button type="button" key={s} className={f.status === s ? 'active' : ''} onClick={() => set('status', s)}>{s[0].toUpperCase() + s.slice(1)}</button>)}
        </div>
        <select aria-label="Flow" value={f.flow} onChange={(e) => set('flow', e.target.value)}>
          <option value="">All flows</option>
          {flows.data?.items.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
        </select>
        <select aria-label="Age" value={f.age} onChange={(e) => set('age', e.target.value === 'null' ? '' : e.target.value)}>
          {AGES.map((a) => <option key={a.label} value={String(a.hours)}>{a.label}</option>)}
        </select>
        {f.runId && <span className="chip">run <span className="mono">{f.runId}</span><button type="button" className="icon-btn" aria-label="Clear run filter" onClick={() => set('runId', '')}>✕</button></span>}
      </div>

      {replayRun && (
        <div className={`callout ${replayShown!.quarantined + replayShown!.deadLettered ? 'callout-warning' : 'callout-ok'} replay-result`} role="status">
          Replay run <a href={`#/runs/${encodeURIComponent(replayRun.id)}`} className="mono">{replayRun.id}</a> <RunStatusPill status={replayRun.status} />{' '}
          {!isTerminal(replayRun.status) ? 'in progress…' : (
            <span className="replay-counts">
              {replayLevels!.items ? `${replayRun.counts.read} source record${replayRun.counts.read === 1 ? '' : 's'} → ${replayShown!.read} item${replayShown!.read === 1 ? '' : 's'}: ` : `${replayRun.counts.read} record${replayRun.counts.read === 1 ? '' : 's'}: `}
              {replayShown!.delivered} delivered · {replayShown!.duplicate} duplicate (already delivered, skipped) · {replayShown!.quarantined + replayShown!.deadLettered} failed again
            </span>
          )}
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => setReplayRun(null)}>✕</button>
        </div>
      )}

      {canAct && (
        <div className="selection-bar">
          <span className="muted">{chosen.length ? `${chosen.length} selected` : 'Select dead letters to replay or discard'}</span>
          <span className="spacer" />
          {f.runId && f.status === 'open' && items.length > 0 && <button type="button" className="btn" onClick={() => setDialog('replay-run')}>Replay all of this run…</button>}
          <button type="button" className="btn btn-primary" disabled={!chosen.length || f.status === 'discarded'} onClick={() => setDialog('replay')}>{f.status === 'replayed' ? 'Replay again…' : 'Replay…'}</button>
          <button type="button" className="btn btn-danger" disabled={!chosen.length || f.status !== 'open'} onClick={() => setDialog('discard')}>Discard…</button>
        </div>
      )}

      {page.error && <div className="callout callout-error">{page.error}</div>}
      {page.data && items.length === 0 && <div className="empty-state"><div className="empty-illustration">✓</div><h2>No {f.status} dead letters</h2><p className="muted">Nothing here matches the filters.</p></div>}
      {items.length > 0 && (
        <table className="flows-table ops-table dlq-table">
          <thead>
            <tr>
              {canAct && <th className="check"><input type="checkbox" aria-label="Select all" checked={allChosen} onChange={() => setSelected(allChosen ? new Set() : new Set(items.map((d) => d.id)))} /></th>}
              <th>Business key</th><th>Class</th><th>Why</th><th>Flow</th><th>Run</th><th>Age</th>{f.status !== 'open' && <th>Status</th>}<th />
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} className={selected.has(d.id) ? 'selected' : ''} data-business-key={d.businessKey ?? ''}>
                {canAct && <td className="check"><input type="checkbox" aria-label={`Select ${d.businessKey ?? d.lineageKey}`} checked={selected.has(d.id)} onChange={() => toggle(d.id)} /></td>}
                <td className="mono">{d.businessKey ?? <span className="muted">{d.lineageKey}</span>}</td>
                <td><span className={`class-pill class-${d.errorClass}`}>{d.errorClass}</span></td>
                <td className="dlq-why" title={d.error.message}>{d.error.message}<div className="flow-meta">at {d.nodeId} · {d.disposition.replace('_', '-')}</div></td>
                <td className="flow-col"><span className="truncate" title={flowInfo.get(d.flowId)?.name ?? d.flowId}>{flowInfo.get(d.flowId)?.name ?? d.flowId}</span>{d.version !== null && <> <span className="version-pill">v{d.version}</span></>}</td>
                <td><a className="mono small truncate" title={d.runId} href={`#/runs/${encodeURIComponent(d.runId)}`}>{d.runId}</a></td>
                <td className="nowrap" title={d.createdAt}>{relativeTime(d.createdAt)}</td>
                {f.status !== 'open' && <td className="small">{d.status}{d.statusReason && <div className="flow-meta truncate" title={d.statusReason}>{d.statusReason}</div>}</td>}
                <td className="nowrap"><a className="btn btn-small" href={`#/runs/${encodeURIComponent(d.runId)}/records/${encodeURIComponent(d.lineageKey)}`}>Lineage</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.data && <CursorPager cursors={cursors} nextCursor={page.data.nextCursor} onChange={setCursors} />}

      {(dialog === 'replay' || dialog === 'replay-run') && (
        <ReplayDialog
          count={scope.length} environment={first?.environment ?? null} deployedVersion={deployedVersion}
          failedVersions={[...new Set(scope.map((d) => d.version).filter((v): v is number => v !== null))]}
          onReplay={replay} onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'discard' && <DiscardDialog count={chosen.length} onDiscard={discard} onClose={() => setDialog(null)} />}
    </main>
  );
}
