/** Reference (master) data sets: every set at its current version; admins upload new ones. */
import { useState } from 'react';
import { navigate } from '../router.ts';
import { useSession } from '../session.tsx';
import { formatDateTime } from '../runs/ops-format.ts';
import { useAsync } from '../runs/use-async.ts';
import { keyedBy } from './keyed-by.ts';
import { UploadReferenceDialog } from './upload-reference-dialog.tsx';
import '../operations/operations.css';
import './reference.css';

export function ReferenceDataPage() {
  const { api, user } = useSession();
  const sets = useAsync(() => api.call('GET /api/reference-data'), [api]);
  const [uploading, setUploading] = useState(false);
  const items = sets.data?.items ?? [];

  return (
    <main className="ops-page ops-wide">
      <div className="home-header">
        <div><h1>Reference data</h1><p className="muted">Master data flows validate and enrich against: each upload is a new version, audited; a run records the version it read.</p></div>
        {user.role === 'admin' && <button type="button" className="btn btn-primary" onClick={() => setUploading(true)}>Upload reference data</button>}
      </div>
      {sets.error && <div className="callout callout-error">{sets.error}</div>}
      {sets.data && items.length === 0 && <div className="empty-state"><div className="empty-illustration">⌗</div><h2>No reference data sets</h2><p className="muted">{user.role === 'admin' ? 'Upload a CSV or JSON file to start one.' : 'An admin uploads them.'}</p></div>}
      {items.length > 0 && (
        <table className="flows-table ops-table">
          <thead><tr><th>Set</th><th className="num">Version</th><th className="num">Rows</th><th>Keyed by</th><th>File</th><th>Loaded by</th><th>Loaded</th></tr></thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.set}>
                <td><a href={`#/reference-data/${encodeURIComponent(s.set)}`} className="mono ref-cell" title={s.set}>{s.set}</a></td>
                <td className="num">{s.version}</td>
                <td className="num">{s.rowCount.toLocaleString()}</td>
                <td>{keyedBy(s)}</td>
                <td className="mono small"><span className="ref-cell" title={s.sourceName ?? ''}>{s.sourceName ?? '—'}</span></td>
                <td>{s.loadedBy ?? '—'}</td>
                <td className="nowrap">{formatDateTime(s.loadedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {uploading && <UploadReferenceDialog onClose={() => setUploading(false)} onLoaded={(v) => navigate(`/reference-data/${encodeURIComponent(v.set)}`)} />}
    </main>
  );
}
