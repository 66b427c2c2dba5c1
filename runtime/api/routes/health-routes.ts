/** Liveness, readiness, operational health figures and Prometheus metrics. */
import { z } from '@hono/zod-openapi';
import { ANY_ROLE } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute, jsonResponse } from '../define-route.ts';

async function healthFigures(ctx: ApiContext) {
  const since = new Date(ctx.now().getTime() - 3600_000).toISOString();
  const { rows: [runs] } = await ctx.repos.sql.query<Record<string, unknown>>(
    `select count(*) as runs,
       count(*) filter (where status = 'failed') as failed,
       count(*) filter (where has_exceptions) as with_exceptions,
       coalesce(sum((counts ->> 'read')::bigint), 0) as records_read,
       coalesce(sum((counts ->> 'delivered')::bigint), 0) as records_delivered,
       percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at)) filter (where finished_at is not null and started_at is not null) as p50,
       percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at)) filter (where finished_at is not null and started_at is not null) as p95
     from runs where created_at >= $1`, [since]);
  const { rows: [letters] } = await ctx.repos.sql.query<Record<string, unknown>>(
    `select count(*) as open, min(created_at) as oldest from dead_letters where status = 'open'`);
  const { rows: statusRows } = await ctx.repos.sql.query<{ status: string; n: unknown }>(`select status, count(*) as n from runs where status in ('queued', 'running') group by status`);
  let queue: { queued: number; active: number; workers: { id: string; lastSeenAt: string; chunksDone: number }[] } | null = null;
  try { queue = await ctx.launcher.stats(); } catch { queue = null; }
  const n = Number(runs.runs);
  const oldest = letters.oldest ? new Date(String(letters.oldest)) : null;
  return {
    window: 'last hour',
    throughput: { runs: n, recordsRead: Number(runs.records_read), recordsDelivered: Number(runs.records_delivered), recordsPerSecond: Number(runs.records_read) / 3600 },
    failureRate: { runsFailed: Number(runs.failed), runsWithExceptions: Number(runs.with_exceptions), failedShare: n ? Number(runs.failed) / n : 0 },
    latency: { runSecondsP50: runs.p50 === null ? null : Number(runs.p50), runSecondsP95: runs.p95 === null ? null : Number(runs.p95) },
    aging: { openDeadLetters: Number(letters.open), oldestOpenDeadLetterAgeSeconds: oldest ? Math.round((ctx.now().getTime() - oldest.getTime()) / 1000) : null },
    runsInFlight: Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)])),
    queue: queue && { depth: queue.queued, active: queue.active },
    workers: queue?.workers ?? [],
  };
}

export function registerHealthRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    method: 'get', path: '/healthz', tags: ['Health'], summary: 'Liveness: the process answers', roles: 'public',
    responses: { 200: jsonResponse(z.object({ status: z.literal('ok') }), 'Alive') },
  }, (c) => c.json({ status: 'ok' as const }, 200));

  defineRoute(app, {
    method: 'get', path: '/readyz', tags: ['Health'], summary: 'Readiness: database and queue reachable', roles: 'public',
    responses: { 200: jsonResponse(z.object({ status: z.string(), database: z.string(), queue: z.string() }), 'Ready'), 503: { description: 'Not ready (which part is named)' } },
  }, async (c) => {
    const check = async (fn: () => Promise<unknown>) => {
      try { await fn(); return 'ok'; } catch (err) { return `unreachable: ${(err as Error).message}`; }
    };
    const database = await check(() => ctx.store.sql.query('select 1'));
    const queue = await check(() => (ctx.deps.queueReady ? ctx.deps.queueReady() : ctx.launcher.stats()));
    const ready = database === 'ok' && queue === 'ok';
    return c.json({ status: ready ? 'ready' : 'not ready', database, queue }, ready ? 200 : 503);
  });

  defineRoute(app, {
    method: 'get', path: '/api/health', tags: ['Health'], summary: 'Throughput, failure rates, latency, dead-letter aging, queue depth and workers', roles: ANY_ROLE,
    responses: { 200: jsonResponse(z.looseObject({ throughput: z.unknown() }).openapi('Health'), 'Figures for the last hour') },
  }, async (c) => c.json(await healthFigures(ctx), 200));

  defineRoute(app, {
    method: 'get', path: '/metrics', tags: ['Health'], summary: 'Prometheus metrics (text exposition format)', roles: 'public',
    responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } } },
  }, async (c) => {
    const h = await healthFigures(ctx);
    const lines = [
      '# HELP ledgerflow_runs_last_hour Runs created in the last hour.', '# TYPE ledgerflow_runs_last_hour gauge', `ledgerflow_runs_last_hour ${h.throughput.runs}`,
      '# HELP ledgerflow_runs_failed_last_hour Failed runs in the last hour.', '# TYPE ledgerflow_runs_failed_last_hour gauge', `ledgerflow_runs_failed_last_hour ${h.failureRate.runsFailed}`,
      '# HELP ledgerflow_records_read_last_hour Records read in the last hour.', '# TYPE ledgerflow_records_read_last_hour gauge', `ledgerflow_records_read_last_hour ${h.throughput.recordsRead}`,
      '# HELP ledgerflow_records_delivered_last_hour Records delivered in the last hour.', '# TYPE ledgerflow_records_delivered_last_hour gauge', `ledgerflow_records_delivered_last_hour ${h.throughput.recordsDelivered}`,
      '# HELP ledgerflow_dead_letters_open Open dead letters.', '# TYPE ledgerflow_dead_letters_open gauge', `ledgerflow_dead_letters_open ${h.aging.openDeadLetters}`,
      '# HELP ledgerflow_dead_letter_oldest_age_seconds Age of the oldest open dead letter.', '# TYPE ledgerflow_dead_letter_oldest_age_seconds gauge', `ledgerflow_dead_letter_oldest_age_seconds ${h.aging.oldestOpenDeadLetterAgeSeconds ?? 0}`,
      '# HELP ledgerflow_queue_depth Jobs waiting.', '# TYPE ledgerflow_queue_depth gauge', `ledgerflow_queue_depth ${h.queue?.depth ?? 0}`,
      '# HELP ledgerflow_queue_active Jobs being worked on.', '# TYPE ledgerflow_queue_active gauge', `ledgerflow_queue_active ${h.queue?.active ?? 0}`,
      '# HELP ledgerflow_workers Workers seen recently.', '# TYPE ledgerflow_workers gauge', `ledgerflow_workers ${h.workers.length}`,
    ];
    return c.text(lines.join('\n') + '\n', 200, { 'Content-Type': 'text/plain; version=0.0.4' });
  });
}
