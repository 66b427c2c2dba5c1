/** The audit log, newest first (admin). */
import { ADMINS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';

export function registerAuditRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/audit'], tags: ['Operations'], summary: 'Audit log entries: who changed what, when, before and after', roles: ADMINS,
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json(await ctx.repos.audit.list(q, { limit: q.limit ?? 100, cursor: q.cursor }), 200);
  });
}
