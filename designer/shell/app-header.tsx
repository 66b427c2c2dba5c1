/** Top navigation of the app screens (the flow editor has its own bar). */
import { ROUTES } from '../routes.tsx';
import { Brand } from './brand.tsx';
import { UserMenu } from './user-menu.tsx';

export function AppHeader({ path }: { path: string }) {
  const nav = ROUTES.filter((r) => r.nav);
  return (
    <header className="app-header">
      <a href="#/flows" className="app-header-brand"><Brand /></a>
      <nav className="app-nav">
        {nav.map((r) => (
          <a key={r.pattern} href={r.nav!.href} className={r.nav!.match(path) ? 'active' : ''}>{r.nav!.label}</a>
        ))}
      </nav>
      <div className="spacer" />
      <UserMenu />
    </header>
  );
}
