/**
 * Chooses a named connection. Secrets never enter a flow: the flow names a
 * connection, and each environment binds that name to settings and secrets.
 */
import { useState } from 'react';
import { useFormContext } from './form-context.ts';
import { useFieldLabel } from './widgets.tsx';

export function ConnectionSelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { connections, connectionKind, declareConnection, readOnly } = useFormContext();
  const named = useFieldLabel();
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const known = connections.some((c) => c.name === value);
  if (adding) {
    return (
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); const n = name.trim(); if (n) { declareConnection?.(n); onChange(n); } setAdding(false); }}>
        <input {...named} autoFocus value={name} placeholder={`Name of the ${connectionKind} connection, e.g. erp`} onChange={(e) => setName(e.target.value)} pattern="^[A-Za-z][A-Za-z0-9_-]*$" />
        <button type="submit" className="btn btn-small btn-primary" disabled={!name.trim()}>Declare</button>
        <button type="button" className="btn btn-small" onClick={() => setAdding(false)}>Cancel</button>
      </form>
    );
  }
  return (
    <div className="connection-select">
      <select {...named} value={value} disabled={readOnly} onChange={(e) => (e.target.value === '__new__' ? setAdding(true) : onChange(e.target.value))}>
        <option value="">Choose a connection…</option>
        {!known && value && <option value={value}>{value} (not declared)</option>}
        {connections.map((c) => <option key={c.name} value={c.name}>{c.name}{c.description ? ` — ${c.description}` : ''}</option>)}
        {!readOnly && <option value="__new__">+ Declare a new {connectionKind} connection…</option>}
      </select>
      <span className="field-help">Credentials are set per environment by an admin, never stored in the flow.</span>
    </div>
  );
}
