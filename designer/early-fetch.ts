/**
 * The answers index.html's early-requests script (designer/build/early-requests-plugin.ts) started before
 * the entry was loaded: the API client's fetch takes them, once, while early-requests.ts makes its first
 * requests; then the door closes, so no later call is answered from the page's first moments.
 */

/** The window property the early script keeps its requests in (null once closed). */
export const EARLY_RESPONSES = '__ledgerflowEarly';

type EarlyMap = Record<string, Promise<Response>> | null | undefined;
const slot = () => globalThis as unknown as Record<string, EarlyMap>;

/** The response the early script started for a GET of `url`, once; undefined when it started none. */
export function takeEarlyResponse(url: string, init?: RequestInit): Promise<Response> | undefined {
  if ((init?.method ?? 'GET') !== 'GET') return undefined;
  const early = slot()[EARLY_RESPONSES];
  const p = early?.[url];
  if (p) delete early![url];
  return p;
}

/** No more early answers (and an early script that runs only now starts none). */
export function closeEarlyResponses(): void {
  slot()[EARLY_RESPONSES] = null;
}
