/** Creates a user, or (given `user`) sets a new password for one. */
import { useState } from 'react';
import type { Role } from '../../runtime/api/contract/enums.ts';
import type { User } from '../../runtime/api/contract/schemas.ts';
import { errorMessage } from '../api-client.ts';
import { Dialog } from '../shell/dialog.tsx';
import { ROLE_HELP } from './role-help.ts';

export interface UserForm {
  username: string;
  displayName?: string;
  role: Role;
  password: string;
}

export function UserDialog({ user, onSave, onClose, onDone }: { user?: User; onSave: (form: UserForm) => Promise<unknown>; onClose: () => void; onDone: () => void }) {
  const [form, setForm] = useState<UserForm>({ username: '', displayName: '', role: 'analyst', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<UserForm>) => setForm((f) => ({ ...f, ...patch }));
  const save = () => {
    setBusy(true);
    setError(null);
    onSave({ ...form, displayName: form.displayName || undefined }).then(onDone, (err) => { setError(errorMessage(err)); setBusy(false); });
  };
  const ready = form.password.length > 0 && (user || form.username.trim().length > 0);
  return (
    <Dialog title={user ? `New password for ${user.username}` : 'New user'} onClose={onClose} width={520} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className="btn btn-primary" onClick={save} disabled={!ready || busy}>{busy ? 'Saving…' : user ? 'Set password' : 'Create user'}</button>
    </>}>
      <form onSubmit={(e) => { e.preventDefault(); if (ready) save(); }}>
        {!user && (
          <>
            <label className="field">
              <span className="field-label">Username</span>
              <input value={form.username} maxLength={63} autoComplete="off" onChange={(e) => set({ username: e.target.value })} />
            </label>
            <label className="field">
              <span className="field-label">Display name</span>
              <input value={form.displayName} maxLength={200} onChange={(e) => set({ displayName: e.target.value })} />
            </label>
            <label className="field">
              <span className="field-label">Role</span>
              <select value={form.role} onChange={(e) => set({ role: e.target.value as Role })}>
                {(Object.keys(ROLE_HELP) as Role[]).map((r) => <option key={r} value={r}>{ROLE_HELP[r]}</option>)}
              </select>
            </label>
          </>
        )}
        <label className="field">
          <span className="field-label">{user ? 'New password' : 'Password'}</span>
          <input type="password" value={form.password} autoComplete="new-password" maxLength={1024} onChange={(e) => set({ password: e.target.value })} />
          <span className="field-help">At least 8 characters. Tell the user through a channel of your own; it is not shown again.</span>
        </label>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
      {error && <div className="callout callout-error" role="alert">{error}</div>}
    </Dialog>
  );
}
