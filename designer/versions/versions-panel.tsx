/** Version history: who saved what and when, where it runs, and comparisons. */
import { useState } from 'react';
import { useEditor } from '../editor-context.tsx';
import { relativeTime } from '../shell/format.ts';
import { useDesignerStoreApi } from '../store/store-context.tsx';

export default function VersionsPanel() {
  const store = useDesignerStoreApi();
  const { versions, deployments, readOnly } = useEditor();
  const [from, setFrom] = useState<string>('');
  const [to, setTo] = useState<string>('draft');
  const liveIn = (v: number) => Object.entries(deployments).filter(([, x]) => x === v).map(([env]) => env);
  const show = (a: number | 'draft', b: number | 'draft') => store.getState().showDiff({ from: a, to: b });

  if (versions === null) return <p className="muted">Loading versions…</p>;
  if (versions.length === 0) {
    return (
      <div className="empty-panel">
        <strong>No versions yet</strong>
        <span className="muted">The draft is saved as you work. Save a version when the flow is ready: versions are immutable, can be compared, deployed and promoted.</span>
        {!readOnly && <button type="button" className="btn btn-primary" onClick={() => store.getState().openDialog('save-version')}>Save the first version…</button>}
      </div>
    );
  }
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const value = (s: string) => (s === 'draft' ? 'draft' : Number(s));
  return (
    <div className="versions-panel">
      <form className="compare-bar" onSubmit={(e) => { e.preventDefault(); if (from) show(value(from), value(to)); }}>
        <span>Compare</span>
        <select value={from} onChange={(e) => setFrom(e.target.value)} aria-label="From version">
          <option value="">choose…</option>
          {sorted.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
        </select>
        <span>with</span>
        <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="To version">
          <option value="draft">the draft</option>
          {sorted.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
        </select>
        <button type="submit" className="btn btn-small" disabled={!from || from === to}>Show on canvas</button>
      </form>
      <table className="mini-table versions-table">
        <thead><tr><th>Version</th><th>Message</th><th>Author</th><th>Saved</th><th>Tests</th><th>Live in</th><th /></tr></thead>
        <tbody>
          {sorted.map((v, i) => (
            <tr key={v.version}>
              <td><span className="version-pill">v{v.version}</span></td>
              <td className="version-message">{v.message}</td>
              <td>{v.author}</td>
              <td className="muted" title={v.createdAt}>{relativeTime(v.createdAt)}</td>
              <td>{v.testsPassed === null ? <span className="muted">—</span> : v.testsPassed ? <span className="text-ok">✓ passed</span> : <span className="text-error">✗ failing</span>}</td>
              <td>{liveIn(v.version).map((env) => <span key={env} className={`env-badge env-${env}`}><span className="env-name">{env}</span></span>)}</td>
              <td>
                <span className="row-buttons">
                  {sorted[i + 1] && <button type="button" className="link-btn" onClick={() => show(sorted[i + 1].version, v.version)}>changes</button>}
                  <button type="button" className="link-btn" onClick={() => show(v.version, 'draft')}>vs draft</button>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
