/** Users (admin): create, change role, disable or enable, reset a password. The server enforces the rules (last active admin, password strength). */
import { useState } from 'react';
import type { Role } from '../../runtime/api/contract/enums.ts';
import type { User } from '../../runtime/api/contract/schemas.ts';
import { useAsync } from '../runs/use-async.ts';
import { useSession } from '../session.tsx';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';
import { relativeTime } from '../shell/format.ts';
import { AdminPage } from './admin-tabs.tsx';
import { ROLE_HELP } from './role-help.ts';
import { UserDialog } from './user-dialog.tsx';


type Pending = { kind: 'create' } | { kind: 'password'; user: User } | { kind: 'role'; user: User; role: Role } | { kind: 'disable'; user: User };

export function UsersPage() {
  const { api, user: me } = useSession();
  const users = useAsync(() => api.users(), [api]);
  const [pending, setPending] = useState<Pending | null>(null);
  const close = () => setPending(null);
  const done = () => { close(); users.reload(); };

  return (
    <AdminPage title="Users" intro="Who may sign in, and in which role. Roles are enforced by the server on every request." actions={
      <button type="button" className="btn btn-primary" onClick={() => setPending({ kind: 'create' })}>New user…</button>
    }>
      {users.error && <div className="callout callout-error">{users.error}</div>}
      <table className="flows-table ops-table">
        <thead><tr><th>User</th><th>Role</th><th>Status</th><th>Created</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {users.data?.items.map((u) => (
            <tr key={u.id} data-username={u.username}>
              <td><strong>{u.displayName || u.username}</strong><div className="flow-meta mono">{u.username}</div></td>
              <td>
                <select aria-label={`Role of ${u.username}`} value={u.role} disabled={u.id === me.id} onChange={(e) => setPending({ kind: 'role', user: u, role: e.target.value as Role })}>
                  {(Object.keys(ROLE_HELP) as Role[]).map((r) => <option key={r} value={r}>{r}</option>)}
                </select>
              </td>
              <td>{u.disabled ? <span className="chip chip-removed">Disabled</span> : <span className="chip chip-added">Active</span>}</td>
              <td className="muted" title={u.createdAt}>{u.createdAt ? relativeTime(u.createdAt) : '—'}</td>
              <td>
                <span className="row-buttons">
                  <button type="button" className="btn btn-small" onClick={() => setPending({ kind: 'password', user: u })}>Reset password…</button>
                  {u.id !== me.id && (
                    <button type="button" className={`btn btn-small ${u.disabled ? '' : 'btn-danger'}`} onClick={() => (u.disabled ? api.updateUser(u.id, { disabled: false }).then(users.reload) : setPending({ kind: 'disable', user: u }))}>
                      {u.disabled ? 'Enable' : 'Disable…'}
                    </button>
                  )}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pending?.kind === 'create' && <UserDialog onSave={(body) => api.createUser(body)} onClose={close} onDone={done} />}
      {pending?.kind === 'password' && <UserDialog user={pending.user} onSave={(body) => api.updateUser(pending.user.id, { password: body.password })} onClose={close} onDone={done} />}
      {pending?.kind === 'role' && (
        <ConfirmDialog title="Change role" confirmLabel={`Make ${pending.role}`} onConfirm={() => api.updateUser(pending.user.id, { role: pending.role }).then(users.reload)} onClose={close}>
          <p>{pending.user.username} becomes <strong>{pending.role}</strong>: {ROLE_HELP[pending.role]}.</p>
        </ConfirmDialog>
      )}
      {pending?.kind === 'disable' && (
        <ConfirmDialog title="Disable user" confirmLabel="Disable" danger onConfirm={() => api.updateUser(pending.user.id, { disabled: true }).then(users.reload)} onClose={close}>
          <p>{pending.user.username} can no longer sign in, and their sessions and API tokens stop working. Their changes and audit entries stay.</p>
        </ConfirmDialog>
      )}
    </AdminPage>
  );
}
