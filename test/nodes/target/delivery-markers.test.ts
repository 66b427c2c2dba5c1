/**
 * The delivery marker table on a real Postgres (TEST_DATABASE_URL; skipped
 * otherwise): a role that may not create tables gets a clear, permanent
 * error naming the table; once the admin ran the README's DDL and grant, the
 * same role writes exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresTarget } from '../../../nodes/target/postgres.ts';
import { DELIVERY_MARKER_DDL } from '../../../nodes/target/delivery-markers.ts';
import { createPgSqlClient, type PgSqlClient } from '../../../runtime/connectors/postgres.ts';
import { connections, setupContext, targetContext } from './target-test-context.ts';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('delivery markers for a role without CREATE (Postgres)', () => {
  const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const schema = `lf_markers_${tag}`;
  const role = `lf_writer_${tag}`;
  let admin: pg.Client;
  let writer: PgSqlClient;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.query(`create table ${schema}.entries (id text not null, amount numeric not null)`);
    await admin.query(`create role ${role} login`);
    await admin.query(`grant usage on schema ${schema} to ${role}`);
    await admin.query(`grant select, insert on ${schema}.entries to ${role}`);
    const u = new URL(url!);
    u.username = role;
    u.password = '';
    u.searchParams.set('options', `-c search_path=${schema}`);
    writer = createPgSqlClient(u.toString());
  });

  afterAll(async () => {
    await writer?.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop owned by ${role}`).catch(() => undefined);
    await admin.query(`drop role if exists ${role}`);
    await admin.end();
  });

  const target = () => postgresTarget.create(
    { ...postgresTarget.defaults, connection: 'erp', table: 'entries', mode: 'insert', keyColumns: [], columns: { id: 'id', amount: 'amount' } },
    setupContext('entries'),
  );
  const claim = { scope: 'flow/entries', runId: 'run-1', claimToken: 'run-1:1' };
  const items = [{ key: 'E-1', data: { id: 'E-1', amount: '1.10' } }, { key: 'E-2', data: { id: 'E-2', amount: '2.20' } }];
  const ctx = () => targetContext({ connections: connections({ erp: writer }) });

  it('refuses to write without the table, saying what the admin must do; writes once after the DDL', async () => {
    const err = await target().write(items, ctx(), claim).catch((e) => e);
    expect(err.errorClass).toBe('permanent');
    expect(err.details.code).toBe('DELIVERY_MARKERS_MISSING');
    expect(err.message).toMatch(/no table ledgerflow_delivery.*ask the database admin to create it/);
    expect((await admin.query(`select count(*)::int as n from ${schema}.entries`)).rows[0].n).toBe(0);

    await admin.query(`set search_path = ${schema}`);
    await admin.query(DELIVERY_MARKER_DDL);
    await admin.query(`grant select, insert on ${schema}.ledgerflow_delivery to ${role}`);
    const fresh = target();
    expect(await fresh.write(items, ctx(), claim)).toEqual([{ ok: true, answer: {} }, { ok: true, answer: {} }]);
    expect(await fresh.write(items, ctx(), claim)).toEqual([{ ok: true, earlier: 'same-claim', answer: {} }, { ok: true, earlier: 'same-claim', answer: {} }]);
    expect((await admin.query(`select count(*)::int as n from ${schema}.entries`)).rows[0].n).toBe(2);
    expect(await fresh.countDelivered!({ scope: claim.scope, runId: 'run-1' }, ctx())).toBe(2);
  });
});
