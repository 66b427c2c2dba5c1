/**
 * Connections per environment, from the server's database: each environment
 * binds a flow's named connections (`erp`, `ap`) to its own settings and
 * secrets. Settings reference secrets as `{{secret:name}}`; secrets are
 * decrypted only here, when a run needs them.
 */
import type { HttpAuth } from '../../nodes/define-node.ts';
import { CONNECTION_KINDS, type ConnectionKind, type FlowDocument } from '../../nodes/flow-document.ts';
import { FlowError } from '../../nodes/errors.ts';
import { isCredentialHeader } from '../../nodes/secret-redaction.ts';
import type { Database } from '../store/database.ts';
import { storeConnectionOptions } from '../store/target-databases.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { RateLimiter } from '../../nodes/target/rate-limiter.ts';
import { databaseRateLimiter } from '../store/rate-limit-slots.ts';
import { databaseConcurrencyLimiter } from '../store/connection-leases.ts';
import type { ConcurrencyLimiter } from '../../nodes/target/concurrency-limiter.ts';
import { bindingSecrets, checkConnection, hide, type ConnectionCheck } from './connection-check.ts';
import { readTargetSchema, type TargetSchema } from './target-schema.ts';
import type { ConnectionRow } from '../store/service-connections.ts';
import { bindingProblem, createConnectionResolver, type ClosableConnectionResolver, type ConnectionBinding, type ConnectionBindings } from './connection-registry.ts';

const SECRET_REFERENCE = /\{\{secret:([A-Za-z0-9_.-]+)\}\}/g;

/** Where a connection's secret is bound, as associated data for its encryption. */
export const secretContext = (environment: string, connection: string, secret: string) => `connection:${environment}:${connection}:${secret}`;

/** Secret names referenced by string values in `settings`. */
export function referencedSecrets(settings: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(SECRET_REFERENCE)) names.add(m[1]);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(settings);
  return [...names];
}

function substitute(value: unknown, secrets: (name: string) => string): unknown {
  if (typeof value === 'string') return value.replace(SECRET_REFERENCE, (_, name: string) => secrets(name));
  if (Array.isArray(value)) return value.map((v) => substitute(v, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, secrets)]));
  return value;
}

/** Settings as the API takes them → the binding the connection registry runs with. */
export function bindingOf(kind: ConnectionKind, settings: Record<string, unknown>): ConnectionBinding {
  if (kind === 'postgres') return { kind, url: settings.embedded === true ? 'embedded' : String(settings.url ?? '') };
  if (kind === 'mysql') return { kind, url: String(settings.url ?? '') };
  if (kind === 'sftp' || kind === 'smtp') return { ...settings, kind } as ConnectionBinding;
  if (kind === 'amqp') return { kind, url: String(settings.url ?? '') };
  if (kind === 'nats') {
    const text = (field: string) => (typeof settings[field] === 'string' ? { [field]: settings[field] as string } : {});
    return { kind, servers: String(settings.servers ?? ''), ...text('user'), ...text('password'), ...text('token') };
  }
  return {
    kind, baseUrl: String(settings.baseUrl ?? ''),
    ...(settings.headers !== undefined ? { headers: settings.headers as Record<string, string> } : {}),
    ...(settings.rateLimitPerSecond !== undefined ? { rateLimitPerSecond: settings.rateLimitPerSecond as number } : {}),
    ...(settings.maxConcurrent !== undefined ? { maxConcurrent: settings.maxConcurrent as number } : {}),
    ...(settings.auth !== undefined ? { auth: settings.auth as HttpAuth } : {}),
  };
}

// The credentials of an HTTP connection's auth (HttpAuth); an API key's `name` is the header or parameter, not a secret.
const AUTH_SECRET_FIELDS = ['value', 'token', 'password', 'clientSecret'];

const hasReference = (v: unknown) => typeof v === 'string' && referencedSecrets(v).length > 0;

