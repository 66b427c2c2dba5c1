/**
 * "Save as sub-flow": the selected nodes, with the inputs and outputs the
 * edges they cut give them, saved under a name as a new sub-flow version;
 * the selection is then replaced by one sub-flow node using that version.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import { groupAsSubflow, replaceWithSubflow } from '../../nodes/subflow/group.ts';
import { ApiError, errorMessage } from '../api-client.ts';
import { useEditor } from '../editor-context.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { ErrorCallout, type DialogError } from '../shell/error-callout.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';

const isSource = (type: string) => catalog.get(type)?.category === 'source';
const ends = (refs: { node: string; port?: string }[]) => refs.map((r) => (r.port ? `${r.node}.${r.port}` : r.node)).join(', ');

export function SaveSubflowDialog() {
  const store = useDesignerStoreApi();
  const { api } = useEditor();
  const doc = useDesigner((s) => s.document);
  const selected = useDesigner((s) => s.selectedNodeIds);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DialogError | null>(null);
  const grouping = useMemo(() => (doc ? groupAsSubflow(doc, selected, isSource, description.trim() || undefined) : null), [doc, selected, description]);
  const close = () => store.getState().openDialog(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!grouping?.ok) return;
    setBusy(true);
    setError(null);
    try {
      const { subflow } = await api.saveSubflow(name.trim(), { definition: grouping.definition as unknown as Record<string, unknown>, message: message.trim() || undefined });
      const s = store.getState();
      s.change((d) => replaceWithSubflow(d, selected, subflow.name, subflow.version, grouping.definition));
      // The state after the change (s is the one before it).
      const added = store.getState().document?.nodes.find((n) => n.type === 'subflow' && !doc?.nodes.some((o) => o.id === n.id));
      s.select(added ? [added.id] : [], []);
      s.subflowsChanged();
      s.notify('success', `Saved sub-flow ${subflow.name} v${subflow.version}; the flow uses it in place of the ${selected.length} nodes.`);
      close();
    } catch (err) {
      const list = err instanceof ApiError ? (err.problem.problems ?? []).map((p) => `${p.path}: ${p.message}`) : [];
      setError({ text: errorMessage(err), list });
      setBusy(false);
    }
  }

  return (
    <Dialog title="Save as sub-flow" onClose={close} footer={<><button type="button" className="btn" onClick={close}>Cancel</button><button type="submit" className="btn btn-primary" form="save-subflow" disabled={busy || !grouping?.ok || !name.trim()}>{busy ? 'Saving…' : 'Save sub-flow'}</button></>}>
      <form id="save-subflow" onSubmit={submit} className="form-stack">
        {!grouping?.ok ? (
          <div className="callout callout-error">{grouping?.reason ?? 'Open a flow first.'}</div>
        ) : (
          <div className="subflow-ports small" data-testid="subflow-ports">
            <p className="muted">{grouping.definition.nodes.length} nodes become one reusable sub-flow. Other flows add it from the palette; each pins the version it uses.</p>
            <div><strong>Inputs</strong>{grouping.definition.inputs.map((p) => <div key={p.id}><code>{p.id}</code> → {ends(p.targets)}</div>)}</div>
            <div><strong>Outputs</strong>{grouping.definition.outputs.length ? grouping.definition.outputs.map((p) => <div key={p.id}><code>{p.id}</code> ← {ends(p.sources)}</div>) : <div className="muted">none (its records end in its own targets)</div>}</div>
          </div>
        )}
        <label className="field">
          <span className="field-label">Name</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. vat-check" pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}" required aria-label="Sub-flow name" />
          <span className="field-help">Letters, digits, _, . and -. An existing name gets a new version; flows using it keep theirs until updated.</span>
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What it does, for whoever reuses it" aria-label="Sub-flow description" />
        </label>
        <label className="field">
          <span className="field-label">Why this version</span>
          <input value={message} onChange={(e) => setMessage(e.target.value)} placeholder="e.g. first version" aria-label="Version message" />
        </label>
        <ErrorCallout error={error} />
      </form>
    </Dialog>
  );
}
