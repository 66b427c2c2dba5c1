/**
 * An app over a fresh in-memory PGlite store, with users of every role, an
 * API token each, and runs going through the durable queue and an in-process
 * worker (the production path), answered once they have ended.
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
import type { RunLauncher, RunRequest } from '../../../runtime/queue/run-launcher.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { isTerminal } from '../../../runtime/engine/run-types.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { openPgliteDatabase } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import type { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import type { RunRow, Store } from '../../../runtime/store/store.ts';
import { checkResponses } from './response-contract.ts';

export const CHEAP_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export interface TestLauncher extends RunLauncher {
  requests: RunRequest[];
  /** Make the next enqueue fail (e.g. the queue is down). */
  failNext?: Error;
}

/**
 * The production path, answering once the run has ended: each request is
 * queued on the durable queue (pg-boss on the test's database) and run by the
 * in-process worker through the split and chunk jobs, as `serve` runs it;
 * `enqueue` resolves when the run is finished, so tests read its outcome at once.
 */
export function queueLauncher(start: () => Promise<StartedQueue>, store: Store): TestLauncher & { stop(): Promise<void> } {
  let started: Promise<StartedQueue> | undefined;
  const queue = () => (started ??= start());
  const launcher: TestLauncher & { stop(): Promise<void> } = {
    requests: [],
    async enqueue(req) {
      if (launcher.failNext) {
        const err = launcher.failNext;
        launcher.failNext = undefined;
        throw err;
      }
      const queued = await (await queue()).launcher.enqueue(req);
      launcher.requests.push(req);
      return waitForEnd(store, queued.id);
    },
    cancel: async (runId, by) => (await queue()).launcher.cancel(runId, by),
    // Before the first run the queue is not started (most tests start none): nothing is queued.
    stats: async () => (started ? (await started).launcher.stats() : { queued: 0, active: 0, workers: [] }),
    stop: async () => { await (await started)?.stop(); },
  };
  return launcher;
}

/** The run once it has ended (a terminal status); generous: the machine may be busy. */
async function waitForEnd(store: Store, runId: string, timeoutMs = 120_000): Promise<RunRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.getRun(runId);
    if (run && isTerminal(run.status)) return run;
    if (Date.now() > until) throw new Error(`run ${runId} did not end within ${timeoutMs} ms (status ${run?.status})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  database: Database;
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
  const database = options.database ?? await openPgliteDatabase({});
  const { store } = database;
  const secretKey = randomBytes(32);
  const secrets = createSecretBox(secretKey);
  // Unless the test brings its own launcher, runs go through the durable queue and a worker, as in
  // production; the queue starts with the first run.
  const queued = options.launcher ? null : queueLauncher(() => startQueue({
    database, catalog, files: { append: async () => {} }, tuning: { superviseIntervalSeconds: 1 },
    connectionsFor: createEnvironmentConnections({ database, secrets }).connectionsFor,
  }), store);
  const launcher = (options.launcher as TestLauncher | undefined) ?? queued!;
  const repos = database.service;
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
  const app = checkResponses(createApp({ database, launcher, secrets, promotionOrder: 'off', ...options }));
  const call: Harness["call"] = async (who, method, path, body, headers = {}) => app.request(path, {
    method,
    headers: { ...(who ? { Authorization: `Bearer ${users[who].token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    app, database, store, launcher, repos, secretKey, users, call,
    async json(who, method, path, body, status = 200) {
      const res = await call(who, method, path, body);
      const text = await res.text();
      if (res.status !== status) throw new Error(`${method} ${path} as ${who}: expected ${status}, got ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    close: async () => {
      await queued?.stop();
      await database.close();
    },
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
