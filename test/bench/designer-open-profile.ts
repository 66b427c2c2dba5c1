/**
 * `node --import tsx test/bench/designer-open-profile.ts`: where the time goes when the designer opens the
 * bench's 300-node flow on a cold page: the fetch waterfall (every request, start → end), the page's
 * main-thread tasks longer than 5 ms, and the marks from navigation to interactive. A diagnostic
 * beside `npm run bench:designer`, not a figure.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SourceMap } from 'node:module';
import buildDesigner from '../e2e/global-setup.ts';
import { launchBrowser, startTestServer } from '../e2e/browser.ts';
import { generatedFlow } from './designer-bench-flow.ts';
import { breakdownRows, scriptTimeByArea, threadTimeByKind } from './designer-open-breakdown.ts';

import type { CpuProfile as Profile, TraceEvent } from './designer-open-breakdown.ts';

const ASSETS = fileURLToPath(new URL('../../dist/designer/assets/', import.meta.url));
const maps = new Map<string, SourceMap | null>();
/** Where a position of a built script comes from, when the build has source maps (`npx vite build --sourcemap`). */
function original(file: string, line: number, column: number): string | null {
  if (!maps.has(file)) maps.set(file, existsSync(`${ASSETS}${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${ASSETS}${file}.map`, 'utf8'))) : null);
  const pos = maps.get(file)?.findEntry(line - 1, column) as { originalSource?: string; originalLine?: number; name?: string } | undefined;
  return pos?.originalSource ? `${pos.name ?? ''} ${pos.originalSource.replace(/^.*node_modules\//, '').replace(/^.*\.\.\//, '')}:${(pos.originalLine ?? 0) + 1}` : null;
}

