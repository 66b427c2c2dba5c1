import { useState } from 'react';
import { useSession } from '../session.tsx';

const ROLE_LABEL = { analyst: 'Analyst', admin: 'Admin', operator: 'Operator' } as const;

export function UserMenu() {
  const { user, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const name = user.displayName || user.username;
  const initials = name.split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
  return (
    <div className="user-menu">
      <button type="button" className="user-button" onClick={() => setOpen(!open)} aria-haspopup="menu" aria-expanded={open} title={`${name} (${ROLE_LABEL[user.role]})`}>
        <span className="avatar">{initials}</span>
      </button>
      {open && (
        <>
          {/* biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useKeyWithClickEvents: pointer-only backdrop; the menu button toggles it from the keyboard */}
          <div className="menu-backdrop" onClick={() => setOpen(false)} />
          <div className="menu" role="menu">
            <div className="menu-header">
              <strong>{name}</strong>
              <span className={`role-pill role-${user.role}`}>{ROLE_LABEL[user.role]}</span>
            </div>
            <button type="button" role="menuitem" className="menu-item" onClick={signOut}>Sign out</button>
          </div>
        </>
      )}
    </div>
  );
}
