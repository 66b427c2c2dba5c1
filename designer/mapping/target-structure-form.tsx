/** The mapper's "Target structure" panel: paste a JSON Schema or a sample of the target; stored on the transform. */
import { useId, useState } from 'react';
import { useDesignerStoreApi } from '../store/store-context.tsx';
import { readTargetStructure } from './target-structure.ts';

export function TargetStructureForm({ nodeId, current, onDone }: { nodeId: string; current: unknown; onDone: () => void }) {
  const store = useDesignerStoreApi();
  const id = useId();
  const [text, setText] = useState(current ? JSON.stringify(current, null, 2) : '');
  const [error, setError] = useState<string | null>(null);
  const save = (schema: Record<string, unknown> | undefined) => {
    const node = store.getState().document?.nodes.find((n) => n.id === nodeId);
    if (!node) return;
    const { targetSchema: _old, ...rest } = node.config;
    store.getState().updateNodeConfig(nodeId, schema ? { ...rest, targetSchema: schema } : rest);
    onDone();
  };
  const use = () => {
    const read = readTargetStructure(text);
    if (read.ok) save(read.schema);
    else setError(read.message);
  };
  return (
    <div className="target-structure">
      <label htmlFor={id}>JSON Schema or a sample of the target document</label>
      <textarea id={id} className="mono" rows={8} value={text} onChange={(e) => { setText(e.target.value); setError(null); }} placeholder={'{ "statementId": "…", "entries": [ { "amount": "10.00", "details": [ { "reference": "…" } ] } ] }'} />
      {error && <div className="preview-error" role="alert">{error}</div>}
      <div className="target-structure-actions">
        <button type="button" className="btn btn-small btn-primary" onClick={use} disabled={!text.trim()}>Use as target structure</button>
        {current ? <button type="button" className="btn btn-small" onClick={() => save(undefined)}>Remove the target structure</button> : null}
        <button type="button" className="btn btn-small" onClick={onDone}>Cancel</button>
      </div>
    </div>
  );
}
