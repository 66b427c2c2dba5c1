/**
 * What a deep link waits for, asked for first thing: main.tsx imports this
 * module before React and the screens, so these requests start before that
 * code is evaluated. The session check always; for a flow (`#/flows/:id`, the
 * editor's route in routes.tsx) the flow and the editor's code too. The app
 * takes the answers with `takePrefetched`.
 */
import { createApiClient } from './api-client.ts';
import { PREFETCH, prefetch } from './prefetch.ts';

/** The app's API client. */
export const api = createApiClient();

prefetch(PREFETCH.session, () => api.me());

const flowLink = /^#\/flows\/([^/?]+)$/.exec(window.location.hash.split('?')[0]);
if (flowLink) {
  let id: string | null = null;
  try {
    id = decodeURIComponent(flowLink[1]);
  } catch {
    // A malformed link; the router shows the flows instead.
  }
  if (id !== null) {
    const flowId = id;
    prefetch(PREFETCH.flow(flowId), () => api.getFlow(flowId));
    void import('./flow-editor-page.tsx').catch(() => undefined);
  }
}
