/** Where is invoice INV-…? Every record whose business key (or fan-out item key) starts with the text, across runs and flows, newest first. */
import { useState } from 'react';
import { navigate, useLocation } from '../router.ts';
import { relativeTime } from '../shell/format.ts';
import { formatAmount, formatDateTime } from './ops-format.ts';
import '../operations/operations.css';
import { api } from '../api-client.ts';
import type { StoredTrace } from '../../runtime/api/contract/schemas.ts';
import { OutcomePill } from './status-pill.tsx';
import { useAsync } from './use-async.ts';

export function SearchPage() {
  const { query } = useLocation();
  const key = query.get('businessKey') ?? '';
  const [text, setText] = useState(key);
  const [more, setMore] = useState<StoredTrace[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const result = useAsync(async () => {
    setMore([]);
    if (!key) return null;
    const page = await api.search(key);
    setCursor(page.nextCursor);
    return page;
  }, [key]);
  const items = [...(result.data?.items ?? []), ...more];
  const loadMore = () => cursor && api.search(key, cursor).then((p) => { setMore((m) => [...m, ...p.items]); setCursor(p.nextCursor); });

  return (
    <main className="ops-page ops-wide">
      <div className="home-header"><div><h1>Find a business document</h1><p className="muted">Every record whose business key or item key starts with this text (upper or lower case alike), in every run of every flow, newest first.</p></div></div>
      <form className="home-toolbar" onSubmit={(e) => { e.preventDefault(); navigate(`/search?businessKey=${encodeURIComponent(text.trim())}`, { replace: true }); }}>
        <input className="search-input" type="search" autoFocus placeholder="Business key or its start, e.g. INV-2026-00 or an entry reference" aria-label="Business key or item key (or its start)" value={text} onChange={(e) => setText(e.target.value)} />
        <button className="btn btn-primary" type="submit" disabled={!text.trim()}>Search</button>
      </form>
      {result.error && <div className="callout callout-error">{result.error}</div>}
      {key && result.data && items.length === 0 && <div className="empty-state"><div className="empty-illustration">⌕</div><h2>Nothing found for “{key}”</h2><p className="muted">Keys starting with this text are matched, in any case: business keys as the flow declares them, and the item keys of fan-out items (e.g. entry references).</p></div>}
      {!key && <div className="empty-state"><div className="empty-illustration">⌕</div><h2>Search by business key</h2><p className="muted">Invoice numbers, payment references, PO numbers — whatever the flow declares as its business key — or the key of a fan-out item (a bank entry reference). The start of a key is enough.</p></div>}
      {items.length > 0 && (
        <table className="flows-table ops-table">
          <thead><tr><th>Business key</th><th>Item</th><th className="num">Amount</th><th>Outcome</th><th>Flow</th><th>Run</th><th>When</th><th>Detail</th></tr></thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id} className="clickable" onClick={() => navigate(`/runs/${encodeURIComponent(t.runId)}/records/${encodeURIComponent(t.lineageKey)}`)}>
                <td className="mono">{t.businessKey ?? '—'}</td>
                <td className="mono">{t.itemKey ?? ''}</td>
                <td className="num mono nowrap">{t.amount ? `${formatAmount(t.amount, t.currency)} ${t.currency ?? ''}` : ''}</td>
                <td><OutcomePill outcome={t.outcome} /></td>
                <td>{t.flowId}{t.version !== null && <span className="version-pill">v{t.version}</span>}</td>
                <td className="mono small">{t.runId}</td>
                <td className="nowrap" title={formatDateTime(new Date(t.finishedAt).toISOString())}>{relativeTime(new Date(t.finishedAt).toISOString())}</td>
                <td className={t.failures?.length || t.error ? 'cell-failures' : 'muted'}>{t.failures?.[0]?.message ?? t.error?.message ?? (t.targetRef ? `→ ${t.targetRef}` : '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && <div className="pager"><button type="button" className="btn btn-small" onClick={loadMore}>Older results</button></div>}
    </main>
  );
}