/** Self time per function of a V8 CPU profile, largest first. */
function selfTimes(profile: Profile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)!;
    const file = f.url.replace(/^.*\//, '');
    const key = (file && original(file, f.lineNumber + 1, f.columnNumber)) || `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

await buildDesigner();
const server = await startTestServer({ LEDGERFLOW_EXAMPLES: '0', LEDGERFLOW_LOG_LEVEL: 'warn' });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.request.post(`${server.url}/api/auth/login`, { data: { username: 'admin', password: 'admin-password-1' } });
  const r = await context.request.post(`${server.url}/api/flows`, { data: { document: generatedFlow('bench-300') }, headers: { origin: server.url } });
  if (r.status() !== 201) throw new Error(`creating the flow: ${r.status()}`);
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
    const page = await context.newPage();
    // A sampling CPU profile of the page's main thread beside the trace: self time by function.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8', 'disabled-by-default-v8.compile', 'blink.user_timing', 'loading'] });
    await page.goto(`${server.url}/#/flows/bench-300`);
    await page.locator('.react-flow__node').first().waitFor({ state: 'visible', timeout: 30_000 });
    const nodesAt = await page.evaluate(() => performance.now());
    await page.locator('.react-flow__edge-path[d]').first().waitFor({ state: 'attached', timeout: 30_000 });
    const edgeAt = await page.evaluate(() => performance.now());
    const interactive = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))));
    const trace = await browser.stopTracing();
    const { profile } = await cdp.send('Profiler.stop');
    if (process.env.TRACE_OUT) writeFileSync(`${process.env.TRACE_OUT}-${round}.json`, trace);
    const timeline = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => `${String(Math.round(e.startTime)).padStart(5)} → ${String(Math.round(e.responseEnd)).padStart(5)}  ${new URL(e.name).pathname}`);
      const paints = performance.getEntriesByType('paint').map((e) => `${e.name} ${Math.round(e.startTime)}`);
      return { nav: `html ${Math.round(nav.requestStart)} → ${Math.round(nav.responseEnd)}, DOMContentLoaded ${Math.round(nav.domContentLoadedEventEnd)}`, res, paints };
    });
    const events = (JSON.parse(String(trace)) as { traceEvents: TraceEvent[] }).traceEvents;
    const pid = events.find((e) => (e.name === 'v8.compileModule' || e.name === 'EvaluateScript') && String(e.args?.data?.url ?? '').startsWith(server.url))?.pid;
    const mainTid = events.find((e) => e.pid === pid && e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')?.tid;
    const navStart = events.find((e) => e.pid === pid && e.name === 'navigationStart' && String(e.args?.data?.documentLoaderURL ?? '').startsWith(server.url))?.ts
      ?? events.find((e) => e.pid === pid && e.name === 'navigationStart')?.ts ?? events.find((e) => e.pid === pid && e.name === 'markAsMainFrame')?.ts ?? 0;
    const tasks = events.filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.name === 'RunTask' && (e.dur ?? 0) > 5000);
    const inside = (t: TraceEvent) => events.filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.ts >= t.ts && e.ts < t.ts + (t.dur ?? 0) && e.name !== 'RunTask' && (e.dur ?? 0) > 2000)
      .map((e) => `${e.name}${e.args?.data?.url ? ` ${new URL(String(e.args.data.url)).pathname}` : ''}${e.args?.data?.functionName ? ` ${e.args.data.functionName}` : ''} ${(e.dur! / 1000).toFixed(0)}`).slice(0, 6).join('; ');
    console.log(`\n--- round ${round}: nodes ${Math.round(nodesAt)}, edge ${Math.round(edgeAt)}, interactive ${Math.round(interactive)} ms`);
    console.log(timeline.nav, '|', timeline.paints.join(', '));
    for (const line of timeline.res) console.log(`  ${line}`);
    console.log('  main-thread tasks > 5 ms (start ms, wall ms, cpu ms):');
    const topAreas = (t: TraceEvent) => [...scriptTimeByArea(profile as Profile, t.ts, t.ts + t.dur!, original)].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([a, ms]) => `${a} ${ms.toFixed(0)}`).join(', ');
    for (const t of tasks) console.log(`  ${String(Math.round((t.ts - navStart) / 1000)).padStart(5)} ${String(Math.round(t.dur! / 1000)).padStart(4)} ${String(Math.round((t.tdur ?? 0) / 1000)).padStart(4)}  ${inside(t)}${topAreas(t) ? `  [${topAreas(t)}]` : ''}`);
    // The page's main-thread CPU from navigation to interactive (performance.now() counts from navigation start).
    const until = navStart + interactive * 1000;
    const { kinds, forcedLayoutMs } = threadTimeByKind(events, pid!, mainTid!, navStart, until);
    const rows = breakdownRows(kinds, scriptTimeByArea(profile as Profile, navStart, until, original));
    console.log(`  main-thread CPU, navigation → interactive: ${rows.reduce((t, [, ms]) => t + ms, 0).toFixed(0)} ms (layout and style forced by scripts: ${forcedLayoutMs.toFixed(1)} ms)`);
    for (const [kind, ms] of rows) if (ms >= 0.5) console.log(`  ${ms.toFixed(1).padStart(7)}  ${kind}`);
    const workerTids = events.filter((e) => e.pid === pid && e.ph === 'M' && e.name === 'thread_name' && String(e.args?.name).startsWith('DedicatedWorker')).map((e) => e.tid);
    const workerTasks = events.filter((e) => e.pid === pid && workerTids.includes(e.tid) && e.ph === 'X' && e.name === 'RunTask');
    const workerCpu = (a: number, b: number) => workerTasks.filter((e) => e.ts >= a && e.ts < b).reduce((t, e) => t + (e.tdur ?? 0) / 1000, 0);
    console.log(workerTasks.length ? `  flow-problems worker: first task at ${Math.round((Math.min(...workerTasks.map((e) => e.ts)) - navStart) / 1000)} ms, ${workerCpu(navStart, until).toFixed(1)} ms CPU before interactive, ${workerCpu(until, Infinity).toFixed(1)} ms after (until the trace stopped)` : '  flow-problems worker: not started before the trace stopped');
    console.log('  main-thread self time by function (ms, top 25):');
    for (const [name, ms] of selfTimes(profile).slice(0, 25)) console.log(`  ${ms.toFixed(1).padStart(7)}  ${name}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
