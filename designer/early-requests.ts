/**
 * What a deep link waits for, asked for first thing: main.tsx imports this
 * module before React DOM and the screens, so these requests start before that
 * code is evaluated (or take them from index.html's early script, which started them sooner). The session check always; for a link to a flow
 * (`FLOW_EDITOR_PATTERN`) the flow and the editor's code too. The app takes
 * the answers with `takePrefetched`.
 */
import { api } from './api-client.ts';
import { FLOW_EDITOR_PATTERN, loadFlowEditor, prefetchFlow } from './flow-editor-route.ts';
import { PREFETCH, prefetch } from './prefetch.ts';
import { closeEarlyResponses } from './early-fetch.ts';
import { matchRoute } from './router.ts';

export { api };

prefetch(PREFETCH.session, () => api.me());

let flowLink: Record<string, string> | null = null;
try {
  flowLink = matchRoute(FLOW_EDITOR_PATTERN, window.location.hash.replace(/^#/, '').split('?')[0]);
} catch {
  // A malformed link; the router shows the flows instead.
}
if (flowLink) {
  prefetchFlow(api, flowLink.id);
  void loadFlowEditor().catch(() => undefined);
}
// The requests above took what index.html's early script had started (designer/early-fetch.ts).
closeEarlyResponses();
