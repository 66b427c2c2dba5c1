/**
 * Create or change a connection of one environment: its kind's settings and
 * its secrets. Secret values are write-only: the names set are listed, a value
 * typed here replaces one, "remove" clears it; no value ever comes back.
 */
import { useState } from 'react';
import { CONNECTION_KINDS, type ConnectionKind } from '../../runtime/api/contract/enums.ts';
import type { Connection } from '../../runtime/api/contract/schemas.ts';
import { errorMessage } from '../api-client.ts';
import { useSession } from '../session.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { CONNECTION_FIELDS, settingsOf } from './connection-fields.ts';

interface SecretEdit {
  name: string;
  value: string;
}

export function ConnectionDialog({ environment, existing, onClose, onSaved }: { environment: string; existing?: Connection; onClose: () => void; onSaved: () => void }) {
  const { api } = useSession();
  const [name, setName] = useState(existing?.name ?? '');
  const [kind, setKind] = useState<ConnectionKind>(existing?.kind ?? 'postgres');
  const [values, setValues] = useState<Record<string, unknown>>(existing?.settings ?? {});
  const [secrets, setSecrets] = useState<SecretEdit[]>([]);
  const [removed, setRemoved] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fields = CONNECTION_FIELDS[kind];

  const save = async () => {
    setBusy(true);
    setError(null);
    const secretBody: Record<string, string> = {};
    for (const r of removed) secretBody[r] = '';
    for (const s of secrets) if (s.name.trim() && s.value) secretBody[s.name.trim()] = s.value;
    try {
      await api.putConnection(environment, name.trim(), { kind, settings: settingsOf(kind, values, existing?.kind === kind ? existing.settings : {}), secrets: Object.keys(secretBody).length ? secretBody : undefined });
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  const setSecret = (i: number, patch: Partial<SecretEdit>) => setSecrets((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <Dialog title={existing ? `Connection ${existing.name} in ${environment}` : `New connection in ${environment}`} onClose={onClose} width={640} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className="btn btn-primary" onClick={save} disabled={busy || !name.trim()}>{busy ? 'Saving…' : 'Save connection'}</button>
    </>}>
      <div className="admin-form-grid">
        <label className="field">
          <span className="field-label">Name (as the flows refer to it)</span>
          <input value={name} disabled={!!existing} maxLength={63} onChange={(e) => setName(e.target.value)} placeholder="ap" />
        </label>
        <label className="field">
          <span className="field-label">Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as ConnectionKind)}>
            {CONNECTION_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
      </div>
      {fields.map((f) => (
        f.type === 'checkbox' ? (
          <label key={f.key} className="field field-inline">
            <input type="checkbox" checked={!!values[f.key]} onChange={(e) => setValues({ ...values, [f.key]: e.target.checked })} />
            <span>{f.label}</span>
          </label>
        ) : (
          <label key={f.key} className="field">
            <span className="field-label">{f.label}</span>
            <input type={f.type} value={String(values[f.key] ?? '')} placeholder={f.placeholder} disabled={kind === 'postgres' && f.key === 'url' && !!values.embedded} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })} />
            {f.help && <span className="field-help">{f.help}</span>}
          </label>
        )
      ))}
      <fieldset className="secrets-fieldset">
        <legend className="field-label">Secrets (write-only)</legend>
        <p className="field-help">Reference a secret in the settings as <code>{'{{secret:name}}'}</code>. Values are encrypted at rest and never shown again; leave a set secret alone to keep it.</p>
        {existing?.secretNames.map((s) => (
          <div key={s} className="secret-row">
            <span className="mono">{s}</span>
            <span className="muted small">{removed.has(s) ? 'will be removed' : '••••••• set'}</span>
            <button type="button" className="btn btn-small" onClick={() => setRemoved((r) => { const n = new Set(r); if (n.has(s)) n.delete(s); else n.add(s); return n; })}>{removed.has(s) ? 'Keep' : `Remove ${s}`}</button>
          </div>
        ))}
        {secrets.map((s, i) => (
          <div key={i} className="secret-row">
            <label className="field"><span className="field-label">Secret name</span><input value={s.name} onChange={(e) => setSecret(i, { name: e.target.value })} /></label>
            <label className="field"><span className="field-label">Value of {s.name || 'the secret'}</span><input type="password" autoComplete="new-password" value={s.value} onChange={(e) => setSecret(i, { value: e.target.value })} /></label>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setSecrets((list) => list.filter((_, j) => j !== i))} aria-label={`Drop secret row ${i + 1}`}>✕</button>
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => setSecrets([...secrets, { name: '', value: '' }])}>+ Set a secret</button>
      </fieldset>
      {error && <div className="callout callout-error" role="alert">{error}</div>}
    </Dialog>
  );
}
