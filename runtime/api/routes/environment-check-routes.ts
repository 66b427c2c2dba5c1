/** A flow against an environment's bindings and databases, and a connection's tables for the inspector's picker. */
import { RUNNERS } from '../../auth/roles.ts';
import { connectionSchema, environmentChecks } from '../../app/environment-checks.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';

const WHO = 'Analysts in the first environment (dev) only, operators and admins in every environment (as for starting a run there).';

export function registerEnvironmentCheckRoutes(app: Api, ctx: ApiContext): void {
  defineRoute(app, {
    ...api['GET /api/flows/{id}/environment-checks'], tags: ['Deployments'], summary: 'Before deploying: what the environment does not bind and what its databases lack', roles: RUNNERS,
    description: `Checks the draft (or \`version\`) against \`environment\`: connections it does not bind, and each table target against the database that environment binds (missing table or column, NOT NULL column left without a value, constant its column's type cannot hold; the values the flow's stored samples give each column, dry-run, that its type cannot hold, with how many records fail). The databases are only read. ${WHO}`,
  }, async (c) => {
    const { id } = c.req.valid('param');
    const { environment, version } = c.req.valid('query');
    return c.json(await environmentChecks(ctx, ctx.connections, { flowId: id, environment, version, actor: currentUser(c) }), 200);
  });

  defineRoute(app, {
    ...api['GET /api/connections/{environment}/{name}/schema'], tags: ['Environments'], summary: "A SQL connection's tables and columns (information_schema, read only)", roles: RUNNERS,
    description: `For the table and column pickers of the table targets. No secret, no row is returned. ${WHO}`,
  }, async (c) => {
    const { environment, name } = c.req.valid('param');
    return c.json(await connectionSchema(ctx, ctx.connections, { environment, connection: name, actor: currentUser(c) }), 200);
  });
}
