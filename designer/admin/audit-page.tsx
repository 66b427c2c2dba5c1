/** The audit log (admin): who changed what and when, filtered by who, what, flow and time; each entry's before and after. */
import { useEffect, useState } from 'react';
import type { AuditEntry } from '../../runtime/api/contract/schemas.ts';
import { navigate, useLocation } from '../router.ts';
import { useAsync } from '../runs/use-async.ts';
import { useSession } from '../session.tsx';
import { JsonView } from '../shell/json-view.tsx';
import { AdminPage } from './admin-tabs.tsx';
import { CursorPager } from '../shell/cursor-pager.tsx';

const ENTITIES = ['flow', 'version', 'deployment', 'promotion', 'connection', 'user', 'token', 'dead-letter', 'trigger', 'reference-data', 'run', 'retention', 'subflow', 'login'];

/** A date input's day as the start (or the end, exclusive) of that day in the browser's time zone, as ISO. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

export function AuditPage() {
  const { api } = useSession();
  const { query } = useLocation();
  const f = { actor: query.get('actor') ?? '', entity: query.get('entity') ?? '', action: query.get('action') ?? '', flow: query.get('flow') ?? '', from: query.get('from') ?? '', to: query.get('to') ?? '' };
  const key = JSON.stringify(f);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => setCursors([null]), [key]);
  const users = useAsync(() => api.users(), [api]);
  const flows = useAsync(() => api.listFlows(), [api]);
  const page = useAsync(() => api.audit({
    actor: f.actor || undefined, entity: f.entity || undefined, action: f.action || undefined, flow: f.flow || undefined,
    since: dayBound(f.from, false), until: dayBound(f.to, true), cursor: cursors[cursors.length - 1], limit: 50,
  }), [key, cursors]);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(query);
    if (v) next.set(k, v); else next.delete(k);
    navigate(`/admin/audit?${next.toString()}`, { replace: true });
  };

  return (
    <AdminPage title="Audit log" intro="Every change — flows, versions, deployments, promotions, connections, users, replays — with who made it, when, and the state before and after. Secret values never appear.">
      <div className="filter-bar">
        <select aria-label="Who" value={f.actor} onChange={(e) => set('actor', e.target.value)}>
          <option value="">Anyone</option>
          {users.data?.items.map((u) => <option key={u.id} value={u.username}>{u.username}</option>)}
        </select>
        <select aria-label="What" value={f.entity} onChange={(e) => set('entity', e.target.value)}>
          <option value="">Any kind of change</option>
          {ENTITIES.map((e) => <option key={e} value={e}>{e}</option>)}
        </select>
        <input aria-label="Action" placeholder="Action, e.g. deployment.rolled-back" value={f.action} onChange={(e) => set('action', e.target.value.trim())} />
        <select aria-label="Flow" value={f.flow} onChange={(e) => set('flow', e.target.value)}>
          <option value="">All flows</option>
          {flows.data?.items.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
        </select>
        <label className="field-inline"><span className="field-label">From</span><input type="date" value={f.from} onChange={(e) => set('from', e.target.value)} /></label>
        <label className="field-inline"><span className="field-label">To</span><input type="date" value={f.to} onChange={(e) => set('to', e.target.value)} /></label>
      </div>
      {page.error && <div className="callout callout-error">{page.error}</div>}
      {page.data && page.data.items.length === 0 && <div className="empty-state"><h2>No entries match</h2></div>}
      {page.data && page.data.items.length > 0 && (
        <table className="flows-table ops-table audit-table">
          <thead><tr><th>When</th><th>Who</th><th>Action</th><th>About</th><th><span className="sr-only">Details</span></th></tr></thead>
          <tbody>
            {page.data.items.map((e) => <AuditRow key={e.id} entry={e} open={open === e.id} onToggle={() => setOpen(open === e.id ? null : e.id)} />)}
          </tbody>
        </table>
      )}
      {page.data && <CursorPager cursors={cursors} nextCursor={page.data.nextCursor} onChange={setCursors} />}
    </AdminPage>
  );
}

function AuditRow({ entry, open, onToggle }: { entry: AuditEntry; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr data-action={entry.action}>
        <td className="nowrap" title={entry.at}>{new Date(entry.at).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })}</td>
        <td>{entry.actor}</td>
        <td className="mono">{entry.action}</td>
        <td><span className="chip chip-small">{entry.entity}</span> <span className="mono truncate" title={entry.entityId}>{entry.entityId}</span></td>
        <td><button type="button" className="btn btn-small" aria-expanded={open} onClick={onToggle}>{open ? 'Hide' : 'Before / after'}</button></td>
      </tr>
      {open && (
        <tr className="audit-detail">
          <td colSpan={5}>
            <div className="audit-change">
              <div><div className="field-label">Before</div><JsonView value={entry.before ?? undefined} /></div>
              <div><div className="field-label">After</div><JsonView value={entry.after ?? undefined} /></div>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
