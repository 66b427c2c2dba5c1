/** The audit log, newest first (admin). */
import { z } from '@hono/zod-openapi';
import { ADMINS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute, jsonResponse } from '../define-route.ts';
import { AuditEntrySchema, PageOf, PageQuery } from '../schemas.ts';

export function registerAuditRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    method: 'get', path: '/api/audit', tags: ['Operations'], summary: 'Audit log entries: who changed what, when, before and after', roles: ADMINS,
    request: {
      query: z.object({
        entity: z.string().optional(), entityId: z.string().optional(), actor: z.string().optional(), action: z.string().optional(),
        since: z.iso.datetime({ offset: true }).optional(), until: z.iso.datetime({ offset: true }).optional(), ...PageQuery,
      }),
    },
    responses: { 200: jsonResponse(PageOf(AuditEntrySchema), 'A page of entries') },
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json(await ctx.repos.audit.list(q, { limit: q.limit ?? 100, cursor: q.cursor }), 200);
  });
}
