/**
 * A flow against an environment before deploy: connections it does not bind,
 * and its table target against the live database bound there (missing table
 * or column, NOT NULL column without a value, constants their column cannot
 * hold); and a connection's tables for the inspector's picker. On the
 * embedded (PGlite) database, on Postgres with TEST_DATABASE_URL, and on
 * MariaDB (127.0.0.1:3306, as the MySQL connector's tests).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { createHarness, paymentsFlow, type Harness } from './harness.ts';

const TABLE = 'create table if not exists api_payments (ref varchar(10) primary key, amount numeric(10,2) not null, currency char(3) not null, status text not null, note text)';

let h: Harness;

function flowWith(config: Record<string, unknown>, id = 'payments') {
  const doc = paymentsFlow({ id });
  const post = doc.nodes.find((n) => n.id === 'post')!;
  post.config = { ...post.config, ...config };
  return doc;
}

const checks = (who: 'analyst' | 'operator', query: string, status = 200) => h.json(who, 'GET', `/api/flows/payments/environment-checks?${query}`, undefined, status);

beforeAll(async () => {
  h = await createHarness();
  await targetDatabase(h.database, 'ledger').query(TABLE);
  await h.json('admin', 'PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } });
  await h.json('analyst', 'POST', '/api/flows', { document: flowWith({ columns: { ref: 'ref', amount: 'amount', currency: 'currency', status: "='open'" } }) }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
}, 60_000);
afterAll(() => h.close());

describe('environment checks (embedded database)', () => {
  it('finds nothing wrong with a flow that fits the database', async () => {
    expect(await checks('analyst', 'environment=dev')).toEqual({ environment: 'dev', version: null, problems: [], checkedTargets: 1, checkedSamples: [] });
    expect(await checks('operator', 'environment=dev&version=1')).toMatchObject({ version: 1, problems: [], checkedTargets: 1 });
  });

  it('names the connection an environment does not bind, and checks no table there', async () => {
    const body = await checks('operator', 'environment=test');
    expect(body.checkedTargets).toBe(0);
    expect(body.problems).toEqual([{ path: '/connections/ledger', message: expect.stringContaining("Connection 'ledger' (postgres) is not bound in test") }]);
  });

  it('finds a missing column, a NOT NULL column without a value, and constants their column cannot hold', async () => {
    const draft = flowWith({ keyColumns: ['ref'], columns: { ref: 'ref', amount: '=12.345', currency: "='EURO'", colour: "='red'", note: 'note' } });
    await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: draft });
    const { problems } = await checks('analyst', 'environment=dev');
    expect(problems.map((p: { path: string }) => p.path).sort()).toEqual(['/nodes/3/config/columns', '/nodes/3/config/columns/amount', '/nodes/3/config/columns/colour', '/nodes/3/config/columns/currency']);
    const text = problems.map((p: { message: string }) => p.message).join('\n');
    expect(text).toContain("column colour does not exist in table api_payments ('ledger' in dev)");
    expect(text).toContain('numeric(10,2) would round 12.345 to 12.35: it keeps 2 decimal(s)');
    expect(text).toContain("character(3) cannot hold 'EURO': 4 characters, at most 3");
    expect(text).toContain('column status of api_payments is NOT NULL without a default, but no value is mapped to it');
    expect(problems.every((p: { nodeId?: string }) => p.nodeId === 'post')).toBe(true);
  });

  it('finds a missing table', async () => {
    await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: flowWith({ table: 'erp.payments' }) });
    const { problems } = await checks('analyst', 'environment=dev');
    expect(problems).toEqual([{ path: '/nodes/3/config/table', nodeId: 'post', message: "Node 'post': table erp.payments does not exist in 'ledger' in dev" }]);
  });

  it('an analyst may not look into a deployed environment; unknown environments and connections answer 404', async () => {
    const refused = await checks('analyst', 'environment=prod', 403);
    expect(refused.requiredRole).toEqual(['operator', 'admin']);
    await checks('operator', 'environment=nowhere', 404);
    await h.json('analyst', 'GET', '/api/connections/dev/nothing/schema', undefined, 404);
  });

  it("lists a connection's tables and columns for the picker", async () => {
    const schema = await h.json('analyst', 'GET', '/api/connections/dev/ledger/schema');
    expect(schema).toMatchObject({ dialect: 'postgres', searchPath: ['public'], truncated: false });
    const table = schema.tables.find((t: { name: string }) => t.name === 'api_payments');
    expect(table.columns.map((c: { name: string }) => c.name)).toEqual(['ref', 'amount', 'currency', 'status', 'note']);
    expect(table.columns[1]).toEqual({ name: 'amount', type: 'numeric', maxLength: null, precision: 10, scale: 2, nullable: false, hasDefault: false });
  });
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('environment checks against Postgres (TEST_DATABASE_URL)', () => {
  const schema = `lf_envcheck_${process.pid}`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.query(`create table ${schema}.ledger_rows (id bigint generated always as identity, ref text not null, posted_on date not null, amount numeric(18,2) not null, qty integer)`);
    await h.json('admin', 'PUT', '/api/connections/test/ledger', { kind: 'postgres', settings: { url } });
  });
  afterAll(async () => {
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  it('checks a schema-qualified table in the database test binds', async () => {
    await h.json('analyst', 'PUT', '/api/flows/payments/draft', {
      document: flowWith({ table: `${schema}.ledger_rows`, mode: 'insert', keyColumns: [], columns: { ref: 'ref', posted_on: "='2026-13-45'", amount: 'amount', qty: '=2.5' } }),
    });
    const { problems, checkedTargets } = await checks('operator', 'environment=test');
    expect(checkedTargets).toBe(1);
    expect(problems.map((p: { message: string }) => p.message).sort()).toEqual([
      `Node 'post': column posted_on of ${schema}.ledger_rows: date cannot hold '2026-13-45': not a date (YYYY-MM-DD)`,
      `Node 'post': column qty of ${schema}.ledger_rows: integer cannot hold 2.5: not a whole number`,
    ]);
    const listed = await h.json('operator', 'GET', '/api/connections/test/ledger/schema');
    const table = listed.tables.find((t: { schema: string; name: string }) => t.schema === schema && t.name === 'ledger_rows');
    expect(table.columns.find((c: { name: string }) => c.name === 'id')).toMatchObject({ type: 'bigint', hasDefault: true });
  });

  it('an unreachable database is a problem of the node, naming the connection, without its password', async () => {
    await h.json('admin', 'PUT', '/api/connections/test/ledger', { kind: 'postgres', settings: { url: 'postgres://lf:{{secret:pw}}@127.0.0.1:1/none' }, secrets: { pw: 'hunter2-secret' } });
    const { problems } = await checks('operator', 'environment=test');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: '/nodes/3/config/connection', nodeId: 'post' });
    expect(problems[0].message).toContain("The database of connection 'ledger' in test could not be read");
    expect(problems[0].message).not.toContain('hunter2-secret');
    const res = await h.call('operator', 'GET', '/api/connections/test/ledger/schema');
    expect(res.status).toBe(502);
    expect(await res.text()).not.toContain('hunter2-secret');
  });
});

describe.skipIf(!url)("the values of a flow's stored sample against Postgres column types (TEST_DATABASE_URL)", () => {
  const schema = `lf_samplefit_${process.pid}`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.query(`create table ${schema}.fit_payments (ref text primary key, amount numeric(10,2) not null, code char(3) not null)`);
    await h.json('admin', 'PUT', '/api/connections/test/books', { kind: 'postgres', settings: { url } });
    const doc = flowWith({ connection: 'books', table: `${schema}.fit_payments`, columns: { ref: 'ref', amount: 'amount', code: 'currency' } }, 'sample-fit');
    doc.connections = { books: { kind: 'postgres' } };
    await h.json('analyst', 'POST', '/api/flows', { document: doc }, 201);
  }, 60_000);
  afterAll(async () => {
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  const fitChecks = () => h.json('operator', 'GET', '/api/flows/sample-fit/environment-checks?environment=test');

  it('with no stored sample only the configuration is checked', async () => {
    expect(await fitChecks()).toEqual({ environment: 'test', version: null, problems: [], checkedTargets: 1, checkedSamples: [] });
  });

  it('names the node, column, type, first value and how many records of the sample do not fit', async () => {
    const content = JSON.stringify([
      { ref: 'P-1', amount: 12.345, currency: 'EUROACCOUNTS' },
      { ref: 'P-2', amount: 5, currency: 'EUROACCOUNTS' },
      { ref: 'P-3', amount: 7.5, currency: 'EUR' },
    ]);
    await h.json('analyst', 'POST', '/api/flows/sample-fit/samples', { name: 'payments.json', content }, 201);
    const body = await fitChecks();
    expect(body).toMatchObject({ checkedTargets: 1, checkedSamples: ['payments.json'] });
    expect(body.problems).toEqual([
      {
        path: '/nodes/3/config/columns/amount', nodeId: 'post', code: 'SAMPLE_VALUE_DOES_NOT_FIT',
        message: `Node 'post': column amount of ${schema}.fit_payments: numeric(10,2) would round 12.345 to 12.35: it keeps 2 decimal(s) — 1 of 3 record(s) of the sample payments.json do not fit`,
      },
      {
        path: '/nodes/3/config/columns/code', nodeId: 'post', code: 'SAMPLE_VALUE_DOES_NOT_FIT',
        message: `Node 'post': column code of ${schema}.fit_payments: character(3) cannot hold 'EUROACCOUNTS': 12 characters, at most 3 — 2 of 3 record(s) of the sample payments.json do not fit`,
      },
    ]);
  });

  it('masks the value of a sensitive field', async () => {
    const doc = (await h.json('analyst', 'GET', '/api/flows/sample-fit')).draft;
    await h.json('analyst', 'PUT', '/api/flows/sample-fit/draft', { document: { ...doc, sensitive: ['currency'] } });
    const messages = (await fitChecks()).problems.map((p: { message: string }) => p.message).join('\n');
    expect(messages).toContain("character(3) cannot hold ***: 12 characters, at most 3 — 2 of 3 record(s)");
    expect(messages).not.toContain('EUROACCOUNTS');
  });
});

describe('environment checks against MariaDB', () => {
  const SERVER = 'mysql://root@127.0.0.1:3306';
  const DB = `lf_envcheck_${process.pid}`;
  let admin: mysql.Connection;

  beforeAll(async () => {
    admin = await mysql.createConnection({ uri: SERVER });
    await admin.query(`drop database if exists ${DB}`);
    await admin.query(`create database ${DB}`);
    await admin.query(`create table ${DB}.api_payments (ref varchar(10) primary key, amount decimal(10,2) not null, currency char(3) not null, booked tinyint(1) not null default 0)`);
    await h.json('admin', 'PUT', '/api/connections/prod/ledger', { kind: 'mysql', settings: { url: `${SERVER}/${DB}` } });
  }, 60_000);
  afterAll(async () => {
    await admin?.query(`drop database if exists ${DB}`);
    await admin?.end();
  });

  it('reads the tables of a MySQL/MariaDB database and checks the target against them', async () => {
    const listed = await h.json('operator', 'GET', '/api/connections/prod/ledger/schema');
    expect(listed).toMatchObject({ dialect: 'mysql', searchPath: [DB] });
    expect(listed.tables[0].columns).toEqual([
      { name: 'ref', type: 'varchar', maxLength: 10, precision: null, scale: null, nullable: false, hasDefault: false },
      { name: 'amount', type: 'decimal', maxLength: null, precision: 10, scale: 2, nullable: false, hasDefault: false },
      { name: 'currency', type: 'char', maxLength: 3, precision: null, scale: null, nullable: false, hasDefault: false },
      { name: 'booked', type: 'boolean', maxLength: null, precision: 3, scale: 0, nullable: false, hasDefault: true },
    ]);
    const doc = flowWith({ columns: { ref: 'ref', amount: 'amount', currency: "='EURO'", booked: "='maybe'" } });
    doc.connections = { ledger: { kind: 'mysql' } };
    await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: doc });
    const { problems } = await checks('operator', 'environment=prod');
    expect(problems.map((p: { message: string }) => p.message).sort()).toEqual([
      "Node 'post': column booked of api_payments: boolean cannot hold 'maybe'",
      "Node 'post': column currency of api_payments: char(3) cannot hold 'EURO': 4 characters, at most 3",
    ]);
  });
});
