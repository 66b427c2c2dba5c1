/** Environments and their connections (admin; secret values are write-only). */
import { ADMINS, ANY_ROLE } from '../../auth/roles.ts';
import { connectionProblems, secretContext } from '../../connectors/environment-connections.ts';
import type { ConnectionRow } from '../../store/service-connections.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { ApiProblem, notFound } from '../problem.ts';

/** What the API and the audit log show of a connection: never a secret value. */
export const connectionView = (c: ConnectionRow) => ({
  environment: c.environment, name: c.name, kind: c.kind, settings: c.settings,
  secretNames: Object.keys(c.encryptedSecrets).sort(), updatedAt: c.updatedAt, updatedBy: c.updatedBy,
});

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export function registerEnvironmentRoutes(app: Api, ctx: ApiContext): void {
  const { connections, audit } = ctx.repos;

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
    const user = currentUser(c);
    const { environment, name } = c.req.valid('param');
    const body = c.req.valid('json');
    const env = ctx.environment(environment);
    if (!NAME.test(name)) throw new ApiProblem(422, `'${name}' is not a valid connection name (letters, digits, _ and -).`, { problems: [{ path: 'name', message: 'invalid name' }] });
    const before = await connections.getConnection(env.name, name);
    const encryptedSecrets: Record<string, string> = { ...(before?.encryptedSecrets ?? {}) };
    for (const [secret, value] of Object.entries(body.secrets ?? {})) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(secret)) throw new ApiProblem(422, `'${secret}' is not a valid secret name.`, { problems: [{ path: `/secrets/${secret}`, message: 'invalid secret name' }] });
      if (value === '') delete encryptedSecrets[secret];
      else encryptedSecrets[secret] = ctx.secrets.encrypt(value, secretContext(env.name, name, secret));
    }
    const problems = connectionProblems(name, body.kind, body.settings, Object.keys(encryptedSecrets), ctx.database.connection.connectionString);
    if (problems.length) throw new ApiProblem(422, `Connection '${name}' in ${env.name} is not valid: ${problems.map((p) => p.message).join('; ')}.`, { problems });
    const saved = await ctx.repos.sql.transaction(async (tx) => {
      const row = await connections.putConnection({ environment: env.name, name, kind: body.kind, settings: body.settings, encryptedSecrets, updatedBy: user.username }, tx);
      const changedSecrets = Object.keys(body.secrets ?? {}).sort();
      await audit.append({
        actor: user.username, action: before ? 'connection.updated' : 'connection.created', entity: 'connection', entityId: `${env.name}/${name}`,
        before: before && connectionView(before), after: { ...connectionView(row), ...(changedSecrets.length ? { secretsChanged: changedSecrets } : {}) },
      }, tx);
      return row;
    });
    return c.json(connectionView(saved), 200);
  });

  defineRoute(app, {
    ...api['POST /api/connections/{environment}/{name}/test'], tags: ['Environments'], summary: 'Test a connection: reach its system with the stored settings and secrets', roles: ADMINS,
    description: 'Postgres and MySQL run `select 1`; HTTP sends a GET to the base URL (a 401, 403 or 5xx answer fails); AMQP, NATS and SFTP open a session and close it. Nothing is written. The outcome is audited.',
  }, async (c) => {
    const user = currentUser(c);
    const { environment, name } = c.req.valid('param');
    const env = ctx.environment(environment);
    const outcome = await ctx.connections.check(env.name, name);
    if (!outcome) throw notFound(`${env.name} has no connection '${name}'.`);
    await audit.append({ actor: user.username, action: 'connection.tested', entity: 'connection', entityId: `${env.name}/${name}`, after: outcome });
    return c.json(outcome, 200);
  });

  defineRoute(app, {
    ...api['DELETE /api/connections/{environment}/{name}'], tags: ['Environments'], summary: 'Remove a connection from an environment', roles: ADMINS,
  }, async (c) => {
    const user = currentUser(c);
    const { environment, name } = c.req.valid('param');
    const env = ctx.environment(environment);
    const before = await connections.getConnection(env.name, name);
    if (!before) throw notFound(`${env.name} has no connection '${name}'.`);
    await ctx.repos.sql.transaction(async (tx) => {
      await connections.deleteConnection(env.name, name, tx);
      await audit.append({ actor: user.username, action: 'connection.deleted', entity: 'connection', entityId: `${env.name}/${name}`, before: connectionView(before) }, tx);
    });
    return c.body(null, 204);
  });
}
