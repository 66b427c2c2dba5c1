/**
 * The hostile analyst against the store (issue 12): a flow deployed to dev with
 * its Postgres connection bound to `{ embedded: true }` — as the examples are on
 * first start — reads and writes a database of its own, never the store. A
 * `source.postgres` reading `users`/`sessions` and a `target.postgres` upserting
 * an admin into `users` fail, naming the missing table; the store's users,
 * sessions and audit log are as they were. A connection URL naming the store's
 * own database is refused (Postgres stores).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { openPostgresDatabase, } from '../../../runtime/store/open-store.ts';
import { dropPostgresTargetDatabases } from '../../../runtime/store/target-databases.ts';
import { createHarness, paymentsInput, type Harness } from './harness.ts';
import { dropSchemas, freshSchemaName } from '../queue/queue-fixtures.ts';

const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });

/** Reads `query` from the `erp` connection and upserts every row into `users` there. */
function stealFlow(id: string, query: string): FlowDocument {
  return {
    id, name: id, connections: { erp: { kind: 'postgres' } },
    nodes: [
      node('read', 'source.postgres', { connection: 'erp', query }, 0),
      node('write', 'target.postgres', { connection: 'erp', table: 'users', mode: 'upsert', keyColumns: ['username'], idempotencyKey: 'username', columns: { username: 'username', role: '="admin"' } }, 300),
    ],
    edges: [{ id: 'e1', source: 'read', target: 'write' }],
  };
}

/** Takes JSON records and upserts each as an admin into `users`. */
function promoteFlow(): FlowDocument {
  return {
    id: 'promote-me', name: 'promote me', connections: { erp: { kind: 'postgres' } },
    nodes: [
      node('in', 'source.file', { format: 'json' }, 0),
      node('write', 'target.postgres', { connection: 'erp', table: 'users', mode: 'upsert', keyColumns: ['username'], idempotencyKey: 'ref', columns: { username: 'ref', role: '="admin"', password_hash: '="x"' } }, 300),
    ],
    edges: [{ id: 'e1', source: 'in', target: 'write' }],
  };
}

async function storeState(h: Harness) {
  const q = async (sql: string) => (await h.store.sql.query<Record<string, unknown>>(sql)).rows;
  return {
    users: await q('select username, role from users order by username'),
    sessions: await q('select count(*)::int as n from sessions'),
    userAudit: await q(`select action, entity_id from audit_log where entity = 'user' order by id`),
  };
}

async function deployAndRun(h: Harness, doc: FlowDocument, input?: unknown) {
  await h.json('analyst', 'POST', '/api/flows', { document: doc }, 201);
  await h.json('analyst', 'POST', `/api/flows/${doc.id}/versions`, { message: 'innocent' }, 201);
  await h.json('analyst', 'POST', `/api/flows/${doc.id}/deployments`, { environment: 'dev', version: 1 }, 201);
  const { runId } = await h.json('analyst', 'POST', `/api/flows/${doc.id}/runs`, { environment: 'dev', ...(input ? { input } : {}) }, 202);
  return (await h.store.getRun(runId))!;
}

describe('an analyst\'s flow cannot reach the store (embedded store)', () => {
  let h: Harness;
  let before: Awaited<ReturnType<typeof storeState>>;

  beforeAll(async () => {
    h = await createHarness();
    // As on first start: the dev connection is the embedded database.
    await h.json('admin', 'PUT', '/api/connections/dev/erp', { kind: 'postgres', settings: { embedded: true } });
    before = await storeState(h);
  });
  afterAll(() => h?.close());

  it.each([
    ['read-users', 'SELECT username, password_hash FROM users'],
    ['read-sessions', 'SELECT token_hash AS username FROM sessions'],
    ['read-dead-letters', 'SELECT source_record::text AS username FROM dead_letters'],
  ])('%s: the run fails naming the missing table; nothing read, nothing written', async (id, query) => {
    const run = await deployAndRun(h, stealFlow(id, query));
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/relation "(users|sessions|dead_letters)" does not exist/);
    expect(run.counts.read).toBe(0);
    expect(await storeState(h)).toEqual(before);
  });

  it('a stacked-statement query cannot be saved as a version: the problem names the node\'s query field', async () => {
    const stacked = `SELECT 1 AS x) q1; COMMIT; UPDATE users SET role = 'admin'; SELECT * FROM (SELECT 1 AS x`;
    await h.json('analyst', 'POST', '/api/flows', { document: stealFlow('stacked', stacked) }, 201);
    const res = await h.call('analyst', 'POST', '/api/flows/stacked/versions', { message: 'sneaky' });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.problems).toContainEqual(expect.objectContaining({ nodeId: 'read', message: expect.stringContaining('4 statements') }));
    expect(await storeState(h)).toEqual(before);
  });

  it('upserting an admin into users dead-letters every record, naming the table; no account is created', async () => {
    const run = await deployAndRun(h, promoteFlow(), { name: 'x.json', content: paymentsInput([{ ref: 'mallory', amount: 1 }, { ref: 'analyst', amount: 1 }]) });
    expect(run.counts.delivered).toBe(0);
    expect(run.counts.deadLettered).toBe(2);
    const { items } = await h.json('operator', 'GET', `/api/dead-letters?runId=${run.id}`);
    expect(items.map((d: { error: { message: string } }) => d.error.message).join('\n')).toMatch(/users/);
    expect(await storeState(h)).toEqual(before);
    expect(before.users).toContainEqual({ username: 'analyst', role: 'analyst' });
  });
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('on a Postgres store', () => {
  const schema = freshSchemaName('lf_isolation');
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ database: await openPostgresDatabase({ connectionString: url!, schema }) });
  });
  afterAll(async () => {
    await h?.close();
    await dropSchemas(url!, [schema]);
    await dropPostgresTargetDatabases(url!, schema);
  });

  it('a connection URL naming the store\'s own database is refused (422 naming the connection)', async () => {
    const res = await h.call('admin', 'PUT', '/api/connections/dev/erp', { kind: 'postgres', settings: { url: url!.replace('127.0.0.1', 'localhost') } });
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toMatch(/connection 'erp' points at Ledgerflow's own store database/);
    expect(await h.repos.connections.getConnection('dev', 'erp')).toBeNull();
  });

  it('embedded is a database of its own on that server, where the store\'s tables do not exist', async () => {
    await h.json('admin', 'PUT', '/api/connections/dev/erp', { kind: 'postgres', settings: { embedded: true } });
    const run = await deployAndRun(h, stealFlow('read-users', 'SELECT username FROM users'));
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/relation "users" does not exist/);
  });
});
