/**
 * Where the page's main-thread CPU goes while the designer opens a flow, from a Chromium performance trace
 * and a sampling CPU profile of the same open (`designer-open-profile.ts` takes both). The trace gives the
 * browser's own work by kind (parse and compile, style, layout, paint, GC); the profile splits the time spent
 * running JavaScript by the code it ran (React, React Flow, the store, the designer's own code), named through
 * the build's source maps.
 */

export interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; data?: Record<string, unknown> } }
export interface CpuProfile {
  nodes: { id: number; parent?: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  startTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** The browser's work, by trace event name; anything else running a script is JavaScript. */
const KIND_OF: [RegExp, string][] = [
  [/^(v8\.compile|v8\.compileModule|V8\.Compile|V8\.Parse|v8\.parseOnBackground|V8\.Deserialize|v8\.produce)/, 'script parse & compile'],
  [/^(MinorGC|MajorGC|V8\.GC|BlinkGC)/, 'garbage collection'],
  [/^UpdateLayoutTree$|^ParseAuthorStyleSheet$|^RecalculateStyles$/, 'style (CSS parse, recalc)'],
  [/^Layout$|^InvalidateLayout$/, 'layout'],
  [/^(PrePaint|Paint|Layerize|Commit|UpdateLayer|Draw LazyPixelRef|Decode|HitTest|IntersectionObserverController)/, 'paint, composite, hit test'],
  [/^(FunctionCall|v8\.evaluateModule|EvaluateScript|RunMicrotasks|TimerFire|EventDispatch|FireAnimationFrame|FireIdleCallback|V8\.HandleInterrupts|V8\.BytecodeBudgetInterrupt|V8\.StackGuard|V8\.InvokeApiInterruptCallbacks|v8\.run|v8\.callFunction|ResizeObserver)/, 'JavaScript'],
  [/^(ParseHTML|DocumentLoader|NavigationBodyLoader|HTMLDocumentParser|DecodedDataDocumentParser|CommitLoad|ResourceReceivedData|MarkDOMContent)/, 'HTML & document loading'],
];

const HARNESS = "the bench's own: Playwright's injected script";

const kindOf = (name: string) => KIND_OF.find(([re]) => re.test(name))?.[1] ?? 'other browser work';

/** Self thread time (ms) of every slice on one thread between `from` and `to` (µs), summed by kind. */
export function threadTimeByKind(events: TraceEvent[], pid: number, tid: number, from: number, to: number) {
  const slices = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.tdur !== undefined && e.dur !== undefined && e.ts >= from && e.ts < to)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<TraceEvent, number>();
  const stack: TraceEvent[] = [];
  // Layout and style asked for by a script (read back before the frame): work the frame would do anyway, but at a worse time.
  let forced = 0;
  // Scripts with no file: Playwright's injected script (the bench's own polling), with what runs inside them.
  const harness = new Set<TraceEvent>();
  for (const e of slices) {
    while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, self.get(parent)! - e.tdur!);
    self.set(e, e.tdur!);
    if ((parent && harness.has(parent)) || (e.name === 'EvaluateScript' && !e.args?.data?.url)) harness.add(e);
    if ((e.name === 'Layout' || e.name === 'UpdateLayoutTree') && stack.some((s) => kindOf(s.name) === 'JavaScript')) forced += e.tdur! / 1000;
    stack.push(e);
  }
  const kinds = new Map<string, number>();
  for (const [e, t] of self) {
    const kind = harness.has(e) ? HARNESS : e.name === 'RunTask' ? 'task scheduling' : kindOf(e.name);
    kinds.set(kind, (kinds.get(kind) ?? 0) + Math.max(0, t) / 1000);
  }
  return { kinds, forcedLayoutMs: forced };
}

/** What code a source file is, for the JavaScript split. */
function areaOf(source: string): string {
  if (/react-dom|scheduler|node_modules\/react\//.test(source)) return 'React (render, commit, DOM)';
  if (/@xyflow/.test(source)) return 'React Flow';
  if (/zustand|use-sync-external-store/.test(source)) return 'store subscriptions (zustand)';
  if (/(^|[\s/])designer\//.test(source)) return `designer: ${/designer\/([^/]+)\//.exec(source)?.[1] ?? "top"}`;
  if (/(^|[\s/])(nodes|runtime)\//.test(source)) return 'node catalog & shared code';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
  return pkg ? `library ${pkg}` : 'other script';
}

/**
 * Milliseconds of JavaScript in the profile between `from` and `to` (µs), by area. A sample in a native
 * function (appendChild, fetch, JSON.parse) counts for the script that called it; one under React Flow's
 * ResizeObserver callback (`updateNodeInternals`) is React Flow measuring the nodes it rendered.
 */
export function scriptTimeByArea(profile: CpuProfile, from: number, to: number, original: (url: string, line: number, column: number) => string | null) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const areaCache = new Map<number, string | null>();
  const areaOfNode = (id: number): string | null => {
    if (areaCache.has(id)) return areaCache.get(id)!;
    let area: string | null = null;
    let measuring = false;
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (f.functionName === 'updateNodeInternals' || f.functionName === 'updateDimensions') measuring = true;
      if (area === null && f.url) {
        const file = f.url.replace(/^.*\//, '');
        area = areaOf(original(file, f.lineNumber + 1, f.columnNumber) ?? f.url);
      }
    }
    const result = measuring ? 'React Flow measuring nodes (ResizeObserver)' : area;
    areaCache.set(id, result);
    return result;
  };
  const areas = new Map<string, number>();
  let t = profile.startTime;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    if (t < from || t >= to) continue;
    const name = byId.get(samples[i])!.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)' || name === '(root)') continue;
    // No frame with a file: Playwright's injected script and what the bench evaluates (its compile is in HARNESS).
    const area = areaOfNode(samples[i]) ?? 'no source file (Playwright\'s evaluations)';
    areas.set(area, (areas.get(area) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  return areas;
}

/** The JavaScript slice of `kinds` split in the proportions of `areas`, for one table. */
export function breakdownRows(kinds: Map<string, number>, areas: Map<string, number>): [string, number][] {
  const js = kinds.get('JavaScript') ?? 0;
  const sampled = [...areas.values()].reduce((a, b) => a + b, 0);
  const rows: [string, number][] = [...kinds].filter(([k]) => k !== 'JavaScript');
  for (const [area, ms] of areas) rows.push([`JavaScript: ${area}`, sampled ? (js * ms) / sampled : 0]);
  return rows.sort((a, b) => b[1] - a[1]);
}
