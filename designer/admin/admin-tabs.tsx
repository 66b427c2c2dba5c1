/** The admin screens' own navigation: users, connections, promotions (with the pending count), deployments, audit log. */
import type { ReactNode } from 'react';
import { useLocation } from '../router.ts';
import { usePendingPromotionCount } from './pending-promotions.ts';
import '../operations/operations.css';
import './admin.css';

const TABS = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/connections', label: 'Connections' },
  { href: '/admin/promotions', label: 'Promotions' },
  { href: '/admin/deployments', label: 'Deployments' },
  { href: '/admin/audit', label: 'Audit log' },
];

export function AdminPage({ title, intro, actions, children }: { title: string; intro: ReactNode; actions?: ReactNode; children: ReactNode }) {
  const { path } = useLocation();
  const pending = usePendingPromotionCount();
  return (
    <main className="ops-page ops-wide admin-page">
      <nav className="admin-tabs" aria-label="Administration">
        {TABS.map((t) => (
          <a key={t.href} href={`#${t.href}`} className={path.startsWith(t.href) ? 'active' : ''} aria-current={path.startsWith(t.href) ? 'page' : undefined}>
            {t.label}
            {t.href === '/admin/promotions' && pending ? <span className="tab-badge count-pending">{pending}<span className="sr-only"> pending</span></span> : null}
          </a>
        ))}
      </nav>
      <div className="home-header">
        <div>
          <h1>{title}</h1>
          <p className="muted">{intro}</p>
        </div>
        {actions && <div className="button-row">{actions}</div>}
      </div>
      {children}
    </main>
  );
}
