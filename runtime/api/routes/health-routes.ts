/** Liveness, readiness, operational health figures and Prometheus metrics. */
import { ERROR_CLASSES } from '../../../nodes/errors.ts';
import { ANY_ROLE } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { createHealthSampler } from '../../observability/health-sampler.ts';
import type { LedgerflowMetrics } from '../../observability/metrics.ts';

const AGE_BUCKETS = [
  { label: 'under 1 h', maxSeconds: 3600 },
  { label: '1 h – 1 d', maxSeconds: 86_400 },
  { label: '1 – 7 d', maxSeconds: 7 * 86_400 },
  { label: 'over 7 d', maxSeconds: null },
] as const;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Figures over the last `hours` (default 1), with hourly series for charts. */
async function healthFigures(ctx: ApiContext, hours = 1) {
  const now = ctx.now().getTime();
  const since = new Date(now - hours * 3600_000).toISOString();
  const { runs, hourly, byClass, latency, letters, inFlight: statusRows } = await ctx.database.ops.healthRows(since, new Date(now).toISOString());
  let queue: { queued: number; active: number; workers: { id: string; lastSeenAt: string; chunksDone: number }[] } | null = null;
  try { queue = await ctx.launcher.stats(); } catch { queue = null; }

  const n = Number(runs.runs);
  const read = Number(runs.records_read);
  const itemsRead = Number(runs.items_read);
  const oldest = letters.oldest ? new Date(String(letters.oldest)) : null;
  const byHour = new Map(hourly.map((r) => [new Date(r.hour as string | Date).getTime(), r]));
  const firstHour = Math.floor((now - (hours - 1) * 3600_000) / 3600_000) * 3600_000;
  const series = [];
  for (let t = firstHour; t <= now; t += 3600_000) {
    const r = byHour.get(t);
    series.push({ hour: new Date(t).toISOString(), runs: Number(r?.runs ?? 0), read: Number(r?.read ?? 0), delivered: Number(r?.delivered ?? 0), exceptions: Number(r?.exceptions ?? 0), duplicate: Number(r?.duplicate ?? 0) });
  }
  const classCounts: Record<string, number> = Object.fromEntries(ERROR_CLASSES.map((k) => [k, 0]));
  for (const r of byClass) classCounts[r.error_class] = Number(r.n);
  return {
    window: hours === 1 ? 'last hour' : `last ${hours} hours`,
    windowHours: hours,
    throughput: { runs: n, itemsRead, recordsRead: read, recordsDelivered: Number(runs.records_delivered), recordsPerSecond: read / (hours * 3600), hourly: series },
    failureRate: {
      runsFailed: Number(runs.failed), runsWithExceptions: Number(runs.with_exceptions), failedShare: n ? Number(runs.failed) / n : 0,
      /** Counted per item (a record that did not fan out is one item): failed items of the window's runs over the items they read. */
      level: 'items' as const,
      byClass: ERROR_CLASSES.map((errorClass) => ({ errorClass, records: classCounts[errorClass], share: itemsRead ? classCounts[errorClass] / itemsRead : 0 })),
    },
    latency: {
      runSecondsP50: num(runs.p50), runSecondsP95: num(runs.p95),
      syncSecondsP50: num(latency.p50), syncSecondsP95: num(latency.p95), syncRecords: Number(latency.n),
    },
    aging: {
      openDeadLetters: Number(letters.open), oldestOpenDeadLetterAgeSeconds: oldest ? Math.round((now - oldest.getTime()) / 1000) : null,
      buckets: AGE_BUCKETS.map((b, i) => ({ ...b, count: Number(letters[`b${i}`]) })),
    },
    runsInFlight: Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)])),
    queue: queue && { depth: queue.queued, active: queue.active },
    workers: queue?.workers ?? [],
  };
}

type Health = Awaited<ReturnType<typeof healthFigures>>;

/** Sets the database-wide gauges from the health figures of the last hour. */
export function setHealthGauges(m: LedgerflowMetrics, h: Health, now: Date): void {
  m.runsLastHour.set(h.throughput.runs);
  m.runsFailedLastHour.set(h.failureRate.runsFailed);
  m.runsWithExceptionsLastHour.set(h.failureRate.runsWithExceptions);
  m.recordsReadLastHour.set(h.throughput.recordsRead);
  m.recordsDeliveredLastHour.set(h.throughput.recordsDelivered);
  for (const c of h.failureRate.byClass) m.recordsFailedLastHour.set({ error_class: c.errorClass }, c.records);
  m.syncLatency.set({ quantile: '0.5' }, h.latency.syncSecondsP50 ?? 0);
  m.syncLatency.set({ quantile: '0.95' }, h.latency.syncSecondsP95 ?? 0);
  m.runDuration.set({ quantile: '0.5' }, h.latency.runSecondsP50 ?? 0);
  m.runDuration.set({ quantile: '0.95' }, h.latency.runSecondsP95 ?? 0);
  m.deadLettersOpen.set(h.aging.openDeadLetters);
  for (const b of h.aging.buckets) m.deadLettersOpenByAge.set({ age: b.label }, b.count);
  m.deadLetterOldestAge.set(h.aging.oldestOpenDeadLetterAgeSeconds ?? 0);
  m.queueDepth.set(h.queue?.depth ?? 0);
  m.queueActive.set(h.queue?.active ?? 0);
  m.workers.set(h.workers.length);
  m.sampledAt.set(now.getTime() / 1000);
}

export function registerHealthRoutes(app: Api, ctx: ApiContext): void {
  const sampler = createHealthSampler(async () => setHealthGauges(ctx.metrics, await healthFigures(ctx), ctx.now()), {
    maxAgeMs: (ctx.deps.metricsSampleSeconds ?? 15) * 1000,
    onError: (err) => ctx.logger.warn({ err }, 'the health figures of /metrics could not be refreshed'),
  });
  defineRoute(app, {
    ...api['GET /healthz'], tags: ['Health'], summary: 'Liveness: the process answers', roles: 'public',
  }, (c) => c.json({ status: 'ok' as const }, 200));

  defineRoute(app, {
    ...api['GET /readyz'], tags: ['Health'], summary: 'Readiness: database and queue reachable', roles: 'public',
  }, async (c) => {
    const check = async (fn: () => Promise<unknown>) => {
      try { await fn(); return 'ok'; } catch (err) { return `unreachable: ${(err as Error).message}`; }
    };
    const database = await check(() => ctx.database.ops.ping());
    const queue = await check(() => (ctx.deps.queueReady ? ctx.deps.queueReady() : ctx.launcher.stats()));
    const ready = database === 'ok' && queue === 'ok';
    return c.json({ status: ready ? 'ready' : 'not ready', database, queue }, ready ? 200 : 503);
  });

  defineRoute(app, {
    ...api['GET /api/health'], tags: ['Health'], summary: 'Throughput, failure rates, latency, dead-letter aging, queue depth and workers', roles: ANY_ROLE,
    description: '`hours` (1 … 720, default 1) sets the window; `throughput.hourly` is one entry per hour of it, for charts.',
  }, async (c) => c.json(await healthFigures(ctx, c.req.valid('query').hours ?? 1), 200));

  defineRoute(app, {
    ...api['GET /metrics'], tags: ['Health'], summary: 'Prometheus metrics (text exposition format)', roles: 'public',
  }, async (c) => {
    await sampler.fresh();
    return c.text(await ctx.metrics.registry.metrics(), 200, { 'Content-Type': ctx.metrics.registry.contentType });
  });
}
