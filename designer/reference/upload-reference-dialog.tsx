/** Loads a CSV or JSON file as a new version of a reference data set (admins). */
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api-client.ts';
import type { ReferenceSetVersion } from '../../runtime/api/contract/schemas.ts';
import { useSession } from '../session.tsx';
import { Dialog } from '../shell/dialog.tsx';
import './reference.css';

const SET_PATTERN = String.raw`^[A-Za-z0-9][A-Za-z0-9_.\-]*$`;

/** `replacing`: the set's current version, whose name and keys the form starts from. */
export function UploadReferenceDialog({ replacing, onClose, onLoaded }: { replacing?: ReferenceSetVersion; onClose: () => void; onLoaded: (v: ReferenceSetVersion, unchanged: boolean) => void }) {
  const { api } = useSession();
  const [set, setSet] = useState(replacing?.set ?? '');
  const [key, setKey] = useState(replacing?.keyFields.join(', ') ?? '');
  const [validFrom, setValidFrom] = useState(replacing?.validFrom ?? '');
  const [validTo, setValidTo] = useState(replacing?.validTo ?? '');
  const [multiple, setMultiple] = useState(replacing?.multiple ?? false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api.call('PUT /api/reference-data/{set}', {
        params: { set: set.trim() },
        body: { key: key.split(',').map((k: string) => k.trim()).filter(Boolean), validFrom: validFrom.trim() || null, validTo: validTo.trim() || null, multiple, fileName: file.name, content: await file.text() },
      });
      onLoaded(result.version, result.unchanged);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  const title = replacing ? `New version of ${replacing.set}` : 'Upload reference data';
  return (
    <Dialog title={title} width={560} onClose={onClose} footer={<><button type="button" className="btn" onClick={onClose}>Cancel</button><button type="submit" className="btn btn-primary" form="upload-reference" disabled={busy || !file || !set.trim() || !key.trim()}>{busy ? 'Loading…' : 'Load as new version'}</button></>}>
      <form id="upload-reference" onSubmit={submit} className="form-stack">
        <label className="field">
          <span className="field-label">Set name</span>
          <input value={set} onChange={(e) => setSet(e.target.value)} pattern={SET_PATTERN} maxLength={100} required readOnly={Boolean(replacing)} placeholder="e.g. vat-rates" />
          <span className="field-help">Flows name it in their reference data (stored set). Letters, digits, _, . and -.</span>
        </label>
        <label className="field">
          <span className="field-label">File (CSV, JSON or JSONL)</span>
          <input type="file" accept=".csv,.json,.jsonl,text/csv,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        </label>
        <label className="field">
          <span className="field-label">Key field(s)</span>
          <input value={key} onChange={(e) => setKey(e.target.value)} required placeholder="e.g. code, or entity, code for a composite key" />
          <span className="field-help">Several fields separated by commas make a composite key, looked up with a list: <code>$ref('rates', [entity, code])</code>.</span>
        </label>
        <div className="ref-dates">
          <label className="field">
            <span className="field-label">Valid from field</span>
            <input value={validFrom} onChange={(e) => setValidFrom(e.target.value)} placeholder="optional, e.g. valid_from" />
          </label>
          <label className="field">
            <span className="field-label">Valid to field</span>
            <input value={validTo} onChange={(e) => setValidTo(e.target.value)} placeholder="optional, e.g. valid_to" />
          </label>
        </div>
        <span className="field-help">With effective dates, a look-up names the record's date (<code>$ref('rates', [entity, code], invoiceDate)</code>); the "to" day is included.</span>
        <label className="ref-check">
          <input type="checkbox" checked={multiple} onChange={(e) => setMultiple(e.target.checked)} />
          <span>Several rows per key (one-to-many, read with <code>$refAll</code>)</span>
        </label>
        {error && <div className="callout callout-error" role="alert">{error}</div>}
      </form>
    </Dialog>
  );
}