/** Credentials written into settings in clear, where they would be stored and shown: they belong in `secrets`. */
function plainCredentials(kind: string, s: Record<string, unknown>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const advice = 'put the value in secrets and write {{secret:<name>}} in its place';
  if (kind === 'http' && s.headers && typeof s.headers === 'object') {
    for (const [name, value] of Object.entries(s.headers)) {
      if (isCredentialHeader(name) && typeof value === 'string' && value !== '' && !hasReference(value)) problems.push({ path: `/settings/headers/${name}`, message: `header ${name} carries a credential: ${advice}` });
    }
  }
  if (kind === 'http' && s.auth && typeof s.auth === 'object') {
    for (const field of AUTH_SECRET_FIELDS) {
      const value = (s.auth as Record<string, unknown>)[field];
      if (typeof value === 'string' && value !== '' && !hasReference(value)) problems.push({ path: `/settings/auth/${field}`, message: `auth.${field} is a credential: ${advice}` });
    }
  }
  if (kind === 'amqp' && typeof s.url === 'string') {
    const password = /^amqps?:\/\/[^:@/]*:([^@]*)@/.exec(s.url)?.[1];
    if (password && !hasReference(password)) problems.push({ path: '/settings/url', message: `the URL carries a password: ${advice}` });
  }
  if (kind === 'nats' || kind === 'smtp') {
    for (const field of ['password', 'token']) {
      if (typeof s[field] === 'string' && s[field] !== '' && !hasReference(s[field])) problems.push({ path: `/settings/${field}`, message: `${field} is a credential: ${advice}` });
    }
  }
  if (kind === 'sftp') {
    for (const field of ['privateKey', 'passphrase']) {
      const value = s[field];
      if (typeof value === 'string' && value !== '' && !hasReference(value)) problems.push({ path: `/settings/${field}`, message: `${field} is a credential: ${advice}` });
    }
  }
  if ((kind === 'postgres' || kind === 'mysql') && typeof s.url === 'string') {
    const password = /^(?:postgres(?:ql)?|mysql|mariadb):\/\/[^:@/]*:([^@]*)@/.exec(s.url)?.[1];
    if (password && !hasReference(password)) problems.push({ path: '/settings/url', message: `the URL carries a password: ${advice}` });
  }
  return problems;
}

/**
 * Every problem with a connection as given to the API (settings shape, unknown secrets, a URL
 * pointing at the store's database `storeUrl`), as messages.
 */
export function connectionProblems(name: string, kind: string, settings: unknown, secretNames: string[], storeUrl?: string): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!(CONNECTION_KINDS as readonly string[]).includes(kind)) return [{ path: '/kind', message: `kind must be one of ${CONNECTION_KINDS.join(', ')}, not '${kind}'` }];
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return [{ path: '/settings', message: 'settings must be an object' }];
  const s = settings as Record<string, unknown>;
  if (kind === 'postgres' && s.embedded !== true && typeof s.url !== 'string') {
    problems.push({ path: '/settings/url', message: `connection '${name}' needs settings.url (postgres://…) or settings.embedded = true` });
  } else {
    // Check the shape with placeholders standing in for the secrets.
    const problem = bindingProblem(name, substitute(bindingOf(kind as ConnectionKind, s), () => 'secret'), storeUrl);
    if (problem) problems.push({ path: '/settings', message: problem });
  }
  problems.push(...plainCredentials(kind, s));
  for (const ref of referencedSecrets(settings)) {
    if (!secretNames.includes(ref)) problems.push({ path: '/settings', message: `settings refer to {{secret:${ref}}}, but connection '${name}' has no secret named '${ref}'` });
  }
  return problems;
}

