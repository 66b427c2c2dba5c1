/**
 * The SQL nodes on a second engine: source.postgres and target.postgres over a
 * connection bound to MariaDB (mysql:// url) write MySQL statements — `?`
 * placeholders, backtick identifiers, ON DUPLICATE KEY UPDATE, delivery
 * markers in the target's own database. Against the real MariaDB on
 * 127.0.0.1:3306 (root, no password); a database of its own, dropped after.
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SourceContext, TargetOutcome } from '../../../nodes/define-node.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { postgresSource, type PostgresSourceConfig } from '../../../nodes/source/postgres.ts';
import { postgresTarget, type PostgresTargetConfig } from '../../../nodes/target/postgres.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { createConnectionResolver, type ClosableConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import { inlineParams } from '../../../runtime/connectors/mysql.ts';
import { connectionProblems } from '../../../runtime/connectors/environment-connections.ts';
import { targetContext } from '../../nodes/target/target-test-context.ts';
import { CONNECTION_KINDS, SQL_CONNECTION_KINDS } from '../../../nodes/flow-document.ts';
import flowDocumentSchema from '../../../nodes/flow-document.schema.json' with { type: 'json' };

const SERVER = 'mysql://root@127.0.0.1:3306';
const DB = `lf_mysql_${process.pid}`;
const evaluator = createReferenceEvaluator();
const setup = { nodeId: 'post', evaluator, reference: createReferenceData({}), functions: standardFunctions(createReferenceData({})) };

let admin: mysql.Connection;
let resolver: ClosableConnectionResolver;
const rows = async (sql: string) => (await admin.query(sql))[0] as Record<string, unknown>[];

beforeAll(async () => {
  admin = await mysql.createConnection({ uri: SERVER, dateStrings: true });
  await admin.query(`drop database if exists ${DB}`);
  await admin.query(`create database ${DB}`);
  await admin.query(`use ${DB}`);
  resolver = createConnectionResolver({ erp: { kind: 'postgres', url: `${SERVER}/${DB}` } });
}, 60_000);

afterAll(async () => {
  await resolver?.close();
  await admin?.query(`drop database if exists ${DB}`);
  await admin?.end();
});

describe('MySQL connection settings', () => {
  it('a SQL connection takes a mysql:// or mariadb:// url; a password written in it must be a secret', () => {
    expect(connectionProblems('erp', 'postgres', { url: 'mysql://app:{{secret:db}}@db:3306/erp' }, ['db'])).toEqual([]);
    expect(connectionProblems('erp', 'postgres', { url: 'mariadb://app@db/erp' }, [])).toEqual([]);
    expect(connectionProblems('erp', 'postgres', { url: 'mysql://app:hunter2@db:3306/erp' }, []).map((p) => p.path)).toEqual(['/settings/url']);
    expect(connectionProblems('erp', 'postgres', { url: 'oracle://db/erp' }, [])[0].message).toContain('mysql://');
  });
});

describe('the mysql connection kind', () => {
  it('is in the one list of kinds, and the flow document schema allows exactly those kinds', () => {
    expect(CONNECTION_KINDS).toContain('mysql');
    expect(flowDocumentSchema.properties.connections.additionalProperties.properties.kind.enum).toEqual([...CONNECTION_KINDS]);
    expect(SQL_CONNECTION_KINDS).toEqual(['postgres', 'mysql']);
  });

  it('takes a mysql:// or mariadb:// url only; its password must be a secret', () => {
    expect(connectionProblems('erp', 'mysql', { url: 'mysql://app:{{secret:db}}@db:3306/erp' }, ['db'])).toEqual([]);
    expect(connectionProblems('erp', 'mysql', { url: 'mariadb://app@db/erp' }, [])).toEqual([]);
    expect(connectionProblems('erp', 'mysql', { url: 'postgres://app@db/erp' }, [])).toEqual([
      { path: '/settings', message: "connection 'erp' is a mysql connection: it needs a url starting with mysql:// or mariadb://" },
    ]);
    expect(connectionProblems('erp', 'mysql', { embedded: true }, []).map((p) => p.path)).toEqual(['/settings']);
    expect(connectionProblems('erp', 'mysql', { url: 'mysql://app:hunter2@db:3306/erp' }, []).map((p) => p.path)).toEqual(['/settings/url']);
  });

  it('the SQL nodes write through a mysql connection, and a postgres one bound to a mysql:// url still works (older documents)', async () => {
    await admin.query('drop table if exists kind_probe');
    await admin.query('create table kind_probe (id varchar(10) primary key, via varchar(20) not null)');
    const both = createConnectionResolver({ viaMysql: { kind: 'mysql', url: `${SERVER}/${DB}` }, viaPostgres: { kind: 'postgres', url: `${SERVER}/${DB}` } });
    try {
      for (const connection of ['viaMysql', 'viaPostgres']) {
        const target = postgresTarget.create({ ...postgresTarget.defaults, connection, table: 'kind_probe', mode: 'insert', keyColumns: ['id'], columns: { id: 'id', via: `='${connection}'` } }, setup);
        expect((await target.write([{ key: connection, data: { id: connection.slice(0, 10) } }], targetContext({ connections: both })))[0].ok).toBe(true);
      }
      expect(await rows('select id, via from kind_probe order by id')).toEqual([{ id: 'viaMysql', via: 'viaMysql' }, { id: 'viaPostgre', via: 'viaPostgres' }]);
      expect(() => createConnectionResolver({ api: { kind: 'http', baseUrl: 'http://x' } }).sql('api')).toThrow("connection 'api' is a http connection, but this node needs a postgres or mysql connection");
    } finally {
      await both.close();
    }
  });
});

describe('MySQL placeholders', () => {
  it('puts the n-th value, escaped, where $n stands, leaving quoted text (and its ?) alone', () => {
    expect(inlineParams("select * from t where a > $1 and b = $2 and c = '$1?' and `d$1` = $1 and e = $3", ["x'; drop", 'y'])).toBe(
      "select * from t where a > 'x\\'; drop' and b = 'y' and c = '$1?' and `d$1` = 'x\\'; drop' and e = NULL",
    );
  });
});

describe('source.postgres on MariaDB', () => {
  const config = (over: Partial<PostgresSourceConfig>): PostgresSourceConfig => ({ ...postgresSource.defaults, connection: 'erp', ...over });
  async function read(over: Partial<PostgresSourceConfig>, watermark?: string) {
    const proposed: string[] = [];
    const ctx: SourceContext = {
      connections: resolver,
      ...(watermark !== undefined ? { watermark } : {}),
      proposeWatermark: (value) => proposed.push(value),
      signal: new AbortController().signal,
    };
    const out: Record<string, unknown>[] = [];
    for await (const row of postgresSource.create(config(over), { ...setup, nodeId: 'read' }).read(ctx)) out.push(row as Record<string, unknown>);
    return { rows: out, proposed };
  }

  beforeAll(async () => {
    await admin.query('create table po (id int primary key, `Order` varchar(20), amount decimal(12,2), updated_at datetime(6) not null)');
    const values = Array.from({ length: 7 }, (_, i) => `(${i + 1}, 'PO-${i + 1}', ${i + 1}.50, '2026-01-0${Math.min(i, 5) + 1} 10:00:00.000001')`);
    await admin.query(`insert into po values ${values.join(', ')}`);
  });

  it('reads pages by a datetime watermark (ties on a page edge kept whole), proposes the largest, then reads only newer rows', async () => {
    const first = await read({ query: 'SELECT id, `Order`, amount, updated_at FROM po WHERE updated_at > $1', watermarkColumn: 'updated_at', batchSize: 3, initialWatermark: '1970-01-01 00:00:00' });
    expect(first.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(first.rows[0]).toEqual({ id: 1, Order: 'PO-1', amount: '1.50', updated_at: '2026-01-01 10:00:00.000001' });
    expect(first.proposed).toEqual(['2026-01-06 10:00:00.000001']);
    await admin.query("insert into po values (8, 'PO-8', 8.00, '2026-01-07 09:00:00')");
    const second = await read({ query: 'SELECT * FROM po WHERE updated_at > $1', watermarkColumn: 'updated_at', batchSize: 3 }, first.proposed[0]);
    expect(second.rows.map((r) => r.id)).toEqual([8]);
    expect(second.proposed).toEqual(['2026-01-07 09:00:00.000000']);
    const none = await read({ query: 'SELECT * FROM po WHERE updated_at > $1', watermarkColumn: 'updated_at' }, second.proposed[0]);
    expect(none).toEqual({ rows: [], proposed: [] });
  });

  it('reads a numeric watermark and, without one, the whole query once', async () => {
    const byId = await read({ query: 'SELECT id FROM po WHERE id > $1', watermarkColumn: 'id', initialWatermark: '0', batchSize: 5 }, '5');
    expect(byId.rows.map((r) => r.id)).toEqual([6, 7, 8]);
    expect(byId.proposed).toEqual(['8']);
    expect((await read({ query: 'SELECT count(*) AS n FROM po' })).rows).toEqual([{ n: '8' }]);
    const asked = await read({ query: "SELECT id, 'why?' AS q FROM po WHERE id > $1 AND `Order` <> 'x?'", watermarkColumn: 'id', initialWatermark: '6' });
    expect(asked.rows).toEqual([{ id: 7, q: 'why?' }, { id: 8, q: 'why?' }]);
  });

  it('refuses stacked statements even when the check is bypassed', async () => {
    const err = await read({ query: 'SELECT 1 AS a' }).then(() => null);
    expect(err).toBeNull();
    const source = postgresSource.create(config({ query: 'SELECT 1 AS a' }), setup);
    expect(source).toBeTruthy();
    expect(postgresSource.check!(config({ query: 'SELECT 1; DROP TABLE po' }), evaluator)[0].message).toContain('2 statements');
  });
});

describe('target.postgres on MariaDB', () => {
  const config = (over: Partial<PostgresTargetConfig>): PostgresTargetConfig => ({ ...postgresTarget.defaults, connection: 'erp', table: 'open_item', mode: 'insert', ...over });
  const ctx = () => targetContext({ connections: resolver });
  const items = (...data: Record<string, unknown>[]) => data.map((d) => ({ key: String(d.id), data: d }));
  const oks = (outcomes: TargetOutcome[]) => outcomes.map((o) => o.ok);

  beforeEach(async () => {
    await admin.query('drop table if exists open_item_line, open_item, ledgerflow_delivery');
    await admin.query('create table open_item (id varchar(10) primary key, status varchar(20), amount decimal(12,2) not null)');
    await admin.query('create table open_item_line (item_id varchar(10) not null, no int not null, amount decimal(12,2) not null)');
  });

  it('inserts records with their lines; a bad record fails alone, naming the table, the others are written', async () => {
    const target = postgresTarget.create(config({
      columns: { id: 'id', status: "='open'", amount: 'amount' },
      lines: { path: 'lines', table: 'open_item_line', columns: { item_id: '^id', no: 'no', amount: 'amount' }, keyColumns: ['item_id'] },
    }), setup);
    const outcomes = await target.write(items(
      { id: 'A', amount: '10.50', lines: [{ no: 1, amount: '10.50' }] },
      { id: 'B', amount: 'not a number', lines: [] },
      { id: 'C', amount: '3', lines: [{ no: 1, amount: '1' }, { no: 2, amount: '2' }] },
    ), ctx());
    expect(oks(outcomes)).toEqual([true, false, true]);
    const failed = outcomes[1] as { ok: false; error: FlowError };
    expect(failed.error.errorClass).toBe('permanent');
    expect(failed.error.message).toMatch(/^open_item refused the record: connection 'erp' \(MySQL\/MariaDB\): .*Incorrect decimal value: 'not a number' for column .*amount.*\(MySQL\/MariaDB 22007\)$/);
    expect(await rows('select id, status, amount from open_item order by id')).toEqual([
      { id: 'A', status: 'open', amount: '10.50' },
      { id: 'C', status: 'open', amount: '3.00' },
    ]);
    expect(await rows('select item_id, no from open_item_line order by item_id, no')).toEqual([
      { item_id: 'A', no: 1 }, { item_id: 'C', no: 1 }, { item_id: 'C', no: 2 },
    ]);
  });

  it('upserts by the key (ON DUPLICATE KEY UPDATE), replacing the lines, and a key twice in one batch ends with the last', async () => {
    const target = postgresTarget.create(config({
      mode: 'upsert', keyColumns: ['id'], columns: { id: 'id', status: 'status', amount: 'amount' },
      lines: { path: 'lines', table: 'open_item_line', columns: { item_id: '^id', no: 'no', amount: 'amount' }, keyColumns: ['item_id'] },
    }), setup);
    await target.write(items({ id: 'A', status: 'open', amount: '1', lines: [{ no: 1, amount: '1' }, { no: 2, amount: '0' }] }), ctx());
    const outcomes = await target.write(items(
      { id: 'A', status: 'paid', amount: '2', lines: [{ no: 1, amount: '2' }] },
      { id: 'B', status: 'open', amount: '5', lines: [] },
      { id: 'A', status: 'closed', amount: '3', lines: [{ no: 9, amount: '3' }] },
    ), ctx());
    expect(outcomes).toEqual([{ ok: true, ref: 'A', answer: { key: 'A' } }, { ok: true, ref: 'B', answer: { key: 'B' } }, { ok: true, ref: 'A', answer: { key: 'A' } }]);
    expect(await rows('select id, status, amount from open_item order by id')).toEqual([
      { id: 'A', status: 'closed', amount: '3.00' },
      { id: 'B', status: 'open', amount: '5.00' },
    ]);
    expect(await rows('select item_id, no from open_item_line order by item_id, no')).toEqual([{ item_id: 'A', no: 9 }]);
  });

  it('update-only changes existing rows; a missing row fails naming its key, the rest is written', async () => {
    await admin.query("insert into open_item values ('A', 'open', 10), ('B', 'open', 20)");
    const target = postgresTarget.create(config({ mode: 'update', keyColumns: ['id'], columns: { id: 'id', status: "='reconciled'", amount: 'paid' } }), setup);
    const outcomes = await target.write(items({ id: 'A', paid: '10.50' }, { id: 'Z', paid: '1' }, { id: 'B', paid: '20' }), ctx());
    expect(oks(outcomes)).toEqual([true, false, true]);
    expect((outcomes[1] as { error: FlowError }).error.message).toBe('open_item has no row with id = Z to update (update-only mode): the record was not written');
    expect(await rows('select id, status, amount from open_item order by id')).toEqual([
      { id: 'A', status: 'reconciled', amount: '10.50' },
      { id: 'B', status: 'reconciled', amount: '20.00' },
    ]);
  });

  it('returns the columns the database assigned (read back by the key), for the out port', async () => {
    await admin.query('drop table if exists erp_document');
    await admin.query('create table erp_document (po varchar(10) primary key, doc_no int not null auto_increment unique, amount decimal(12,2) not null) auto_increment = 5000');
    const target = postgresTarget.create(config({ table: 'erp_document', keyColumns: ['po'], columns: { po: 'id', amount: 'amount' }, returning: ['doc_no', 'amount'] }), setup);
    const outcomes = await target.write(items({ id: 'PO-1', amount: '10.5' }, { id: 'PO-2', amount: 'x' }, { id: 'PO-3', amount: '7' }), ctx());
    const docs = await rows('select po, doc_no from erp_document order by po');
    expect(docs.map((d) => d.po)).toEqual(['PO-1', 'PO-3']);
    const docOf = (po: string) => docs.find((d) => d.po === po)!.doc_no;
    expect(outcomes[0]).toEqual({ ok: true, ref: 'PO-1', answer: { key: 'PO-1', row: { doc_no: docOf('PO-1'), amount: '10.50' } } });
    expect(outcomes[1].ok).toBe(false);
    expect(outcomes[2]).toEqual({ ok: true, ref: 'PO-3', answer: { key: 'PO-3', row: { doc_no: docOf('PO-3'), amount: '7.00' } } });
    expect(Number(docOf('PO-1'))).toBeGreaterThanOrEqual(5000);
  });

  it('keeps delivery markers in the MariaDB database: a retried chunk is not written twice, another run sees duplicates', async () => {
    const target = postgresTarget.create(config({ columns: { id: 'id', amount: 'amount' } }), setup);
    const claim = { scope: 'flow/open_item', runId: 'run-1', claimToken: 'run-1:1' };
    const batch = items({ id: 'A', amount: '1' }, { id: 'B', amount: '2' });
    expect(await target.write(batch, ctx(), claim)).toEqual([{ ok: true, answer: {} }, { ok: true, answer: {} }]);
    expect(await target.write(batch, ctx(), claim)).toEqual([{ ok: true, earlier: 'same-claim', answer: {} }, { ok: true, earlier: 'same-claim', answer: {} }]);
    expect(await target.write(batch, ctx(), { ...claim, runId: 'run-2', claimToken: 'run-2:1' })).toEqual([
      { ok: true, earlier: 'other-claim', answer: {} }, { ok: true, earlier: 'other-claim', answer: {} },
    ]);
    expect(await rows('select id from open_item order by id')).toEqual([{ id: 'A' }, { id: 'B' }]);
    expect(await target.countDelivered!({ scope: claim.scope, runId: 'run-1' }, ctx())).toBe(2);
    expect(await target.countDelivered!({ scope: claim.scope, runId: 'run-2' }, ctx())).toBe(0);
    // Two keys alike in their first 500 characters are two records, and one too long for the marker fails alone.
    const long = 'x'.repeat(500);
    const outcomes = await target.write([
      { key: `${long}`, data: { id: 'L1', amount: '1' } },
      { key: `${long}y`, data: { id: 'L2', amount: '1' } },
    ], ctx(), claim);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect((outcomes[1] as { error: FlowError }).error.message).toContain("Data too long for column 'key'");
    expect(await rows("select id from open_item where id like 'L%'")).toEqual([{ id: 'L1' }]);
  });
});

describe('target.postgres on MariaDB, two attempts at once', () => {
  it('two writers of the same records at the same moment: each record is written once, the other sees it as earlier', async () => {
    await admin.query('drop table if exists ledger_line, ledgerflow_delivery');
    await admin.query('create table ledger_line (id int not null, amount decimal(12,2) not null)');
    const target = postgresTarget.create({ ...postgresTarget.defaults, connection: 'erp', table: 'ledger_line', mode: 'insert', columns: { id: 'id', amount: 'amount' } }, setup);
    const batch = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, data: { id: i, amount: '1.00' } }));
    const claims = [1, 2].map((n) => ({ scope: 'flow/ledger_line', runId: `run-${n}`, claimToken: `run-${n}:1` }));
    const [a, b] = await Promise.all(claims.map((claim) => target.write(batch, targetContext({ connections: resolver }), claim)));
    expect([...a, ...b].every((o) => o.ok)).toBe(true);
    const written = [...a, ...b].filter((o) => o.ok && !o.earlier).length;
    expect(written).toBe(20);
    expect((await admin.query('select count(*) as n, count(distinct id) as d from ledger_line'))[0]).toEqual([{ n: 20, d: 20 }]);
  }, 60_000);
});

describe('MariaDB connection errors', () => {
  it('a wrong password fails permanently, naming the connection and the server message, never the password', async () => {
    const bad = createConnectionResolver({ ledger: { kind: 'postgres', url: `mysql://root:Sup3rS3cret@127.0.0.1:3306/${DB}` } });
    try {
      const err = (await bad.sql('ledger').query('select 1').catch((e) => e)) as FlowError;
      expect(err).toBeInstanceOf(FlowError);
      expect(err.errorClass).toBe('permanent');
      expect(err.message).toContain("connection 'ledger'");
      expect(err.message).toMatch(/Access denied/);
      expect(err.message).not.toContain('Sup3rS3cret');
    } finally {
      await bad.close();
    }
  });

  it('an unreachable server is a transient error naming the connection', async () => {
    const bad = createConnectionResolver({ ledger: { kind: 'postgres', url: 'mysql://root@127.0.0.1:1/x' } });
    try {
      const err = (await bad.sql('ledger').query('select 1').catch((e) => e)) as FlowError;
      expect(err.errorClass).toBe('transient');
      expect(err.message).toContain("connection 'ledger'");
    } finally {
      await bad.close();
    }
  });
});
