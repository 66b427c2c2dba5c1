/**
 * The connections of an environment: set, test, remove. Secret values are
 * write-only (encrypted, bound to their environment, connection and name);
 * each change and each test writes its audit entry here, so no entry point
 * can skip it.
 */
import { connectionProblems, secretContext, type EnvironmentConnections } from '../connectors/environment-connections.ts';
import type { ConnectionCheck } from '../connectors/connection-check.ts';
import type { ConnectionKind } from '../../nodes/flow-document.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { Database } from '../store/database.ts';
import type { ConnectionRow } from '../store/service-connections.ts';
import type { AppContext } from './app-context.ts';
import { AppProblem, notFound } from './problem.ts';

/** What the connection use cases need beyond the use cases' context. */
export type ConnectionContext = Pick<AppContext, 'repos' | 'environment'> & { secrets: SecretBox; database: Pick<Database, 'connection'>; connections: Pick<EnvironmentConnections, 'check'> };

/** What the API and the audit log show of a connection: never a secret value. */
export const connectionView = (c: ConnectionRow) => ({
  environment: c.environment, name: c.name, kind: c.kind, settings: c.settings,
  secretNames: Object.keys(c.encryptedSecrets).sort(), updatedAt: c.updatedAt, updatedBy: c.updatedBy,
});

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface PutConnection {
  environment: string;
  name: string;
  kind: ConnectionKind;
  settings: Record<string, unknown>;
  /** Secret values by name: a secret left out keeps its value, an empty string removes it. */
  secrets?: Record<string, string>;
  actor: string;
}

/** Creates or changes a connection; 422 naming every problem of its settings. */
export async function putConnection(ctx: ConnectionContext, req: PutConnection): Promise<ConnectionRow> {
  const env = ctx.environment(req.environment);
  const { name } = req;
  if (!NAME.test(name)) throw new AppProblem(422, `'${name}' is not a valid connection name (letters, digits, _ and -).`, { problems: [{ path: 'name', message: 'invalid name' }] });
  const { connections, audit } = ctx.repos;
  const before = await connections.getConnection(env.name, name);
  const encryptedSecrets: Record<string, string> = { ...(before?.encryptedSecrets ?? {}) };
  for (const [secret, value] of Object.entries(req.secrets ?? {})) {
    if (!SECRET_NAME.test(secret)) throw new AppProblem(422, `'${secret}' is not a valid secret name.`, { problems: [{ path: `/secrets/${secret}`, message: 'invalid secret name' }] });
    if (value === '') delete encryptedSecrets[secret];
    else encryptedSecrets[secret] = ctx.secrets.encrypt(value, secretContext(env.name, name, secret));
  }
  const problems = connectionProblems(name, req.kind, req.settings, Object.keys(encryptedSecrets), ctx.database.connection.connectionString);
  if (problems.length) throw new AppProblem(422, `Connection '${name}' in ${env.name} is not valid: ${problems.map((p) => p.message).join('; ')}.`, { problems });
  return ctx.repos.sql.transaction(async (tx) => {
    const row = await connections.putConnection({ environment: env.name, name, kind: req.kind, settings: req.settings, encryptedSecrets, updatedBy: req.actor }, tx);
    const changedSecrets = Object.keys(req.secrets ?? {}).sort();
    await audit.append({
      actor: req.actor, action: before ? 'connection.updated' : 'connection.created', entity: 'connection', entityId: `${env.name}/${name}`,
      before: before && connectionView(before), after: { ...connectionView(row), ...(changedSecrets.length ? { secretsChanged: changedSecrets } : {}) },
    }, tx);
    return row;
  });
}

/** Reaches the connection's system with its stored settings and secrets; the outcome is audited. */
export async function testConnection(ctx: ConnectionContext, req: { environment: string; name: string; actor: string }): Promise<ConnectionCheck> {
  const env = ctx.environment(req.environment);
  const outcome = await ctx.connections.check(env.name, req.name);
  if (!outcome) throw notFound(`${env.name} has no connection '${req.name}'.`);
  await ctx.repos.audit.append({ actor: req.actor, action: 'connection.tested', entity: 'connection', entityId: `${env.name}/${req.name}`, after: outcome });
  return outcome;
}

/** Removes a connection from an environment. */
export async function deleteConnection(ctx: ConnectionContext, req: { environment: string; name: string; actor: string }): Promise<void> {
  const env = ctx.environment(req.environment);
  const { connections, audit } = ctx.repos;
  const before = await connections.getConnection(env.name, req.name);
  if (!before) throw notFound(`${env.name} has no connection '${req.name}'.`);
  await ctx.repos.sql.transaction(async (tx) => {
    await connections.deleteConnection(env.name, req.name, tx);
    await audit.append({ actor: req.actor, action: 'connection.deleted', entity: 'connection', entityId: `${env.name}/${req.name}`, before: connectionView(before) }, tx);
  });
}