/** The binding of a stored connection with its secrets decrypted. */
export function resolveConnection(row: ConnectionRow, box: SecretBox): ConnectionBinding {
  const used: string[] = [];
  const secret = (name: string) => {
    const boxed = row.encryptedSecrets[name];
    if (boxed === undefined) throw new FlowError('permanent', `connection '${row.name}' in ${row.environment} refers to secret '${name}', which is not set`, { field: row.name });
    const value = box.decrypt(boxed, secretContext(row.environment, row.name, name));
    used.push(value);
    return value;
  };
  const binding = substitute(bindingOf(row.kind, row.settings), secret) as ConnectionBinding;
  return binding.kind !== 'postgres' && binding.kind !== 'mysql' && used.length ? { ...binding, secretValues: used } as ConnectionBinding : binding;
}

export interface EnvironmentConnections {
  /**
   * A resolver binding `doc`'s connections to `environment`'s settings;
   * postgres `{ embedded: true }` is the connection's own embedded database, never the store. Close it after the run.
   */
  connectionsFor(environment: string | null, doc: Pick<FlowDocument, 'connections'>): Promise<ClosableConnectionResolver>;
  /** Tries a stored connection with its real settings and secrets ("test connection"); null when it does not exist. */
  check(environment: string, name: string): Promise<ConnectionCheck | null>;
  /**
   * The tables and columns of a stored SQL connection's database, read only (information_schema); null when the
   * connection does not exist. Fails (a FlowError, secrets hidden) when the database cannot be reached.
   */
  schema(environment: string, name: string): Promise<TargetSchema | null>;
}

/**
 * `defaultEnvironment` binds runs that have none (e.g. started from the CLI); default `dev`. Rate limits are
 * paced per environment and connection by `rateLimiter`, and held to `maxConcurrent` requests in flight by
 * `concurrencyLimiter`, by default the ones kept in the store (shared by all processes).
 */
export function createEnvironmentConnections(deps: { database: Pick<Database, 'store' | 'service' | 'targets' | 'connection'>; secrets: SecretBox; defaultEnvironment?: string; rateLimiter?: RateLimiter; concurrencyLimiter?: ConcurrencyLimiter }): EnvironmentConnections {
  const repo = deps.database.service.connections;
  const rateLimiter = deps.rateLimiter ?? databaseRateLimiter(deps.database.store.sql);
  const concurrencyLimiter = deps.concurrencyLimiter ?? databaseConcurrencyLimiter(deps.database.store.sql);
  return {
    async connectionsFor(env, doc) {
      const environment = env ?? deps.defaultEnvironment ?? 'dev';
      const bindings: ConnectionBindings = {};
      const wanted = new Set(Object.keys(doc.connections ?? {}));
      for (const row of await repo.listConnections(environment)) {
        if (wanted.size && !wanted.has(row.name)) continue;
        bindings[row.name] = resolveConnection(row, deps.secrets);
      }
      return createConnectionResolver(bindings, { ...storeConnectionOptions(deps.database), rateLimiter, concurrencyLimiter, rateScope: environment });
    },
    async check(environment, name) {
      const row = await repo.getConnection(environment, name);
      if (!row) return null;
      let binding: ConnectionBinding;
      try {
        binding = resolveConnection(row, deps.secrets);
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
      return checkConnection(name, binding, createConnectionResolver({ [name]: binding }, storeConnectionOptions(deps.database)));
    },
    async schema(environment, name) {
      const row = await repo.getConnection(environment, name);
      if (!row) return null;
      if (row.kind !== 'postgres' && row.kind !== 'mysql') throw new FlowError('permanent', `connection '${name}' in ${environment} is ${row.kind}, not a database`, { field: name });
      const binding = resolveConnection(row, deps.secrets);
      const resolver = createConnectionResolver({ [name]: binding }, storeConnectionOptions(deps.database));
      try {
        return await readTargetSchema(resolver.sql(name));
      } catch (err) {
        const message = hide(err instanceof Error ? err.message : String(err), bindingSecrets(binding));
        throw new FlowError('transient', `The database of connection '${name}' in ${environment} could not be read: ${message}`, { field: name });
      } finally {
        await resolver.close().catch(() => undefined);
      }
    },
  };
}
