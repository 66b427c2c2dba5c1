/**
 * The screens of the app. Another area (the operator console under
 * designer/runs/) adds its entries here; `nav` entries appear in the top
 * navigation in the order listed.
 */
import { lazy, type ComponentType } from 'react';
import type { ApiClient } from './api-client.ts';
import { FlowsHome } from './home/flows-home.tsx';
import { prefetch } from './prefetch.ts';

const loadEditor = () => import('./flow-editor-page.tsx');
const FlowEditorPage = lazy(loadEditor);

export interface RouteEntry {
  pattern: string;
  component: ComponentType<{ params: Record<string, string> }>;
  /** Shown in the top navigation when set; `match` decides which entry is highlighted. */
  nav?: { label: string; href: string; match: (path: string) => boolean };
  /** Full-screen screens hide the app header (the flow editor has its own top bar). */
  fullScreen?: boolean;
  /** Starts loading code and data while the session is checked, so a deep link opens fast. */
  preload?: (params: Record<string, string>, api: ApiClient) => void;
}

export const ROUTES: RouteEntry[] = [
  { pattern: '/flows', component: FlowsHome, nav: { label: 'Flows', href: '#/flows', match: (p) => p === '/' || p.startsWith('/flows') } },
  {
    pattern: '/flows/:id',
    component: FlowEditorPage,
    fullScreen: true,
    preload: (params, api) => {
      void loadEditor();
      prefetch(`flow:${params.id}`, () => api.getFlow(params.id));
    },
  },
];

export const HOME_PATH = '/flows';
