/**
 * What opening the flow editor needs, in one place for the two that start it
 * ahead: a deep link, before React is evaluated (`early-requests.ts`), and the
 * router while the session is checked (`routes.tsx`). Both end up sharing the
 * same requests (`prefetch` keeps one per key; the module loads once).
 */
import type { ApiClient } from './api-client.ts';
import { PREFETCH, prefetch } from './prefetch.ts';

export { FLOW_EDITOR_PATTERN } from './flow-editor-path.ts';

/** The editor screen's code. */
export const loadFlowEditor = () => import('./flow-editor-page.tsx');

/** Starts fetching the flow the editor will open (taken with `takePrefetched(PREFETCH.flow(id))`). */
export function prefetchFlow(api: ApiClient, flowId: string): void {
  prefetch(PREFETCH.flow(flowId), () => api.getFlow(flowId));
}
