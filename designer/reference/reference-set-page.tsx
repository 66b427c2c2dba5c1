/** One reference data set: its versions (who loaded what, when) and the rows of the chosen one. */
import { useState } from 'react';
import { navigate, useLocation } from '../router.ts';
import { useSession } from '../session.tsx';
import { formatDateTime } from '../runs/ops-format.ts';
import { useAsync } from '../runs/use-async.ts';
import { keyedBy } from './keyed-by.ts';
import { UploadReferenceDialog } from './upload-reference-dialog.tsx';
import '../operations/operations.css';
import './reference.css';

const ROWS_SHOWN = 200;

const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function ReferenceSetPage({ params }: { params: Record<string, string> }) {
  const { api, user } = useSession();
  const { query } = useLocation();
  const set = params.set;
  const chosen = query.get('version') ? Number(query.get('version')) : undefined;
  const history = useAsync(() => api.call('GET /api/reference-data/{set}/versions', { params: { set } }), [api, set]);
  const rows = useAsync(() => api.call('GET /api/reference-data/{set}/rows', { params: { set }, query: { version: chosen, limit: ROWS_SHOWN } }), [api, set, chosen]);
  const [uploading, setUploading] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const shown = rows.data;
  const fields = shown ? [...new Set(shown.rows.flatMap((r) => Object.keys(r)))] : [];
  const show = (version: number) => navigate(`/reference-data/${encodeURIComponent(set)}?version=${version}`);

  return (
    <main className="ops-page ops-wide">
      <div className="home-header">
        <div>
          <p className="muted"><a href="#/reference-data">Reference data</a> /</p>
          <h1 className="mono truncate" title={set}>{set}</h1>
          {history.data && <p className="muted">Version {history.data.current.version} is current · keyed by {keyedBy(history.data.current)}</p>}
        </div>
        {user.role === 'admin' && history.data && <button type="button" className="btn btn-primary" onClick={() => setUploading(true)}>Upload new version</button>}
      </div>
      {notice && <div className="callout callout-info" role="status">{notice}</div>}
      {(history.error || rows.error) && <div className="callout callout-error">{history.error ?? rows.error}</div>}
      {history.data && (
        <section className="ops-card">
          <div className="card-head"><h3>Versions</h3></div>
          <table className="flows-table ops-table" aria-label="Versions">
            <thead><tr><th className="num">Version</th><th className="num">Rows</th><th>Keyed by</th><th>File</th><th>Loaded by</th><th>Loaded</th><th /></tr></thead>
            <tbody>
              {history.data.versions.map((v) => (
                <tr key={v.version} className={shown?.version === v.version ? 'row-selected' : ''}>
                  <td className="num">{v.version}{v.version === history.data!.current.version ? <span className="chip chip-small chip-added"> current</span> : null}</td>
                  <td className="num">{v.rowCount.toLocaleString()}</td>
                  <td>{keyedBy(v)}</td>
                  <td className="mono small"><span className="ref-cell" title={v.sourceName ?? ''}>{v.sourceName ?? '—'}</span></td>
                  <td>{v.loadedBy ?? '—'}</td>
                  <td className="nowrap">{formatDateTime(v.loadedAt)}</td>
                  <td><button type="button" className="btn btn-small" onClick={() => show(v.version)} disabled={shown?.version === v.version}>Show rows</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {shown && (
        <section className="ops-card">
          <div className="card-head"><h3>Rows of version {shown.version}</h3>{shown.truncated && <span className="muted small">the first {ROWS_SHOWN} of {shown.rowCount.toLocaleString()}</span>}</div>
          <div className="table-scroll">
            <table className="flows-table ops-table" aria-label={`Rows of version ${shown.version}`}>
              <thead><tr>{fields.map((f) => <th key={f}>{f}{shown.keyFields.includes(f) ? <span className="chip chip-small ref-key">key</span> : null}</th>)}</tr></thead>
              <tbody>{shown.rows.map((r, i) => <tr key={i}>{fields.map((f) => <td key={f} className="mono small"><span className="ref-cell" title={cell(r[f])}>{cell(r[f])}</span></td>)}</tr>)}</tbody>
            </table>
          </div>
        </section>
      )}
      {uploading && history.data && (
        <UploadReferenceDialog
          replacing={history.data.current}
          onClose={() => setUploading(false)}
          onLoaded={(v, unchanged) => {
            setUploading(false);
            setNotice(unchanged ? `The file holds what version ${v.version} holds: no new version.` : `Loaded ${v.rowCount} row(s) as version ${v.version}.`);
            history.reload();
            if (chosen === undefined) rows.reload();
            else navigate(`/reference-data/${encodeURIComponent(set)}`);
          }}
        />
      )}
    </main>
  );
}
