/** The live result of an expression on the selected sample record, with record navigation and "pin as test". */
import { useDesignerStoreApi } from '../store/store-context.tsx';
import { JsonView } from '../shell/json-view.tsx';
import type { NodeInputState } from './use-node-input.ts';
import type { PreviewResult } from './expression-preview.ts';

export interface PreviewPaneProps {
  input: NodeInputState;
  result: PreviewResult | null;
  inputIndex: number;
  setInputIndex: (i: number) => void;
  onPin?: () => void;
  showInput?: boolean;
}

export function PreviewPane({ input, result, inputIndex, setInputIndex, onPin, showInput }: PreviewPaneProps) {
  const store = useDesignerStoreApi();
  if (input.status === 'no-sample') {
    return (
      <div className="preview-pane preview-empty">
        <span>No sample loaded.</span>
        <button type="button" className="link-btn" onClick={() => store.getState().openDrawer('samples')}>Load a sample</button>
        <span>to see the result live as you type.</span>
      </div>
    );
  }
  if (input.status === 'loading') return <div className="preview-pane preview-empty">Preparing the preview…</div>;
  if (input.status === 'error') return <div className="preview-pane preview-empty text-warning">{input.message}</div>;
  const { sample, recordIndex, records } = input;
  const s = store.getState();
  const count = sample.records.length;
  return (
    <div className="preview-pane">
      <div className="preview-head">
        <span className="preview-title">Preview</span>
        <span className="record-nav">
          <button type="button" className="icon-btn" disabled={recordIndex === 0} onClick={() => s.selectRecord(recordIndex - 1)} aria-label="Previous record">‹</button>
          <span>record {recordIndex + 1} of {count}</span>
          <button type="button" className="icon-btn" disabled={recordIndex >= count - 1} onClick={() => s.selectRecord(recordIndex + 1)} aria-label="Next record">›</button>
          <span className="muted" title={sample.name}>· {sample.name}</span>
        </span>
        {records.length > 1 && (
          <select className="small-select" value={inputIndex} onChange={(e) => setInputIndex(Number(e.target.value))} aria-label="Input record at this node">
            {records.map((_, i) => <option key={i} value={i}>input {i + 1} of {records.length}</option>)}
          </select>
        )}
        <span className="spacer" />
        {result && <span className="muted small" title="Evaluation time">{result.ms < 1 ? '<1' : Math.round(result.ms)} ms</span>}
        {onPin && result?.ok && <button type="button" className="btn btn-small" onClick={onPin} title="Store this input and output as a mapping test">Pin as test</button>}
      </div>
      {input.notes?.map((n, i) => <div key={i} className="preview-note">{n}</div>)}
      {records.length === 0 ? (
        <div className="preview-empty">No record reaches this node for this sample record (it was filtered or routed elsewhere).</div>
      ) : (
        <div className={showInput ? 'preview-split' : ''}>
          {showInput && (
            <div className="preview-col">
              <div className="preview-label">Input</div>
              <JsonView value={records[Math.min(inputIndex, records.length - 1)]} />
            </div>
          )}
          <div className="preview-col">
            {showInput && <div className="preview-label">Result</div>}
            {result === null ? <div className="muted small">Evaluating…</div> : result.ok ? <JsonView value={result.value} /> : (
              <div className="preview-error" role="alert">
                <strong>{result.code ?? 'Error'}</strong> {result.message}
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
