/** Flows home: search, list with versions and deployments, create, duplicate, import, export. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api-client.ts';
import type { Environment, FlowSummary } from '../../runtime/api/contract/schemas.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.tsx';
import { EnvBadges } from '../shell/env-badges.tsx';
import { relativeTime } from '../shell/format.ts';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';
import { CreateFlowDialog, DuplicateFlowDialog } from './flow-dialogs.tsx';
import { ImportFlowButton } from './import-flow.tsx';

export function FlowsHome() {
  const { api, user } = useSession();
  const [search, setSearch] = useState('');
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [envs, setEnvs] = useState<Environment[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'duplicate'; flow: FlowSummary } | null>(null);
  const [menu, setMenu] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<FlowSummary | null>(null);
  const request = useRef(0);
  const canEdit = user.role !== 'operator';

  const load = useCallback((text: string) => {
    const n = ++request.current;
    api.listFlows(text || undefined).then(
      (r) => n === request.current && (setFlows(r.items), setError(null)),
      (err) => n === request.current && setError(errorMessage(err)),
    );
  }, [api]);

  useEffect(() => {
    const t = setTimeout(() => load(search.trim()), search ? 200 : 0);
    return () => clearTimeout(t);
  }, [search, load]);

  useEffect(() => {
    api.environments().then((r) => setEnvs(r.items), () => setEnvs([]));
  }, [api]);

  function remove(flow: FlowSummary) {
    setMenu(null);
    setDeleting(flow);
  }

  return (
    <main className="home">
      <div className="home-header">
        <div>
          <h1>Flows</h1>
          <p className="muted">Each flow moves records from a source, through mappings and checks, into a target system.</p>
        </div>
        <div className="home-actions">
          {canEdit && <ImportFlowButton onImported={(id) => navigate(`/flows/${encodeURIComponent(id)}`)} onError={setError} />}
          {canEdit && <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'create' })}>New flow</button>}
        </div>
      </div>
      <div className="home-toolbar">
        <input className="search-input" type="search" placeholder="Search flows by name, id or description" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search flows" />
        {flows && <span className="muted small">{flows.length} flow{flows.length === 1 ? '' : 's'}</span>}
      </div>
      {error && <div className="callout callout-error">{error}</div>}
      {deleting && (
        <ConfirmDialog title="Delete flow" confirmLabel="Delete" danger onConfirm={() => api.deleteFlow(deleting.id).then(() => load(search))} onClose={() => setDeleting(null)}>
          <p>Delete the flow “{deleting.name}” and all its versions? This cannot be undone.</p>
        </ConfirmDialog>
      )}
      {flows === null && !error && <div className="skeleton-list">{[0, 1, 2].map((i) => <div key={i} className="skeleton-row" />)}</div>}
      {flows && flows.length === 0 && (
        <div className="empty-state">
          <div className="empty-illustration">⇢</div>
          <h2>{search ? 'No flow matches your search' : 'No flows yet'}</h2>
          <p className="muted">{search ? 'Try another name or id.' : 'Create a flow from a starter, or import a flow file exported from another Ledgerflow.'}</p>
          {!search && canEdit && <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'create' })}>Create your first flow</button>}
        </div>
      )}
      {flows && flows.length > 0 && (
        <table className="flows-table">
          <thead>
            <tr>
              <th>Flow</th>
              <th>Latest version</th>
              <th>Running in</th>
              <th>Last change</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.id} onClick={() => navigate(`/flows/${encodeURIComponent(f.id)}`)} className="clickable">
                <td>
                  <a className="flow-name" href={`#/flows/${encodeURIComponent(f.id)}`} title={f.name} onClick={(e) => e.stopPropagation()}>{f.name}</a>
                  <div className="flow-meta"><code>{f.id}</code>{f.description && <span className="flow-desc"> · {f.description}</span>}</div>
                </td>
                <td>{f.latestVersion == null ? <span className="muted">Draft only</span> : <span className="version-pill">v{f.latestVersion}</span>}</td>
                <td><EnvBadges deployments={f.deployments} environments={envs} /></td>
                <td className="muted small nowrap">{relativeTime(f.updatedAt)}{f.updatedBy ? ` · ${f.updatedBy}` : ''}</td>
                {/* biome-ignore lint/a11y/useKeyWithClickEvents: only keeps a click on the actions from also opening the row; the buttons inside are the controls */}
                <td className="row-actions" onClick={(e) => e.stopPropagation()}>
                  <button type="button" className="icon-btn" aria-label={`Actions for ${f.name}`} onClick={() => setMenu(menu === f.id ? null : f.id)}>⋯</button>
                  {menu === f.id && (
                    <>
                      {/* biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useKeyWithClickEvents: pointer-only backdrop; the menu's own buttons close it */}
                      <div className="menu-backdrop" onClick={() => setMenu(null)} />
                      <div className="menu menu-right" role="menu">
                        <button type="button" className="menu-item" onClick={() => navigate(`/flows/${encodeURIComponent(f.id)}`)}>Open</button>
                        {canEdit && <button type="button" className="menu-item" onClick={() => { setMenu(null); setDialog({ kind: 'duplicate', flow: f }); }}>Duplicate…</button>}
                        <a className="menu-item" href={api.exportUrl(f.id)} download={`${f.id}.flow.json`} onClick={() => setMenu(null)}>Export file</a>
                        {user.role === 'admin' && <button type="button" className="menu-item danger" onClick={() => remove(f)}>Delete…</button>}
                      </div>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog?.kind === 'create' && <CreateFlowDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'duplicate' && <DuplicateFlowDialog flow={dialog.flow} onClose={() => setDialog(null)} onDone={() => load(search)} />}
    </main>
  );
}
