/** Runs: start one by hand, list and follow them, read their records, cancel, search by business key. */
import { streamSSE } from 'hono/streaming';
import { ANY_ROLE, OPERATORS, RUNNERS } from '../../auth/roles.ts';
import { RUN_STATUSES, type RunStatus } from '../../engine/run-types.ts';
import type { RunFilter, RunRow } from '../../store/store.ts';
import { appDeps, type Api, type ApiContext } from '../app-env.ts';
import { cancelRun, startRun } from '../../app/runs.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { notFound } from '../problem.ts';
import { sampleBytes } from '../services/flow-support.ts';
import { requireFlow } from './flow-routes.ts';
import { idempotent } from '../middleware/idempotency.ts';
import { registerReconciliationRoutes } from './reconciliation-routes.ts';

async function statusCounts(ctx: ApiContext, filter: RunFilter): Promise<Record<string, number>> {
  const found = await ctx.database.ops.runStatusCounts(filter);
  return Object.fromEntries([...RUN_STATUSES.map((s) => [s, 0] as const), ...found]);
}

/** What happened to a run, in order: queued (by whom, from what), started, each chunk, finished, later replays. */
async function runTimeline(ctx: ApiContext, run: RunRow): Promise<{ at: string; event: string; detail: string }[]> {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
  const { inputs, chunks, replays } = await ctx.database.ops.runTimelineRows(run.id);
  const by = inputs[0] ? ` by ${inputs[0].requested_by}` : '';
  const what = run.trigger === 'replay' && run.replayOf ? `replay of ${run.replayOf}` : run.trigger;
  const events = [
    { at: run.createdAt, event: 'queued', detail: `${what}${run.triggerRef ? `: ${run.triggerRef}` : ''}${by}` },
    ...(run.startedAt ? [{ at: run.startedAt, event: 'started', detail: run.version !== null ? `version ${run.version}${run.environment ? ` in ${run.environment}` : ''}` : '' }] : []),
    ...chunks.map((ch) => ({ at: iso(ch.done_at), event: `chunk ${ch.chunk_no} ${ch.status}`, detail: `${Number(ch.roots_n)} record(s)${ch.worker_id ? ` on worker ${ch.worker_id}` : ''}${ch.attempts > 1 ? `, ${ch.attempts} attempts` : ''}` })),
    ...(run.finishedAt ? [{ at: run.finishedAt, event: run.status, detail: run.error?.message ?? '' }] : []),
    ...replays.map((r) => ({ at: iso(r.created_at), event: 'replayed', detail: `run ${r.id} (version ${r.version ?? '?'}, ${r.status})` })),
  ];
  return events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export async function requireRun(ctx: ApiContext, id: string): Promise<RunRow> {
  const run = await ctx.store.getRun(id);
  if (!run) throw notFound(`Run ${id} does not exist.`);
  return run;
}

export function registerRunRoutes(app: Api, ctx: ApiContext): void {
  registerReconciliationRoutes(app, ctx);
  app.use('/api/flows/:id/runs', idempotent(ctx.repos.sql));
  defineRoute(app, {
    ...api['POST /api/flows/{id}/runs'], tags: ['Runs'], summary: 'Start a run of the version deployed in an environment', roles: RUNNERS,
    description: 'Analysts start runs in the first environment (dev) only; operators and admins in every environment (403 otherwise). With `input` the flow\'s source reads that document; without, the source reads itself (a query source). Answers 202 once the run is durably queued. '
      + 'Send an `Idempotency-Key` header (e.g. a UUID) to make a retry safe: the same key gives the first answer again and starts no second run.',
  }, async (c) => {
    const flow = await requireFlow(ctx, c.req.valid('param').id);
    const body = c.req.valid('json');
    const env = ctx.environment(body.environment);
    const user = currentUser(c);
    const input = body.input ? { name: body.input.name, bytes: await sampleBytes(ctx, flow.id, body.input) } : undefined;
    const run = await startRun(appDeps(ctx), { flowId: flow.id, environment: env, input, actor: user });
    return c.json({ runId: run.id }, 202);
  });

  defineRoute(app, {
    ...api['GET /api/runs'], tags: ['Runs'], summary: 'Runs, newest first, with counts by status', roles: ANY_ROLE,
  }, async (c) => {
    const q = c.req.valid('query');
    const filter: RunFilter = {
      flowId: q.flow, environment: q.environment, status: q.status as RunStatus | undefined, trigger: q.trigger, since: q.since, until: q.until,
      hasExceptions: q.hasExceptions === undefined ? undefined : q.hasExceptions === 'true',
    };
    const page = await ctx.store.listRuns(filter, { limit: q.limit ?? 50, cursor: q.cursor });
    return c.json({ ...page, statusCounts: await statusCounts(ctx, { ...filter, status: undefined }) }, 200);
  });

  defineRoute(app, {
    ...api['GET /api/runs/events'], tags: ['Runs'], summary: 'Server-sent events: a `run` event with the RunRow whenever a run changes', roles: ANY_ROLE,
  }, (c) => {
    const { flow } = c.req.valid('query');
    return streamSSE(c, async (stream) => {
      const seen = new Map<string, string>();
      let first = true;
      while (!stream.aborted && !stream.closed) {
        const page = await ctx.store.listRuns({ flowId: flow }, { limit: 50 });
        for (const run of [...page.items].reverse()) {
          const fingerprint = `${run.status}|${JSON.stringify(run.counts)}|${run.finishedAt}`;
          if (seen.get(run.id) !== fingerprint) {
            seen.set(run.id, fingerprint);
            if (!first) await stream.writeSSE({ event: 'run', id: run.id, data: JSON.stringify(run) });
          }
        }
        if (first) await stream.writeSSE({ event: 'ready', data: '{}' });
        first = false;
        await stream.sleep(1000);
      }
    });
  });

  defineRoute(app, {
    ...api['GET /api/runs/{id}'], tags: ['Runs'], summary: 'A run with its node statistics, version and timeline', roles: ANY_ROLE,
  }, async (c) => {
    const run = await requireRun(ctx, c.req.valid('param').id);
    const [nodes, version] = await Promise.all([
      ctx.store.getNodeStats(run.id),
      run.version !== null ? ctx.store.getVersion(run.flowId, run.version) : Promise.resolve(null),
    ]);
    const timeline = await runTimeline(ctx, run);
    return c.json({ run, nodes, version, timeline }, 200);
  });

  defineRoute(app, {
    ...api['GET /api/runs/{id}/records'], tags: ['Runs'], summary: 'Record traces of a run', roles: ANY_ROLE,
  }, async (c) => {
    const run = await requireRun(ctx, c.req.valid('param').id);
    const q = c.req.valid('query');
    const page = await ctx.store.listTraces(run.id, { outcome: q.outcome as never, search: q.search }, { limit: q.limit ?? 100, cursor: q.cursor });
    return c.json(page, 200);
  });

  defineRoute(app, {
    ...api['GET /api/runs/{id}/records/{lineageKey}'], tags: ['Runs'], summary: 'One record\'s trace (sensitive fields masked)', roles: ANY_ROLE,
  }, async (c) => {
    const { id, lineageKey } = c.req.valid('param');
    await requireRun(ctx, id);
    const trace = await ctx.store.getTrace(id, lineageKey);
    if (!trace) throw notFound(`Run ${id} has no record ${lineageKey}.`);
    return c.json({ ...trace, sourceRecord: await ctx.store.sourceRecordOutcomes(id, lineageKey) }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/runs/{id}/cancel'], tags: ['Runs'], summary: 'Cancel a queued or running run', roles: OPERATORS,
  }, async (c) => {
    return c.json(await cancelRun(appDeps(ctx), { runId: c.req.valid('param').id, actor: currentUser(c).username }), 200);
  });

  defineRoute(app, {
    ...api['GET /api/search'], tags: ['Runs'], summary: 'Every record with a business key, across runs and flows', roles: ANY_ROLE,
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json(await ctx.store.findByBusinessKey(q.businessKey, { limit: q.limit ?? 50, cursor: q.cursor }), 200);
  });
}
