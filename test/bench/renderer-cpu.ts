/**
 * CPU time of a page from a Chromium performance trace: the thread time
 * (`tdur`) of every top-level task on the page renderer's main thread and on
 * its dedicated workers. Unlike wall time it barely moves when other processes
 * keep the machine's cores busy, so it says what the page itself costs.
 */

/** Categories that carry the `RunTask` events with thread time. */
export const CPU_TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { url?: string } };
}

/**
 * Milliseconds of CPU on the main thread and on workers of the renderer that ran scripts from `origin`,
 * and in all of Chromium's processes and threads (browser, GPU, every renderer: top-level tasks only).
 */
export function rendererCpuMs(trace: Buffer | string, origin: string): { main: number; workers: number; chromium: number } {
  const events = (JSON.parse(String(trace)) as { traceEvents: TraceEvent[] }).traceEvents;
  // Top-level: a task not inside another traced slice of its thread (nested slices are counted by their parent).
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.tdur === undefined || e.ts === undefined || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    const list = byThread.get(key);
    if (list) list.push(e);
    else byThread.set(key, [e]);
  }
  let chromium = 0;
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts! - b.ts!);
    let end = -1;
    for (const e of list) {
      if (e.ts! < end) continue;
      chromium += e.tdur! / 1000;
      end = e.ts! + e.dur!;
    }
  }
  // Other renderers (Chromium's own pages) run in the same trace: the page's is the one that compiled its scripts.
  const pid = events.find((e) => (e.name === 'v8.compileModule' || e.name === 'EvaluateScript') && e.args?.data?.url?.startsWith(origin))?.pid;
  const threads = new Map<number, string>();
  for (const e of events) if (e.pid === pid && e.ph === 'M' && e.name === 'thread_name') threads.set(e.tid, e.args?.name ?? '');
  let main = 0;
  let workers = 0;
  for (const e of events) {
    if (e.pid !== pid || e.ph !== 'X' || e.name !== 'RunTask' || e.tdur === undefined) continue;
    const thread = threads.get(e.tid) ?? '';
    if (thread === 'CrRendererMain') main += e.tdur / 1000;
    else if (thread.startsWith('DedicatedWorker')) workers += e.tdur / 1000;
  }
  return { main, workers, chromium };
}
