/** Create and duplicate dialogs of the flows home. */
import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api-client.ts';
import type { FlowSummary } from '../../runtime/api/contract/schemas.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { newFlowDocument, slugify, type Starter } from './new-flow.ts';
import { flowNameProblem } from '../../nodes/flow-limits.ts';

function useIdFromName(initialName: string) {
  const [name, setName] = useState(initialName);
  const [id, setId] = useState(initialName ? slugify(initialName) : '');
  const [idEdited, setIdEdited] = useState(false);
  return {
    name, id,
    setName(v: string) {
      setName(v);
      if (!idEdited) setId(slugify(v));
    },
    setId(v: string) {
      setIdEdited(true);
      setId(v);
    },
  };
}

const ID_PATTERN = String.raw`^[a-z0-9][a-z0-9\-]*$`;

/** The name field of the create and duplicate dialogs: a name over the server's limit is refused here, before anything is created. */
function NameField({ value, onChange, problem }: { value: string; onChange: (v: string) => void; problem: string | null }) {
  const id = useId();
  // The reason sits outside the label, so the field's name stays "Name".
  return (
    <div className={`field ${problem ? 'field-invalid' : ''}`}>
      <label className="field-label" htmlFor={id}>Name</label>
      <input id={id} autoFocus value={value} onChange={(e) => onChange(e.target.value)} placeholder="e.g. Supplier invoices → AP" required aria-invalid={problem ? true : undefined} aria-describedby={problem ? 'flow-name-problem' : undefined} />
      {problem && <span className="field-error" id="flow-name-problem" role="alert">{problem.replace(/^name/, 'The name')}.</span>}
    </div>
  );
}

/** What is wrong with a typed name, once something is typed. */
const nameProblemOf = (name: string) => (name === '' ? null : flowNameProblem(name.trim()));

export function CreateFlowDialog({ onClose }: { onClose: () => void }) {
  const { api } = useSession();
  const f = useIdFromName('');
  const [starter, setStarter] = useState<Starter>('file-map-file');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameProblem = nameProblemOf(f.name);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (nameProblem) return;
    setBusy(true);
    setError(null);
    try {
      const { catalog } = await import('../../nodes/catalog.ts');
      await api.createFlow(newFlowDocument(f.id, f.name.trim(), starter, catalog));
      navigate(`/flows/${encodeURIComponent(f.id)}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title="New flow" onClose={onClose} footer={<><button type="button" className="btn" onClick={onClose}>Cancel</button><button type="submit" className="btn btn-primary" form="create-flow" disabled={busy || !f.name.trim() || !f.id || !!nameProblem}>{busy ? 'Creating…' : 'Create flow'}</button></>}>
      <form id="create-flow" onSubmit={submit} className="form-stack">
        <NameField value={f.name} onChange={f.setName} problem={nameProblem} />
        <label className="field">
          <span className="field-label">Id</span>
          <input value={f.id} onChange={(e) => f.setId(e.target.value)} pattern={ID_PATTERN} required />
          <span className="field-help">Lower-case letters, digits and dashes. Used in URLs, webhooks and file names; it cannot change later.</span>
        </label>
        <fieldset className="choice-cards">
          <legend className="field-label">Start from</legend>
          <label className={`choice-card ${starter === 'file-map-file' ? 'checked' : ''}`}>
            <input type="radio" name="starter" checked={starter === 'file-map-file'} onChange={() => setStarter('file-map-file')} />
            <strong>File → Map → File</strong>
            <span className="muted small">Read a file, map each record with JSONata, write JSON Lines. Swap nodes as you go.</span>
          </label>
          <label className={`choice-card ${starter === 'empty' ? 'checked' : ''}`}>
            <input type="radio" name="starter" checked={starter === 'empty'} onChange={() => setStarter('empty')} />
            <strong>Empty canvas</strong>
            <span className="muted small">Drag nodes from the palette yourself.</span>
          </label>
        </fieldset>
        {error && <div className="callout callout-error">{error}</div>}
      </form>
    </Dialog>
  );
}

export function DuplicateFlowDialog({ flow, onClose, onDone }: { flow: FlowSummary; onClose: () => void; onDone: () => void }) {
  const { api } = useSession();
  const f = useIdFromName(`${flow.name} (copy)`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameProblem = nameProblemOf(f.name);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (nameProblem) return;
    setBusy(true);
    try {
      await api.duplicateFlow(flow.id, { id: f.id, name: f.name.trim() });
      onDone();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Duplicate “${flow.name.length > 60 ? `${flow.name.slice(0, 60)}…` : flow.name}”`} onClose={onClose} footer={<><button type="button" className="btn" onClick={onClose}>Cancel</button><button type="submit" className="btn btn-primary" form="dup-flow" disabled={busy || !f.name.trim() || !f.id || !!nameProblem}>{busy ? 'Duplicating…' : 'Duplicate'}</button></>}>
      <form id="dup-flow" onSubmit={submit} className="form-stack">
        <p className="muted">The copy starts with the current draft, without versions or deployments.</p>
        <NameField value={f.name} onChange={f.setName} problem={nameProblem} />
        <label className="field">
          <span className="field-label">Id</span>
          <input value={f.id} onChange={(e) => f.setId(e.target.value)} pattern={ID_PATTERN} required />
        </label>
        {error && <div className="callout callout-error">{error}</div>}
      </form>
    </Dialog>
  );
}
