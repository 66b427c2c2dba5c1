/** Sub-flows: list, save a new version (editors, audited), show a version (runtime/app/subflows.ts). */
import type { SubflowDefinition } from '../../../nodes/subflow/subflow.ts';
import { listSubflows, saveSubflow, showSubflow } from '../../app/subflows.ts';
import { ANY_ROLE, EDITORS } from '../../auth/roles.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { api } from '../contract/routes.ts';
import { defineRoute } from '../define-route.ts';
import { currentUser } from '../middleware/auth.ts';

export function registerSubflowRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/subflows'], tags: ['Sub-flows'], summary: 'Sub-flows at their latest version, with the flows using each', roles: ANY_ROLE,
  }, async (c) => c.json({ items: await listSubflows(ctx) }, 200));

  defineRoute(app, {
    ...api['PUT /api/subflows/{name}'], tags: ['Sub-flows'], summary: 'Save a group of nodes as the next version of a sub-flow (audited)', roles: EDITORS,
    description: 'Flows keep the version they pin until they are updated to a newer one; the update is a change of the flow, shown in its diff.',
  }, async (c) => {
    const body = c.req.valid('json');
    const saved = await saveSubflow(ctx, currentUser(c).username, { name: c.req.valid('param').name, definition: body.definition as unknown as SubflowDefinition, message: body.message });
    return c.json(saved, 200);
  });

  defineRoute(app, {
    ...api['GET /api/subflows/{name}'], tags: ['Sub-flows'], summary: 'A version of a sub-flow (default the latest) with its versions and users', roles: ANY_ROLE,
  }, async (c) => c.json(await showSubflow(ctx, c.req.valid('param').name, c.req.valid('query').version), 200));
}
