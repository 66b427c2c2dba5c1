/**
 * An app over a fresh in-memory PGlite store, with users of every role, an
 * API token each, and a launcher that runs synchronously through executeRun
 * (the durable queue is tested on its own).
 */
import { randomBytes } from 'node:crypto';
import { catalog } from '../../../nodes/catalog.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { hashPassword } from '../../../runtime/auth/passwords.ts';
import { hashToken, newToken } from '../../../runtime/auth/tokens.ts';
import type { Role } from '../../../runtime/auth/roles.ts';
import { createEnvironmentConnections } from '../../../runtime/connectors/environment-connections.ts';
import { createApp } from '../../../runtime/api/create-app.ts';
import type { AppDeps } from '../../../runtime/api/app-env.ts';
import { bytesInput } from '../../../runtime/api/services/flow-support.ts';
import { loadReferenceData } from '../../../runtime/flow-files.ts';
import { SignatureReplayedError, type RunLauncher, type RunRequest } from '../../../runtime/queue/run-launcher.ts';
import { executeRun } from '../../../runtime/run-service.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { openPgliteStore } from '../../../runtime/store/open-store.ts';
import { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { checkResponses } from './response-contract.ts';

export const CHEAP_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export interface TestLauncher extends RunLauncher {
  requests: RunRequest[];
  /** Make the next enqueue fail (e.g. the queue is down). */
  failNext?: Error;
}

/** Runs each request to the end before answering, like a queue with an instant worker. */
export function syncLauncher(store: Store, secrets: AppDeps['secrets']): TestLauncher {
  const connections = createEnvironmentConnections({ store, secrets });
  const launcher: TestLauncher = {
    requests: [],
    async enqueue(req) {
      if (launcher.failNext) {
        const err = launcher.failNext;
        launcher.failNext = undefined;
        throw err;
      }
      // Like the queue's launcher (there: in the run's own transaction), a webhook signature is spent once.
      if (req.webhookSignature && !(await createServiceRepos(store.sql).triggers.markSignatureSeen(req.webhookSignature))) throw new SignatureReplayedError();
      launcher.requests.push(req);
      const version = (await store.getVersion(req.flowId, req.version))!;
      const doc = version.document;
      const reference = await loadReferenceData(doc, null, store, req.referenceAsOf);
      const resolver = await connections.connectionsFor(req.environment, doc);
      const input = req.input.kind === 'document'
        ? { kind: 'document' as const, document: bytesInput(req.input.name, req.input.bytes) }
        : req.input.kind === 'records' ? { kind: 'records' as const, records: req.input.records } : { kind: 'source' as const };
      try {
        const { run } = await executeRun({ store, catalog, connections: resolver, files: { append: async () => {} } }, {
          doc, version: req.version, environment: req.environment, trigger: req.trigger, triggerRef: req.triggerRef, input, reference, replayOf: req.replayOf,
        });
        if (req.replayDeadLetterIds?.length && run.status !== 'failed') await store.markReplayed(req.replayDeadLetterIds, run.id);
        await req.alongside?.(store.sql, run);
        return run;
      } finally {
        await resolver.close();
      }
    },
    async cancel(runId) {
      await store.setRunStatus(runId, 'cancelled');
      return store.getRun(runId);
    },
    async stats() {
      return { queued: 0, active: 0, workers: [] };
    },
  };
  return launcher;
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  store: Store;
  launcher: TestLauncher;
  repos: ReturnType<typeof createServiceRepos>;
  secretKey: Buffer;
  users: Record<'admin' | 'admin2' | 'analyst' | 'operator', { id: string; username: string; token: string; role: Role }>;
  /** A request as `who` (an API token), JSON body if given. */
  call(who: keyof Harness['users'] | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** The JSON body of a request that must answer `status`. */
  json<T = any>(who: keyof Harness['users'] | null, method: string, path: string, body?: unknown, status?: number): Promise<T>;
  close(): Promise<void>;
}

export async function createHarness(options: Partial<AppDeps> = {}): Promise<Harness> {
  const store = options.store ?? await openPgliteStore({});
  const secretKey = randomBytes(32);
  const secrets = createSecretBox(secretKey);
  const launcher = (options.launcher as TestLauncher | undefined) ?? syncLauncher(store, secrets);
  const repos = createServiceRepos(store.sql);
  const users = {} as Harness['users'];
  const roles: [keyof Harness['users'], Role][] = [['admin', 'admin'], ['admin2', 'admin'], ['analyst', 'analyst'], ['operator', 'operator']];
  for (const [name, role] of roles) {
    const user = await repos.users.createUser({ username: name, displayName: name, role, passwordHash: await hashPassword(PASSWORD, CHEAP_SCRYPT) });
    const token = newToken('lft');
    await repos.users.createToken(user.id, 'test', hashToken(token));
    users[name] = { id: user.id, username: name, token, role };
  }
  // Most API tests check other rules than the promotion order; its own tests pass promotionOrder.
  // Every response is checked against the route's declared schema (the OpenAPI document's source).
  const app = checkResponses(createApp({ store, launcher, secrets, promotionOrder: 'off', ...options }));
  const call: Harness["call"] = async (who, method, path, body, headers = {}) => app.request(path, {
    method,
    headers: { ...(who ? { Authorization: `Bearer ${users[who].token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    app, store, launcher, repos, secretKey, users, call,
    async json(who, method, path, body, status = 200) {
      const res = await call(who, method, path, body);
      const text = await res.text();
      if (res.status !== status) throw new Error(`${method} ${path} as ${who}: expected ${status}, got ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    close: () => store.close(),
  };
}

/**
 * A small payments flow: JSON records → mapping → validation (amount > 0) →
 * the `ledger` Postgres connection (table api_payments). Its mapping test
 * passes unless `breakTest` is set.
 */
export function paymentsFlow(options: { id?: string; breakTest?: boolean; factor?: number } = {}): FlowDocument {
  const factor = options.factor ?? 1;
  return {
    id: options.id ?? 'payments',
    name: 'Payments to ledger',
    businessKey: 'ref',
    amount: { value: 'amount', currency: 'currency' },
    sensitive: ['iban'],
    connections: { ledger: { kind: 'postgres', description: 'The ledger database' } },
    nodes: [
      { id: 'in', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'json' } },
      { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, config: { expression: `{ "ref": ref, "amount": amount * ${factor}, "currency": currency }` } },
      { id: 'check', type: 'validate.record', typeVersion: 1, position: { x: 400, y: 0 }, config: { rules: [{ id: 'positive', expression: 'amount > 0', message: 'amount must be positive', severity: 'error', field: 'amount' }] } },
      { id: 'post', type: 'target.postgres', typeVersion: 1, position: { x: 600, y: 0 }, config: { connection: 'ledger', table: 'api_payments', mode: 'upsert', keyColumns: ['ref'], idempotencyKey: 'ref', columns: { ref: 'ref', amount: 'amount', currency: 'currency' } } },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'map' },
      { id: 'e2', source: 'map', target: 'check' },
      { id: 'e3', source: 'check', sourceHandle: 'valid', target: 'post' },
    ],
    tests: [{ name: 'maps a payment', node: 'map', input: { ref: 'P-1', amount: 10, currency: 'EUR' }, expected: { ref: 'P-1', amount: options.breakTest ? 11 : 10 * factor, currency: 'EUR' } }],
  };
}

export const PAYMENTS_TABLE = 'create table if not exists api_payments (ref text primary key, amount numeric not null, currency text not null)';

export const paymentsInput = (rows: { ref: string; amount: number; currency?: string; iban?: string }[]) =>
  JSON.stringify(rows.map((r) => ({ currency: 'EUR', ...r })));
