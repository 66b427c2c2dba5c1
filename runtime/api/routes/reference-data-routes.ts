/** Reference (master) data sets: list, load a new version (admin), versions, rows, a flow's problems (runtime/app/reference-sets.ts). */
import { listReferenceSets, loadReferenceSet, referenceDataProblems, referenceSetHistory, showReferenceSet } from '../../app/reference-sets.ts';
import { ADMINS, ANY_ROLE } from '../../auth/roles.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';

export function registerReferenceDataRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/reference-data'], tags: ['Reference data'], summary: 'Reference data sets at their current version', roles: ANY_ROLE,
  }, async (c) => c.json({ items: await listReferenceSets(ctx) }, 200));

  defineRoute(app, {
    ...api['POST /api/reference-data/check'], tags: ['Reference data'], summary: "A flow's reference data problems, as checked before deploy", roles: ANY_ROLE,
  }, async (c) => c.json({ problems: await referenceDataProblems(ctx, c.req.valid('json').document as unknown as FlowDocument) }, 200));

  defineRoute(app, {
    ...api['PUT /api/reference-data/{set}'], tags: ['Reference data'], summary: 'Load a CSV or JSON file as a new version of a set (audited)', roles: ADMINS,
    description: 'Refused, keeping the current version, when a row has no key value, a date field is not a date, or (unless `multiple`) a key repeats in overlapping validity periods.',
  }, async (c) => {
    const body = c.req.valid('json');
    const key = Array.isArray(body.key) ? body.key : body.key.split(',').map((k) => k.trim()).filter(Boolean);
    return c.json(await loadReferenceSet(ctx, currentUser(c).username, { ...body, key, set: c.req.valid('param').set }), 200);
  });

  defineRoute(app, {
    ...api['GET /api/reference-data/{set}/versions'], tags: ['Reference data'], summary: "A set's versions, newest first", roles: ANY_ROLE,
  }, async (c) => c.json(await referenceSetHistory(ctx, c.req.valid('param').set), 200));

  defineRoute(app, {
    ...api['GET /api/reference-data/{set}/rows'], tags: ['Reference data'], summary: 'A version of a set with its first rows', roles: ANY_ROLE,
  }, async (c) => {
    const q = c.req.valid('query');
    return c.json(await showReferenceSet(ctx, c.req.valid('param').set, q.version, q.limit ?? 200), 200);
  });
}
