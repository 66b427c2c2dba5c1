/** Runs `task` once the page's pending work is done (Safari has no requestIdleCallback: a second later there). */
export function whenIdle(task: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout: 3000 });
  else setTimeout(task, 1000);
}
