/** Sample data: upload or pick a stored sample, list its records, pick the one previews use. */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { errorMessage } from '../api-client.ts';
import { catalog } from '../../nodes/catalog.ts';
import { useEditor } from '../editor-context.tsx';
import { JsonView } from '../shell/json-view.tsx';
import { EMPTY_LIST, useDesigner, useDesignerShallow, useDesignerStoreApi } from '../store/store-context.tsx';
import { loadStoredSample, loadUploadedSample } from './load-sample.ts';
import { RecordList } from './record-list.tsx';

const ACCEPT = '.csv,.tsv,.json,.jsonl,.ndjson,.xml,.txt';

export function SamplesPanel() {
  const store = useDesignerStoreApi();
  const { api, flowId, readOnly } = useEditor();
  const samples = useDesigner((s) => s.samples);
  const activeId = useDesigner((s) => s.activeSampleId);
  const declared = useDesigner((s) => s.document?.samples ?? EMPTY_LIST);
  const [serverSamples, setServerSamples] = useState<string[]>([]);
  const listStored = useCallback(() => {
    api.listSamples(flowId).then((r) => setServerSamples(r.items.map((i) => i.name)), () => setServerSamples([]));
  }, [api, flowId]);
  useEffect(listStored, [listStored]);
  // An upload of this session is stored too; it is listed once, as loaded.
  const uploaded = useMemo(() => new Set(samples.filter((x) => x.origin === 'upload').map((x) => x.name)), [samples]);
  const stored = useMemo(() => [...new Set([...declared, ...serverSamples])].filter((name) => !uploaded.has(name)), [declared, serverSamples, uploaded]);
  const sources = useDesignerShallow((s) => s.document?.nodes.filter((n) => catalog.get(n.type)?.category === 'source') ?? EMPTY_LIST);
  const index = useDesigner((s) => s.selectedRecordIndex);
  const [sourceId, setSourceId] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState<string | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const active = samples.find((s) => s.id === activeId);
  const record = active?.records[Math.min(index, (active?.records.length ?? 1) - 1)];

  const upload = async (files: FileList | File[]) => {
    for (const f of Array.from(files)) {
      setLoading(f.name);
      await loadUploadedSample(store, f, sourceId);
      // Kept with the flow on the server, so it is there in the next session too (not for read-only viewers).
      const loaded = store.getState().samples.find((s) => s.origin === 'upload' && s.name === f.name);
      if (!readOnly && loaded?.content) await api.storeSample(flowId, loaded.content).catch((err) => store.getState().notify('error', `${f.name} could not be stored with the flow: ${errorMessage(err)}`));
    }
    setLoading(null);
    listStored();
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragOver(false);
    if (e.dataTransfer.files.length) void upload(e.dataTransfer.files);
  };

  return (
    <div className="samples-panel">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop zone for files; 'Upload a file…' is the keyboard path */}
      <div className={`samples-list ${dragOver ? 'drag-over' : ''}`} onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) { e.preventDefault(); setDragOver(true); } }} onDragLeave={() => setDragOver(false)} onDrop={onDrop}>
        <input ref={fileInput} type="file" accept={ACCEPT} hidden multiple onChange={(e) => { if (e.target.files) void upload(e.target.files); e.target.value = ''; }} />
        <button type="button" className="btn btn-primary btn-block" onClick={() => fileInput.current?.click()} disabled={!!loading}>{loading ? `Reading ${loading}…` : 'Upload a file…'}</button>
        <p className="muted small">CSV, JSON, JSON Lines or XML. Drop files here. Read in your browser by the flow's own source node, and stored with the flow for your next session.</p>
        {sources.length > 1 && (
          <label className="field">
            <span className="field-label">Read with source</span>
            <select value={sourceId ?? sources[0].id} onChange={(e) => setSourceId(e.target.value)}>
              {sources.map((s) => <option key={s.id} value={s.id}>{s.label ?? s.id}</option>)}
            </select>
          </label>
        )}
        {samples.length > 0 && <div className="list-heading">Loaded</div>}
        {samples.map((s) => (
          <div key={s.id} className={`sample-item ${s.id === activeId ? 'active' : ''}`}>
            <button type="button" className="sample-select" aria-pressed={s.id === activeId} onClick={() => store.getState().setActiveSample(s.id)}>
              <span className="sample-name" title={s.name}>{s.name}</span>
              <span className="muted small">{s.total.toLocaleString()} rec{s.records.length < s.total ? ` (first ${s.records.length})` : ''}</span>
            </button>
            <button type="button" className="icon-btn" aria-label={`Remove ${s.name}`} onClick={(e) => { e.stopPropagation(); store.getState().removeSample(s.id); }}>✕</button>
          </div>
        ))}
        {stored.length > 0 && <div className="list-heading">Stored with the flow</div>}
        {stored.map((path) => {
          const loaded = samples.some((s) => s.id === `stored:${path}`);
          return (
            <button type="button" key={path} className={`sample-item stored ${loaded ? 'loaded' : ''}`} disabled={loading === path} onClick={async () => { if (loaded) { store.getState().setActiveSample(`stored:${path}`); return; } setLoading(path); await loadStoredSample(store, api, flowId, path, sourceId); setLoading(null); }}>
              <span className="sample-name" title={path}>{path.split('/').pop()}</span>
              <span className="muted small">{loading === path ? 'loading…' : loaded ? 'loaded' : 'load'}</span>
            </button>
          );
        })}
      </div>
      {active ? (
        <>
          <RecordList records={active.records} selected={Math.min(index, active.records.length - 1)} onSelect={(i) => store.getState().selectRecord(i)} />
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the record scrolls; keyboard users scroll it by focusing it */}
          <div className="record-detail" tabIndex={0} role="region" aria-label="Selected record">
            <div className="preview-label">Record {Math.min(index, active.records.length - 1) + 1} — used by every preview</div>
            <JsonView value={record} />
          </div>
        </>
      ) : (
        <div className="empty-panel">
          <strong>No sample loaded</strong>
          <span className="muted">Upload a real document (an invoice, a bank statement, an export) or pick one stored with the flow. Previews and test runs use it; nothing is written anywhere.</span>
        </div>
      )}
    </div>
  );
}
