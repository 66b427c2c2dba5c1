/** A run's records in a virtualised table, filtered by outcome and searchable by key; pages load as you scroll. */
import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { errorMessage } from '../api-client.ts';
import { navigate } from '../router.ts';
import { cellText } from '../shell/format.ts';
import { OUTCOME_LABEL } from './ops-format.ts';
import { api } from '../api-client.ts';
import type { RunRow, StoredTrace } from '../../runtime/api/contract/schemas.ts';
import type { RecordOutcome } from '../../runtime/api/contract/enums.ts';
import { OutcomePill } from './status-pill.tsx';
import { clickOnEnter } from '../shell/keyboard.ts';

const FILTERS: { outcome?: RecordOutcome; label: string; count?: (r: RunRow) => number }[] = [
  { label: 'All' },
  { outcome: 'delivered', label: OUTCOME_LABEL.delivered, count: (r) => r.counts.delivered },
  { outcome: 'quarantined', label: OUTCOME_LABEL.quarantined, count: (r) => r.counts.quarantined },
  { outcome: 'dead_lettered', label: OUTCOME_LABEL.dead_lettered, count: (r) => r.counts.deadLettered },
  { outcome: 'duplicate', label: OUTCOME_LABEL.duplicate, count: (r) => r.counts.duplicate },
  { outcome: 'aggregated', label: OUTCOME_LABEL.aggregated, count: (r) => r.counts.aggregated ?? 0 },
];

const COLUMNS = '90px 200px 150px minmax(160px, 1fr) minmax(200px, 2fr)';

export function RunRecords({ run }: { run: RunRow }) {
  const [outcome, setOutcome] = useState<RecordOutcome | undefined>(undefined);
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [items, setItems] = useState<StoredTrace[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const t = setTimeout(() => setApplied(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);

  const load = (cursor: string | null, replace: boolean) => {
    const mine = ++seq.current;
    setLoading(true);
    api.records(run.id, { outcome, search: applied || undefined, cursor, limit: 200 }).then(
      (page) => {
        if (mine !== seq.current) return;
        setItems((prev) => (replace ? page.items : [...prev, ...page.items]));
        setNext(page.nextCursor);
        setError(null);
        setLoading(false);
      },
      (err) => { if (mine === seq.current) { setError(errorMessage(err)); setLoading(false); } },
    );
  };
  useEffect(() => load(null, true), [run.id, run.status, outcome, applied]);

  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => parent.current, estimateSize: () => 34, overscan: 12 });
  const last = virtual.getVirtualItems().at(-1);
  useEffect(() => {
    if (last && last.index >= items.length - 20 && next && !loading) load(next, false);
  }, [last?.index, items.length, next, loading]);

  return (
    <div className="run-records">
      <div className="records-toolbar">
        <div className="segmented" role="group" aria-label="Records by outcome">
          {FILTERS.map((f) => (
            <button type="button" key={f.label} className={outcome === f.outcome ? 'active' : ''} onClick={() => setOutcome(f.outcome)}>
              {f.label}{f.count ? ` ${f.count(run).toLocaleString()}` : ''}
            </button>
          ))}
        </div>
        <input className="search-input" type="search" placeholder="Search business key, source or lineage key…" aria-label="Search records" value={search} onChange={(e) => setSearch(e.target.value)} />
        {loading && <div className="spinner small-spinner" />}
      </div>
      {error && <div className="callout callout-error">{error}</div>}
      <div className="grid-table records-grid" ref={parent} role="table" aria-label="Records of the run">
        <div className="grid-row grid-head" style={{ gridTemplateColumns: COLUMNS }} role="row" tabIndex={-1}>
          <span role="columnheader" tabIndex={-1}>Lineage</span><span role="columnheader" tabIndex={-1}>Business key</span><span role="columnheader" tabIndex={-1}>Outcome</span><span role="columnheader" tabIndex={-1}>Ended at</span><span role="columnheader" tabIndex={-1}>Detail</span>
        </div>
        {items.length === 0 && !loading && <div className="empty-panel muted">No records{outcome ? ` ${OUTCOME_LABEL[outcome].toLowerCase()}` : ''}{applied ? ` matching “${applied}”` : ''}.</div>}
        <div role="rowgroup" style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((v) => {
            const t = items[v.index];
            const detail = t.failures?.length ? t.failures.map((f) => f.message).join(' · ') : t.error ? t.error.message : t.targetRef ? `→ ${t.targetRef}` : cellText(t.output, 160);
            return (
              <div
                key={t.id} role="row" tabIndex={0} onKeyDown={clickOnEnter} className={`grid-row ${t.outcome === 'quarantined' || t.outcome === 'dead_lettered' ? 'row-invalid' : ''}`}
                style={{ gridTemplateColumns: COLUMNS, position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)`, height: v.size }}
                onClick={() => navigate(`/runs/${encodeURIComponent(run.id)}/records/${encodeURIComponent(t.lineageKey)}`)}
                data-business-key={t.businessKey ?? ''}
              >
                <span role="cell" className="mono">{t.lineageKey}</span>
                <span role="cell" className="mono" title={t.businessKey ?? ''}>{t.businessKey ?? <span className="muted">—</span>}</span>
                <span role="cell"><OutcomePill outcome={t.outcome} /></span>
                <span role="cell" className="mono small">{t.endNode}</span>
                <span role="cell" className={t.failures?.length || t.error ? 'cell-failures' : 'muted'} title={detail}>{detail}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
