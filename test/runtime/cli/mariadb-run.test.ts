/**
 * `ledgerflow run` of a flow whose SQL source and target are bound to the real
 * MariaDB (127.0.0.1:3306) by the connections file: the flow names its
 * connections as `postgres` (SQL) ones and the environment's mysql:// urls
 * make the nodes write MariaDB statements. Open items are read by watermark
 * and upserted into a ledger table, each record once (delivery markers in the
 * ledger database); a second run reads only what is new; a wrong password
 * fails the run naming the connection, without the password.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli-capture.ts';

const DB = `lf_mariadb_run_${process.pid}`;
let admin: mysql.Connection;
let data: string;

const flow = {
  id: 'open-items-to-ledger',
  name: 'Open items → ledger (MariaDB)',
  recordKey: 'id',
  connections: { erp: { kind: 'postgres' }, ledger: { kind: 'postgres' } },
  nodes: [
    {
      id: 'items', type: 'source.postgres', typeVersion: 1, position: { x: 0, y: 0 },
      config: { connection: 'erp', query: 'SELECT id, amount, updated_at FROM open_item WHERE id > $1', watermarkColumn: 'id', initialWatermark: '0', batchSize: 2 },
    },
    {
      id: 'post', type: 'target.postgres', typeVersion: 1, position: { x: 300, y: 0 },
      config: { connection: 'ledger', table: 'ledger_entry', mode: 'upsert', keyColumns: ['item_id'], columns: { item_id: 'id', amount: 'amount', booked: "='yes'" } },
    },
  ],
  edges: [{ id: 'e1', source: 'items', sourceHandle: 'out', target: 'post', targetHandle: 'in' }],
};

beforeAll(async () => {
  admin = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
  await admin.query(`drop database if exists ${DB}`);
  await admin.query(`create database ${DB}`);
  await admin.query(`use ${DB}`);
  await admin.query('create table open_item (id int primary key, amount decimal(12,2) not null, updated_at datetime not null)');
  await admin.query("insert into open_item values (1, 10.00, '2026-01-01 09:00:00'), (2, 20.50, '2026-01-02 09:00:00'), (3, 30.00, '2026-01-03 09:00:00')");
  await admin.query('create table ledger_entry (item_id int primary key, amount decimal(12,2) not null, booked varchar(3) not null)');
  data = await mkdtemp(join(tmpdir(), 'lf-mariadb-run-'));
  process.env.LEDGERFLOW_DATA = join(data, 'store');
  process.env.LEDGERFLOW_OUT = join(data, 'out');
  process.env.LEDGER_DB_PASSWORD = 'Wr0ngS3cret';
  delete process.env.DATABASE_URL;
  await writeFile(join(data, 'flow.json'), JSON.stringify(flow));
  const url = `mysql://root@127.0.0.1:3306/${DB}`;
  await writeFile(join(data, 'connections.json'), JSON.stringify({ erp: { kind: 'postgres', url }, ledger: { kind: 'postgres', url } }));
  const wrong = `mysql://root:$env:LEDGER_DB_PASSWORD@127.0.0.1:3306/${DB}`;
  await writeFile(join(data, 'wrong-source.json'), JSON.stringify({ erp: { kind: 'postgres', url: wrong }, ledger: { kind: 'postgres', url } }));
  await writeFile(join(data, 'wrong-target.json'), JSON.stringify({ erp: { kind: 'postgres', url }, ledger: { kind: 'postgres', url: wrong } }));
}, 60_000);

afterAll(async () => {
  delete process.env.LEDGER_DB_PASSWORD;
  await admin?.query(`drop database if exists ${DB}`);
  await admin?.end();
  await rm(data, { recursive: true, force: true });
});

const run = async (connections: string) => {
  const r = await cli('run', join(data, 'flow.json'), '--connections', join(data, connections), '--json');
  return { ...r, summary: r.out ? JSON.parse(r.out) : undefined };
};

describe('ledgerflow run with a MariaDB source and target', { timeout: 600_000 }, () => {
  it('reads by watermark and upserts into the ledger; the next run reads only new rows', async () => {
    const first = await run('connections.json');
    expect(first.summary).toMatchObject({ status: 'succeeded', counts: { read: 3, deadLettered: 0 } });
    expect((await admin.query('select item_id, amount, booked from ledger_entry order by item_id'))[0]).toEqual([
      { item_id: 1, amount: '10.00', booked: 'yes' },
      { item_id: 2, amount: '20.50', booked: 'yes' },
      { item_id: 3, amount: '30.00', booked: 'yes' },
    ]);
    const markers = (await admin.query('select count(*) as n from ledgerflow_delivery'))[0] as { n: number }[];
    expect(Number(markers[0].n)).toBe(3);

    await admin.query("insert into open_item values (4, 40.00, '2026-01-04 09:00:00')");
    const second = await run('connections.json');
    expect(second.summary).toMatchObject({ status: 'succeeded', counts: { read: 1 } });
    expect((await admin.query('select item_id from ledger_entry order by item_id'))[0]).toEqual([{ item_id: 1 }, { item_id: 2 }, { item_id: 3 }, { item_id: 4 }]);
  });

  it('a wrong password on the source fails the run naming the connection, without the password', async () => {
    const failed = await run('wrong-source.json');
    expect(failed.code).not.toBe(0);
    expect(failed.summary.status).toBe('failed');
    expect(failed.summary.error.message).toContain("connection 'erp' (MySQL/MariaDB): Access denied");
    expect(failed.out + failed.err).not.toContain('Wr0ngS3cret');
  });

  it('a wrong password on the target fails its records (dead letters), nothing written, no password in the output', async () => {
    await admin.query("insert into open_item values (5, 50.00, '2026-01-05 09:00:00')");
    const failed = await run('wrong-target.json');
    expect(failed.summary).toMatchObject({ status: 'completed_with_exceptions', counts: { read: 1, deadLettered: 1 } });
    expect(failed.out + failed.err).not.toContain('Wr0ngS3cret');
    expect((await admin.query('select count(*) as n from ledger_entry'))[0]).toEqual([{ n: 4 }]);
  });
});
