/** Connections per environment (admin): what each flow connection name is bound to, its secrets (names only), test, change, remove. */
import { useEffect, useState } from 'react';
import type { Connection } from '../../runtime/api/contract/schemas.ts';
import { errorMessage } from '../api-client.ts';
import { navigate, useLocation } from '../router.ts';
import { useAsync } from '../runs/use-async.ts';
import { useSession } from '../session.tsx';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';
import { relativeTime } from '../shell/format.ts';
import { AdminPage } from './admin-tabs.tsx';
import { ConnectionDialog } from './connection-dialog.tsx';

function describeSettings(c: Connection): string {
  const s = c.settings as Record<string, unknown>;
  if (s.embedded) return 'embedded database';
  return String(s.url ?? s.baseUrl ?? s.servers ?? (s.host ? `${s.username ?? ''}@${s.host}` : ''));
}

export function ConnectionsPage() {
  const { api } = useSession();
  const { query } = useLocation();
  const envs = useAsync(() => api.environments(), [api]);
  const environment = query.get('environment') ?? envs.data?.items[0]?.name ?? '';
  const list = useAsync(() => (environment ? api.connections(environment) : Promise.resolve({ items: [] })), [api, environment]);
  const [editing, setEditing] = useState<Connection | 'new' | null>(null);
  const [removing, setRemoving] = useState<Connection | null>(null);
  const [checks, setChecks] = useState<Record<string, { ok: boolean; message: string } | 'testing'>>({});
  useEffect(() => setChecks({}), [environment]);

  const test = async (c: Connection) => {
    setChecks((x) => ({ ...x, [c.name]: 'testing' }));
    const outcome = await api.testConnection(environment, c.name).catch((err) => ({ ok: false, message: errorMessage(err) }));
    setChecks((x) => ({ ...x, [c.name]: outcome }));
  };

  return (
    <AdminPage title="Connections" intro="Flows name their connections (ap, erp, bank); each environment binds those names to real systems. Secret values are write-only." actions={
      <button type="button" className="btn btn-primary" disabled={!environment} onClick={() => setEditing('new')}>New connection…</button>
    }>
      <div className="filter-bar">
        <label className="field-inline">
          <span className="field-label">Environment</span>
          <select value={environment} onChange={(e) => navigate(`/admin/connections?environment=${encodeURIComponent(e.target.value)}`, { replace: true })}>
            {envs.data?.items.map((e) => <option key={e.name} value={e.name}>{e.name}{e.requiresApproval ? ' (approval required)' : ''}</option>)}
          </select>
        </label>
      </div>
      {list.error && <div className="callout callout-error">{list.error}</div>}
      {list.data && list.data.items.length === 0 && <div className="empty-state"><h2>No connections in {environment}</h2><p className="muted">A flow that names a connection fails in {environment} until it is bound here.</p></div>}
      {list.data && list.data.items.length > 0 && (
        <table className="flows-table ops-table">
          <thead><tr><th>Name</th><th>Kind</th><th>Points at</th><th>Secrets</th><th>Changed</th><th>Test</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.data.items.map((c) => {
              const check = checks[c.name];
              return (
                <tr key={c.name} data-connection={c.name}>
                  <td className="mono"><strong>{c.name}</strong></td>
                  <td><span className="chip chip-small">{c.kind}</span></td>
                  <td><span className="truncate mono" title={describeSettings(c)}>{describeSettings(c)}</span></td>
                  <td>{c.secretNames.length ? c.secretNames.map((s) => <span key={s} className="chip chip-small" title="Set (value not shown)">{s} •••</span>) : <span className="muted">none</span>}</td>
                  <td className="muted" title={c.updatedAt}>{relativeTime(c.updatedAt)}{c.updatedBy ? ` by ${c.updatedBy}` : ''}</td>
                  <td data-testid={`check-${c.name}`}>
                    {check === 'testing' && <span className="muted">Testing…</span>}
                    {check && check !== 'testing' && <span className={check.ok ? 'check-ok' : 'check-failed'} role="status">{check.ok ? '✓ ' : '✗ '}{check.message}</span>}
                  </td>
                  <td>
                    <span className="row-buttons">
                      <button type="button" className="btn btn-small" onClick={() => test(c)} disabled={check === 'testing'}>Test connection</button>
                      <button type="button" className="btn btn-small" onClick={() => setEditing(c)}>Edit…</button>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => setRemoving(c)}>Remove…</button>
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {editing && <ConnectionDialog environment={environment} existing={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); list.reload(); }} />}
      {removing && (
        <ConfirmDialog title={`Remove ${removing.name} from ${environment}`} confirmLabel="Remove" danger onConfirm={() => api.deleteConnection(environment, removing.name).then(list.reload)} onClose={() => setRemoving(null)}>
          <p>Flows that use <strong>{removing.name}</strong> fail in {environment} until it is bound again. Its secrets are deleted.</p>
        </ConfirmDialog>
      )}
    </AdminPage>
  );
}
