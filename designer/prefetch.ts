/**
 * Requests started before they are needed (while the session is being
 * checked), taken once by the screen that needs them.
 */
const started = new Map<string, Promise<unknown>>();

/** Keys of the requests made ahead. */
export const PREFETCH = {
  session: 'session',
  flow: (id: string) => `flow:${id}`,
};

export function prefetch<T>(key: string, load: () => Promise<T>): void {
  if (started.has(key)) return;
  const p = load();
  // A failed prefetch is simply asked again by its screen; keep it from being "unhandled".
  p.catch(() => undefined);
  started.set(key, p);
}

/** The prefetched promise, once; undefined when nothing was prefetched. */
export function takePrefetched<T = unknown>(key: string): Promise<T> | undefined {
  const p = started.get(key) as Promise<T> | undefined;
  started.delete(key);
  return p;
}
