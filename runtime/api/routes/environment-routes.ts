/** Environments and their connections (admin; secret values are write-only; use cases: runtime/app/connections.ts). */
import { ADMINS, ANY_ROLE } from '../../auth/roles.ts';
import { connectionView, deleteConnection, putConnection, testConnection } from '../../app/connections.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';

export function registerEnvironmentRoutes(app: Api, ctx: ApiContext): void {
  const { connections } = ctx.repos;

  defineRoute(app, {
    ...api['GET /api/environments'], tags: ['Environments'], summary: 'Environments in promotion order', roles: ANY_ROLE,
  }, (c) => c.json({ items: ctx.environments }, 200));

  defineRoute(app, {
    ...api['GET /api/connections'], tags: ['Environments'], summary: 'Connections per environment (secret values are never returned)', roles: ADMINS,
  }, async (c) => {
    const { environment } = c.req.valid('query');
    if (environment) ctx.environment(environment);
    return c.json({ items: (await connections.listConnections(environment)).map(connectionView) }, 200);
  });

  defineRoute(app, {
    ...api['PUT /api/connections/{environment}/{name}'], tags: ['Environments'], summary: 'Create or change a connection of an environment', roles: ADMINS,
    description: 'postgres settings: `{ url }` or `{ embedded: true }` (a database of its own, never the store; a url pointing at the store\'s database is refused); http: `{ baseUrl, headers?, rateLimitPerSecond?, maxConcurrent?, auth? }` (rateLimitPerSecond and maxConcurrent — requests in flight at once — hold per environment and connection across all runs and workers) (auth: api-key, bearer, basic or oauth2-client-credentials, its credentials as secret references); amqp: `{ url }`; nats: `{ servers, user?, password?, token? }`; sftp: `{ host, port?, username, privateKey, passphrase?, hostKey }`. Secret values go in `secrets` and are referenced from settings as `{{secret:name}}`; a secret left out keeps its value, an empty string removes it.',
  }, async (c) => {
    const { environment, name } = c.req.valid('param');
    const saved = await putConnection(ctx, { environment, name, ...c.req.valid('json'), actor: currentUser(c).username });
    return c.json(connectionView(saved), 200);
  });

  defineRoute(app, {
    ...api['POST /api/connections/{environment}/{name}/test'], tags: ['Environments'], summary: 'Test a connection: reach its system with the stored settings and secrets', roles: ADMINS,
    description: 'Postgres and MySQL run `select 1`; HTTP sends a GET to the base URL (a 401, 403 or 5xx answer fails); AMQP, NATS and SFTP open a session and close it. Nothing is written. The outcome is audited.',
  }, async (c) => {
    const { environment, name } = c.req.valid('param');
    return c.json(await testConnection(ctx, { environment, name, actor: currentUser(c).username }), 200);
  });

  defineRoute(app, {
    ...api['DELETE /api/connections/{environment}/{name}'], tags: ['Environments'], summary: 'Remove a connection from an environment', roles: ADMINS,
  }, async (c) => {
    const { environment, name } = c.req.valid('param');
    await deleteConnection(ctx, { environment, name, actor: currentUser(c).username });
    return c.body(null, 204);
  });
}
