/**
 * The screens of the app. Another area (the operator console under
 * designer/runs/) adds its entries here; `nav` entries appear in the top
 * navigation in the order listed.
 */
import { lazy, type ComponentType } from 'react';
import type { ApiClient } from './api-client.ts';
import { FlowsHome } from './home/flows-home.tsx';
import { FLOW_EDITOR_PATTERN, loadFlowEditor, prefetchFlow } from './flow-editor-route.ts';
import { lazyScreen } from './shell/lazy-screen.tsx';
import type { Role } from '../runtime/api/contract/enums.ts';

type Params = { params: Record<string, string> };
/**
 * A screen whose code loads when it is first shown: opening a flow (or the flows home) does not load
 * the operator console and the admin screens (~25 KB gzipped). A deep link preloads its screen.
 */
const screen = <K extends string>(load: () => Promise<Record<K, ComponentType<Params>>>, name: K) => lazyScreen<Params>(() => load().then((m) => ({ default: m[name] })));

const DeadLettersPage = screen(() => import('./operations/dead-letters-page.tsx'), 'DeadLettersPage');
const ReconciliationPage = screen(() => import('./operations/reconciliation-page.tsx'), 'ReconciliationPage');
const AlertsPage = screen(() => import('./operations/alerts-page.tsx'), 'AlertsPage');
const ReferenceDataPage = screen(() => import('./reference/reference-data-page.tsx'), 'ReferenceDataPage');
const ReferenceSetPage = screen(() => import('./reference/reference-set-page.tsx'), 'ReferenceSetPage');
const RunsPage = screen(() => import('./runs/runs-page.tsx'), 'RunsPage');
const SearchPage = screen(() => import('./runs/search-page.tsx'), 'SearchPage');
const UsersPage = screen(() => import('./admin/users-page.tsx'), 'UsersPage');
const ConnectionsPage = screen(() => import('./admin/connections-page.tsx'), 'ConnectionsPage');
const PromotionsPage = screen(() => import('./admin/promotions-page.tsx'), 'PromotionsPage');
const DeploymentsPage = screen(() => import('./admin/deployments-page.tsx'), 'DeploymentsPage');
const AuditPage = screen(() => import('./admin/audit-page.tsx'), 'AuditPage');

const FlowEditorPage = lazyScreen(loadFlowEditor);
// Operator console: the run screens pull in React Flow, so they load on demand.
const RunDetailPage = lazy(() => import('./runs/run-detail-page.tsx'));
const RecordLineagePage = lazy(() => import('./runs/record-lineage-page.tsx'));
// The health page's charts (uPlot) stay out of the code every other screen loads first.
const PromotionReviewPage = lazy(() => import('./admin/promotion-review-page.tsx'));
const HealthPage = lazy(() => import('./operations/health-page.tsx').then((m) => ({ default: m.HealthPage })));

export interface RouteEntry {
  pattern: string;
  component: ComponentType<{ params: Record<string, string> }>;
  /** Shown in the top navigation when set; `match` decides which entry is highlighted. */
  nav?: { label: string; href: string; match: (path: string) => boolean; roles?: readonly Role[]; badge?: 'pending-promotions' };
  /** Full-screen screens hide the app header (the flow editor has its own top bar). */
  fullScreen?: boolean;
  /**
   * Starts loading code and data while the session is checked, so a deep link opens fast.
   * Returns the loading of the screen's code.
   */
  preload?: (params: Record<string, string>, api: ApiClient) => Promise<unknown>;
}

export const ROUTES: RouteEntry[] = [
  { pattern: '/flows', component: FlowsHome, nav: { label: 'Flows', href: '#/flows', match: (p) => p === '/' || p.startsWith('/flows') } },
  {
    pattern: FLOW_EDITOR_PATTERN,
    component: FlowEditorPage,
    fullScreen: true,
    preload: (params, api) => {
      prefetchFlow(api, params.id);
      return FlowEditorPage.preload();
    },
  },
  { pattern: '/runs', component: RunsPage, nav: { label: 'Runs', href: '#/runs', match: (p) => p.startsWith('/runs') } },
  { pattern: '/runs/:id', component: RunDetailPage },
  { pattern: '/runs/:id/records/:lineageKey', component: RecordLineagePage },
  { pattern: '/search', component: SearchPage, nav: { label: 'Search', href: '#/search', match: (p) => p.startsWith('/search') } },
  { pattern: '/dead-letters', component: DeadLettersPage, nav: { label: 'Dead letters', href: '#/dead-letters', match: (p) => p.startsWith('/dead-letters') } },
  { pattern: '/reconciliation', component: ReconciliationPage, nav: { label: 'Reconciliation', href: '#/reconciliation', match: (p) => p.startsWith('/reconciliation') } },
  { pattern: '/alerts', component: AlertsPage, nav: { label: 'Alerts', href: '#/alerts', match: (p) => p.startsWith('/alerts') } },
  { pattern: '/reference-data', component: ReferenceDataPage, nav: { label: 'Reference data', href: '#/reference-data', match: (p) => p.startsWith('/reference-data') } },
  { pattern: '/reference-data/:set', component: ReferenceSetPage },
  { pattern: '/health', component: HealthPage, nav: { label: 'Health', href: '#/health', match: (p) => p.startsWith('/health') } },
  // Administration (admin role; the server refuses the same routes to others).
  { pattern: '/admin/users', component: UsersPage, nav: { label: 'Admin', href: '#/admin/users', match: (p) => p.startsWith('/admin'), roles: ['admin'], badge: 'pending-promotions' } },
  { pattern: '/admin/connections', component: ConnectionsPage },
  { pattern: '/admin/promotions', component: PromotionsPage },
  { pattern: '/admin/promotions/:id', component: PromotionReviewPage },
  { pattern: '/admin/deployments', component: DeploymentsPage },
  { pattern: '/admin/audit', component: AuditPage },
];

export const HOME_PATH = '/flows';
