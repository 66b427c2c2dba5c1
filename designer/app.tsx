/** The app: session check, login, header with navigation, and the routed screen. */
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, createApiClient, type ApiClient } from './api-client.ts';
import type { User } from '../runtime/api/contract/schemas.ts';
import { LoginPage } from './home/login-page.tsx';
import { AppHeader } from './shell/app-header.tsx';
import { LoadingScreen } from './shell/loading-screen.tsx';
import { HOME_PATH, ROUTES, type RouteEntry } from './routes.tsx';
import { matchRoute, navigate, useLocation } from './router.ts';
import { SessionContext, type Session } from './session.tsx';
import { PREFETCH, takePrefetched } from './prefetch.ts';
import { whenIdle } from './shell/when-idle.ts';

/**
 * Deep links: starts loading the screen's code and data while the session is checked (once).
 * Resolves when the screen's code is there (at once for screens without a preload).
 */
export function preloadRoute(api: ApiClient): Promise<unknown> {
  if (preloading) return preloading;
  const start = window.location.hash.replace(/^#/, '').split('?')[0] || HOME_PATH;
  for (const route of ROUTES) {
    const params = matchRoute(route.pattern, start);
    if (!params) continue;
    // A screen loaded on demand (`lazyScreen`) starts loading its code even without a preload of its own.
    const code = route.preload?.(params, api) ?? preloadCode(route);
    return (preloading = Promise.resolve(code).catch(() => undefined));
  }
  return (preloading = Promise.resolve());
}
let preloading: Promise<unknown> | null = null;

/** Starts loading a screen's code when it loads on demand (`lazyScreen`). */
const preloadCode = (route: RouteEntry) => (route.component as { preload?: () => Promise<unknown> }).preload?.();

export function App({ api: given }: { api?: ApiClient }) {
  const api = useMemo(() => given ?? createApiClient(), [given]);
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [offline, setOffline] = useState<string | null>(null);
  const location = useLocation();

  useEffect(() => {
    const screenCode = preloadRoute(api);
    (takePrefetched<{ user: User }>(PREFETCH.session) ?? api.me()).then(
      // Signed in: show the screen once its code is there, not a "loading" fallback first
      // (React holds a revealed fallback on screen for a while, ~300 ms).
      (r) => void screenCode.then(() => setUser(r.user)),
      (err) => {
        if (!(err instanceof ApiError)) setOffline('The Ledgerflow server cannot be reached.');
        setUser(null);
      },
    );
  }, [api]);

  const signOut = useCallback(() => {
    api.logout().catch(() => undefined).finally(() => setUser(null));
  }, [api]);

  const session: Session | null = useMemo(() => (user ? { user, api, signOut } : null), [user, api, signOut]);

  // The screens load on demand; where the top navigation is shown (not in the flow editor, which opens
  // without them), their code is fetched once the browser is idle, so following a link does not wait for it.
  const withNavigation = !!session && !ROUTES.find((r) => matchRoute(r.pattern, location.path === '/' ? HOME_PATH : location.path))?.fullScreen;
  useEffect(() => {
    if (withNavigation) whenIdle(() => { for (const r of ROUTES) void preloadCode(r)?.catch(() => undefined); });
  }, [withNavigation]);

  if (user === undefined) return <LoadingScreen label="Starting Ledgerflow…" />;
  if (!session) return <LoginPage api={api} notice={offline} onSignedIn={(u) => { setOffline(null); setUser(u); }} />;

  const path = location.path === '/' ? HOME_PATH : location.path;
  let screen = null;
  for (const route of ROUTES) {
    const params = matchRoute(route.pattern, path);
    if (params) {
      screen = { route, params };
      break;
    }
  }
  if (!screen) {
    navigate(HOME_PATH, { replace: true });
    return null;
  }
  const { route, params } = screen;
  const Screen = route.component;
  return (
    <SessionContext.Provider value={session}>
      <div className="app">
        {!route.fullScreen && <AppHeader path={path} />}
        <Suspense fallback={<LoadingScreen label="Opening…" />}>
          <Screen key={path} params={params} />
        </Suspense>
      </div>
    </SessionContext.Provider>
  );
}
