/** Daily reconciliation per flow and environment (runtime/app/reconciliation.ts). */
import { ANY_ROLE } from '../../auth/roles.ts';
import { dailyReconciliation } from '../../app/reconciliation.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';

export function registerReconciliationRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/reconciliation/daily'], tags: ['Operations'], summary: 'Daily reconciliation per flow and environment', roles: ANY_ROLE,
    description: 'Finished runs grouped by UTC day of their start: counts and per-currency totals by outcome (exact decimals), and whether the day closes. '
      + 'Replays are included (they re-read records quarantined earlier) and counted in `replayRuns`.',
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json({ items: await dailyReconciliation(ctx, { flow: q.flow, environment: q.environment, days: q.days ?? 30, now: ctx.now() }) }, 200);
  });
}
