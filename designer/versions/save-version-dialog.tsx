/** Save the draft as an immutable version with a message; refused while the flow has problems. */
import { useState, type FormEvent } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import { shortMessage } from '../panels/problem-paths.ts';
import { ApiError, errorMessage } from '../api-client.ts';
import { useEditor } from '../editor-context.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { ErrorCallout, type DialogError } from '../shell/error-callout.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';

export function SaveVersionDialog() {
  const store = useDesignerStoreApi();
  const { api, flowId, flushDraft, reloadMeta, latestVersion } = useEditor();
  const problems = useDesigner((s) => s.problems);
  const nodes = useDesigner((s) => s.document?.nodes);
  const where = (nodeId?: string) => {
    const node = nodeId ? nodes?.find((n) => n.id === nodeId) : undefined;
    return nodeId ? node?.label || catalog.get(node?.type ?? '')?.title || nodeId : 'Flow';
  };
  const tests = useDesigner((s) => s.document?.tests?.length ?? 0);
  const mapping = useDesigner((s) => s.mappingTests);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DialogError | null>(null);
  const close = () => store.getState().openDialog(null);
  const failing = mapping.status === 'done' ? mapping.result.filter((r) => !r.passed).length : 0;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await flushDraft();
      const v = await api.saveVersion(flowId, message.trim());
      await reloadMeta().catch(() => undefined);
      store.getState().notify('success', `Saved version v${v.version}.`);
      close();
    } catch (err) {
      const list = err instanceof ApiError ? (err.problem.problems ?? []).map((p) => p.message) : [];
      setError({ text: errorMessage(err), list });
      setBusy(false);
    }
  }

  const blocked = problems.length > 0;
  return (
    <Dialog title={`Save version v${(latestVersion ?? 0) + 1}`} onClose={close} footer={<><button type="button" className="btn" onClick={close}>Cancel</button><button type="submit" className="btn btn-primary" form="save-version" disabled={busy || blocked || !message.trim()}>{busy ? 'Saving…' : 'Save version'}</button></>}>
      <form id="save-version" onSubmit={submit} className="form-stack">
        {blocked ? (
          <div className="callout callout-error">
            <strong>{problems.length} problem{problems.length === 1 ? '' : 's'} must be fixed first.</strong> The runtime would refuse this flow.{' '}
            <button type="button" className="link-btn" onClick={() => { close(); store.getState().openDrawer('problems'); }}>Show problems</button>
            <ul className="save-problems">
              {problems.slice(0, 6).map((p, i) => (
                <li key={i}><strong>{where(p.nodeId)}</strong>: {p.nodeId ? shortMessage(p) : p.message}{p.position !== undefined && <span className="muted"> (character {p.position + 1})</span>}</li>
              ))}
              {problems.length > 6 && <li className="muted">and {problems.length - 6} more</li>}
            </ul>
          </div>
        ) : (
          <p className="muted">A version is immutable: it can be diffed, deployed to dev, and promoted to test and prod.</p>
        )}
        <label className="field">
          <span className="field-label">What changed, and why</span>
          <textarea autoFocus rows={3} value={message} onChange={(e) => setMessage(e.target.value)} placeholder="e.g. Map buyer reference; reject invoices without a VAT id" required />
          <span className="field-help">Reviewers read this before they approve a promotion.</span>
        </label>
        <div className="muted small">
          {tests === 0 ? 'This flow has no mapping tests; promotion to prod will have nothing to check.' : mapping.status === 'done' ? (failing ? `⚠ ${failing} of ${tests} mapping tests fail: promotion will be refused until they pass.` : `✓ All ${tests} mapping tests passed.`) : `${tests} mapping test${tests === 1 ? '' : 's'} will be run before promotion.`}
        </div>
        <ErrorCallout error={error} />
      </form>
    </Dialog>
  );
}
