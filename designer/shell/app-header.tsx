/** Top navigation of the app screens (the flow editor has its own bar). */
import { usePendingPromotionCount } from '../admin/pending-promotions.ts';
import { ROUTES } from '../routes.tsx';
import { useSession } from '../session.tsx';
import { Brand } from './brand.tsx';
import { UserMenu } from './user-menu.tsx';

export function AppHeader({ path }: { path: string }) {
  const { user } = useSession();
  const pending = usePendingPromotionCount();
  const nav = ROUTES.filter((r) => r.nav && (!r.nav.roles || r.nav.roles.includes(user.role)));
  return (
    <header className="app-header">
      <a href="#/flows" className="app-header-brand"><Brand /></a>
      <nav className="app-nav">
        {nav.map((r) => (
          <a key={r.pattern} href={r.nav!.href} className={r.nav!.match(path) ? 'active' : ''}>
            {r.nav!.label}
            {r.nav!.badge === 'pending-promotions' && pending ? <span className="nav-badge" title={`${pending} promotion(s) waiting for approval`}>{pending}<span className="sr-only"> waiting for approval</span></span> : null}
          </a>
        ))}
      </nav>
      <div className="spacer" />
      <UserMenu />
    </header>
  );
}
