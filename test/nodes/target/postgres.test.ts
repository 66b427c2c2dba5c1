import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresTarget, type PostgresTargetConfig } from '../../../nodes/target/postgres.ts';
import { buildDeleteByKey, buildInsert, toSqlText } from '../../../nodes/target/postgres-statements.ts';
import type { TargetBehaviour, TargetItem, TargetOutcome } from '../../../nodes/define-node.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { sqlBackends, type SqlBackend } from './sql-test-clients.ts';
import { connections, setupContext, stubEvaluator, targetContext } from './target-test-context.ts';

function config(over: Partial<PostgresTargetConfig>): PostgresTargetConfig {
  return { ...postgresTarget.defaults, connection: 'erp', ...over };
}

function items(...data: unknown[]): TargetItem[] {
  return data.map((d, i) => ({ key: `k${i}`, data: d }));
}

function failure(outcome: TargetOutcome): FlowError {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.error;
}

describe('target.postgres config', () => {
  it('flags a missing table, no columns and no key columns for upsert', () => {
    const problems = postgresTarget.check!(config({ table: '', columns: {}, mode: 'upsert', keyColumns: [] }), stubEvaluator);
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/table', '/columns', '/keyColumns']));
  });

  it('refuses identifiers that are not plain names, in check() and in create()', () => {
    const bad = config({ table: 'erp.po; DROP TABLE x', columns: { 'amount"': 'amount', ok: 'a..b' }, keyColumns: ['missing'] });
    const messages = postgresTarget.check!(bad, stubEvaluator).map((p) => `${p.path} ${p.message}`);
    expect(messages.some((m) => m.startsWith('/table') && m.includes('letters, digits and underscores'))).toBe(true);
    expect(messages.some((m) => m.startsWith('/columns/amount"'))).toBe(true);
    expect(messages.some((m) => m.startsWith('/columns/ok') && m.includes('empty segment'))).toBe(true);
    expect(messages.some((m) => m.startsWith('/keyColumns/0') && m.includes("'missing'"))).toBe(true);
    expect(() => postgresTarget.create(bad, setupContext())).toThrow(FlowError);
    expect(postgresTarget.check!(config({ table: 'a.b.c', columns: { x: 'x' }, mode: 'insert' }), stubEvaluator)[0].message).toContain(
      'at most one schema prefix',
    );
  });

  it('requires an idempotency key and the parent key columns on the lines', () => {
    const problems = postgresTarget.check!(
      config({
        table: 'inv',
        columns: { no: 'no' },
        keyColumns: ['no'],
        idempotencyKey: ' ',
        lines: { path: 'lines', table: 'inv_line', columns: { inv_no: '^no', n: 'n' }, keyColumns: [] },
      }),
      stubEvaluator,
    );
    expect(problems.map((p) => p.path)).toEqual(['/lines/keyColumns', '/idempotencyKey']);
    expect(postgresTarget.configSchema.properties).toMatchObject({ idempotencyKey: { default: '$sourceKey', minLength: 1 } });
  });

  it('summarises mode and table', () => {
    expect(postgresTarget.summary!(config({ table: 'erp.po_commitment', mode: 'upsert' }))).toBe('upsert erp.po_commitment');
  });
});

describe('statement building', () => {
  const types = new Map([
    ['c0', 'text'],
    ['c1', 'numeric'],
    ['c2', 'timestamp with time zone'],
  ]);

  it('writes any number of rows with one statement of one text array per column, cast to the column types', () => {
    const columns = ['c0', 'c1', 'c2', 'c3'];
    const rows = Array.from({ length: 70000 }, (_, r) => [`k${r}`, `${r}.10`, null, 'x']);
    const s = buildInsert('s.T', columns, types, rows, ['c0'])!;
    expect(s.text).toBe(
      'INSERT INTO "s"."T" ("c0", "c1", "c2", "c3") SELECT t.c0, t.c1::numeric, t.c2::timestamp with time zone, t.c3 ' +
        'FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(c0, c1, c2, c3) ' +
        'ON CONFLICT ("c0") DO UPDATE SET "c1" = EXCLUDED."c1", "c2" = EXCLUDED."c2", "c3" = EXCLUDED."c3"',
    );
    expect(s.params.length).toBe(4);
    expect(s.params[1][69999]).toBe('69999.10');
    expect(s.params[2][0]).toBeNull();
    expect(s.types).toEqual(['text', 'numeric', 'timestamp with time zone', undefined]);
    expect(buildInsert('t', ['c0'], types, [['a']], ['c0'])!.text).toMatch(/ON CONFLICT \("c0"\) DO NOTHING$/);
    expect(buildInsert('t', ['c0'], types, [])).toBeNull();
  });

  it('deletes by one key with = ANY, by composite keys with a row-value IN over unnest', () => {
    const one = buildDeleteByKey('l', ['c1'], types, [['1'], ['2']])!;
    expect(one.text).toBe('DELETE FROM "l" WHERE "c1" = ANY($1::text[]::numeric[])');
    expect(one.params).toEqual([['1', '2']]);
    expect(buildDeleteByKey('l', ['c0'], types, [['a']])!.text).toBe('DELETE FROM "l" WHERE "c0" = ANY($1::text[])');
    const two = buildDeleteByKey('l', ['c0', 'c1'], types, [['a', '1'], ['b', '2']])!;
    expect(two.text).toBe('DELETE FROM "l" WHERE ("c0", "c1") IN (SELECT t.c0, t.c1::numeric FROM unnest($1::text[], $2::text[]) AS t(c0, c1))');
    expect(two.params).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('sends every value as the text the database parses', () => {
    expect([null, undefined, 'x', 0.1, 12, true, 9007199254740993n, { a: [1] }, [1, 'b'], new Date(Date.UTC(2026, 0, 2))].map(toSqlText)).toEqual([
      null, null, 'x', '0.1', '12', 'true', '9007199254740993', '{"a":[1]}', '[1,"b"]', '2026-01-02T00:00:00.000Z',
    ]);
  });
});

for (const backend of sqlBackends('lf_pgtarget')) {
  describe(`target.postgres on ${backend.name}`, () => {
    let db: SqlBackend;
    let s: string;
    const ctx = () => targetContext({ connections: connections({ erp: db.sql }) });
    const make = (over: Partial<PostgresTargetConfig>): TargetBehaviour => postgresTarget.create(config(over), setupContext('post-po'));

    beforeAll(async () => {
      db = await backend.open();
      s = db.schema;
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.exec(`
        DROP TABLE IF EXISTS ${s}.invoice_line; DROP TABLE IF EXISTS ${s}.invoice; DROP TABLE IF EXISTS ${s}.po_commitment;
        CREATE TABLE ${s}.po_commitment (
          po_number text NOT NULL, line_no int NOT NULL, amount numeric(14,2) NOT NULL, currency char(3) NOT NULL,
          supplier jsonb, PRIMARY KEY (po_number, line_no));
        CREATE TABLE ${s}.invoice (invoice_number text PRIMARY KEY, supplier_id text NOT NULL, total numeric(14,2) NOT NULL);
        CREATE TABLE ${s}.invoice_line (
          invoice_number text NOT NULL REFERENCES ${s}.invoice(invoice_number), line_no int NOT NULL,
          amount numeric(14,2) NOT NULL CHECK (amount <> 0), PRIMARY KEY (invoice_number, line_no));
      `);
    });

    const poColumns = { po_number: 'poNumber', line_no: 'line', amount: 'amount', currency: 'currency', supplier: 'supplier' };

    it('inserts a batch and returns the key columns as ref', async () => {
      const target = make({ table: `${s}.po_commitment`, mode: 'insert', keyColumns: ['po_number', 'line_no'], columns: poColumns });
      const outcomes = await target.write(
        items(
          { poNumber: 'PO-1', line: 1, amount: '100.10', currency: 'EUR', supplier: { id: 'S1', name: 'Acme' } },
          { poNumber: 'PO-1', line: 2, amount: 5, currency: 'EUR' },
        ),
        ctx(),
      );
      expect(outcomes).toEqual([{ ok: true, ref: 'PO-1|1', answer: { key: 'PO-1|1' } }, { ok: true, ref: 'PO-1|2', answer: { key: 'PO-1|2' } }]);
      const { rows } = await db.sql.query(`SELECT po_number, line_no, amount::text, supplier FROM ${s}.po_commitment ORDER BY line_no`);
      expect(rows).toEqual([
        { po_number: 'PO-1', line_no: 1, amount: '100.10', supplier: { id: 'S1', name: 'Acme' } },
        { po_number: 'PO-1', line_no: 2, amount: '5.00', supplier: null },
      ]);
    });

    it('upserts: updates existing rows, and the later of two records with one key wins', async () => {
      const target = make({ table: `${s}.po_commitment`, mode: 'upsert', keyColumns: ['po_number', 'line_no'], columns: poColumns });
      await target.write(items({ poNumber: 'PO-2', line: 1, amount: '10.00', currency: 'EUR' }), ctx());
      const outcomes = await target.write(
        items(
          { poNumber: 'PO-2', line: 1, amount: '20.00', currency: 'EUR' },
          { poNumber: 'PO-3', line: 1, amount: '1.00', currency: 'USD' },
          { poNumber: 'PO-2', line: 1, amount: '30.00', currency: 'GBP' },
        ),
        ctx(),
      );
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const { rows } = await db.sql.query(`SELECT po_number, amount::text, currency FROM ${s}.po_commitment ORDER BY po_number`);
      expect(rows).toEqual([
        { po_number: 'PO-2', amount: '30.00', currency: 'GBP' },
        { po_number: 'PO-3', amount: '1.00', currency: 'USD' },
      ]);
    });

    const invoiceConfig = (): Partial<PostgresTargetConfig> => ({
      table: `${s}.invoice`,
      mode: 'upsert',
      keyColumns: ['invoice_number'],
      columns: { invoice_number: 'invoiceNumber', supplier_id: 'supplier.id', total: 'total' },
      lines: {
        path: 'lines',
        table: `${s}.invoice_line`,
        columns: { invoice_number: '^invoiceNumber', line_no: 'no', amount: 'amount' },
        keyColumns: ['invoice_number'],
      },
    });

    const invoice = (no: string, amounts: unknown[]) => ({
      invoiceNumber: no,
      supplier: { id: 'SUP-9' },
      total: '0',
      lines: amounts.map((amount, i) => ({ no: i + 1, amount })),
    });

    it('writes a header and its lines together, and replaces old lines on upsert', async () => {
      const target = make(invoiceConfig());
      expect(await target.write(items(invoice('INV-1', ['10.00', '20.00', '30.00']), invoice('INV-2', ['5.00'])), ctx())).toEqual([
        { ok: true, ref: 'INV-1', answer: { key: 'INV-1' } },
        { ok: true, ref: 'INV-2', answer: { key: 'INV-2' } },
      ]);
      await target.write(items(invoice('INV-1', ['99.99'])), ctx());
      const { rows } = await db.sql.query(`SELECT invoice_number, line_no, amount::text FROM ${s}.invoice_line ORDER BY 1, 2`);
      expect(rows).toEqual([
        { invoice_number: 'INV-1', line_no: 1, amount: '99.99' },
        { invoice_number: 'INV-2', line_no: 1, amount: '5.00' },
      ]);
    });

    it('never half-posts: a bad line fails its invoice only, header included', async () => {
      const target = make(invoiceConfig());
      const outcomes = await target.write(
        items(invoice('INV-A', ['1.00']), invoice('INV-B', ['2.00', '0']), invoice('INV-C', ['3.00'])),
        ctx(),
      );
      expect(outcomes[0]).toEqual({ ok: true, ref: 'INV-A', answer: { key: 'INV-A' } });
      expect(outcomes[2]).toEqual({ ok: true, ref: 'INV-C', answer: { key: 'INV-C' } });
      const error = failure(outcomes[1]);
      expect(error.errorClass).toBe('permanent');
      expect(error.details.code).toBe('23514');
      expect(error.message).toContain(`${s}.invoice_line`);
      expect(error.details.nodeId).toBe('post-po');
      const headers = await db.sql.query<{ invoice_number: string }>(`SELECT invoice_number FROM ${s}.invoice ORDER BY 1`);
      expect(headers.rows.map((r) => r.invoice_number)).toEqual(['INV-A', 'INV-C']);
      const lines = await db.sql.query(`SELECT count(*)::int AS n FROM ${s}.invoice_line`);
      expect(lines.rows).toEqual([{ n: 2 }]);
    });

    it('isolates a bad row as a permanent failure naming table and column; the rest is delivered', async () => {
      const target = make({ table: `${s}.po_commitment`, mode: 'insert', keyColumns: ['po_number', 'line_no'], columns: poColumns });
      const outcomes = await target.write(
        items(
          { poNumber: 'PO-7', line: 1, amount: '1.00', currency: 'EUR' },
          { poNumber: 'PO-7', line: 2, amount: 'twelve', currency: 'EUR' },
          { poNumber: 'PO-7', line: 3, amount: '3.00', currency: 'EUR' },
          { poNumber: 'PO-7', line: 4, amount: '4.00' },
        ),
        ctx(),
      );
      expect(outcomes[0]).toEqual({ ok: true, ref: 'PO-7|1', answer: { key: 'PO-7|1' } });
      expect(outcomes[2]).toEqual({ ok: true, ref: 'PO-7|3', answer: { key: 'PO-7|3' } });
      const bad = failure(outcomes[1]);
      expect(bad.errorClass).toBe('permanent');
      expect(bad.details.code).toBe('22P02');
      expect(bad.details.field).toBe('amount');
      expect(bad.message).toContain(`${s}.po_commitment`);
      expect(bad.message).toContain('twelve');
      const missing = failure(outcomes[3]);
      expect(missing.details.code).toBe('23502');
      expect(missing.details.field).toBe('currency');
      const { rows } = await db.sql.query(`SELECT line_no FROM ${s}.po_commitment ORDER BY 1`);
      expect(rows).toEqual([{ line_no: 1 }, { line_no: 3 }]);
    });

    it('a duplicate insert is a permanent failure with the database detail', async () => {
      const target = make({ table: `${s}.invoice`, mode: 'insert', keyColumns: ['invoice_number'], columns: { invoice_number: 'no', supplier_id: 's', total: 't' } });
      await target.write(items({ no: 'D-1', s: 'S', t: 1 }), ctx());
      const [outcome] = await target.write(items({ no: 'D-1', s: 'S', t: 1 }), ctx());
      const error = failure(outcome);
      expect(error.details.code).toBe('23505');
      expect(error.message).toMatch(/Key \(invoice_number\)=\(D-1\) already exists/);
    });

    it('an empty upsert key fails that record before anything is sent', async () => {
      const target = make({ table: `${s}.invoice`, keyColumns: ['invoice_number'], columns: { invoice_number: 'no', supplier_id: 's', total: 't' } });
      const outcomes = await target.write(items({ s: 'S', t: 1 }, { no: 'E-1', s: 'S', t: 2 }), ctx());
      expect(failure(outcomes[0]).message).toContain('key column invoice_number is empty');
      expect(outcomes[1]).toEqual({ ok: true, ref: 'E-1', answer: { key: 'E-1' } });
    });

    it('a missing table fails the whole batch permanently', async () => {
      const target = make({ table: `${s}.no_such_table`, mode: 'insert', columns: { a: 'a' } });
      const err = await target.write(items({ a: 1 }, { a: 2 }), ctx()).catch((e) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(err.errorClass).toBe('permanent');
      expect(err.details.code).toBe('42P01');
    });

    it('writes more rows than one statement can carry', async () => {
      const target = make({ table: `${s}.po_commitment`, mode: 'upsert', keyColumns: ['po_number', 'line_no'], columns: poColumns, batchSize: 20000 });
      const many = Array.from({ length: 13200 }, (_, i) => ({ poNumber: 'PO-BIG', line: i, amount: '1.00', currency: 'EUR' }));
      const outcomes = await target.write(items(...many), ctx());
      expect(outcomes.filter((o) => o.ok).length).toBe(13200);
      const { rows } = await db.sql.query(`SELECT count(*)::int AS n, sum(amount)::text AS total FROM ${s}.po_commitment`);
      expect(rows).toEqual([{ n: 13200, total: '13200.00' }]);
    });

    // The marker table is unqualified (the connection's search_path): on the shared Postgres test database that
    // would be `public`, so this runs on PGlite; test/runtime/engine/crash-points.test.ts covers Postgres.
    it.skipIf(backend.name !== 'pglite')('with a delivery claim: a marked record is not written again — delivered for its own claim, duplicate for another; a refused one leaves no marker', async () => {
      const target = make({ table: `${s}.invoice`, mode: 'insert', keyColumns: ['invoice_number'], columns: { invoice_number: 'no', supplier_id: 's', total: 't' } });
      expect(target.recordsDeliveries).toBe(true);
      const claim = { scope: 'flow/post-po', runId: 'run-1', claimToken: 'run-1:1' };
      const invoice = (no: string, supplier: string | null = 'S') => ({ key: no, data: { no, s: supplier, t: 1 } });
      expect(await target.write([invoice('M-1'), invoice('M-2'), invoice('M-bad', null)], ctx(), claim)).toMatchObject([
        { ok: true, ref: 'M-1', answer: { key: 'M-1' } }, { ok: true, ref: 'M-2', answer: { key: 'M-2' } }, { ok: false },
      ]);
      // The chunk again, as after a crash: its own records are found, the refused one is tried again.
      const again = await target.write([invoice('M-1'), invoice('M-2'), invoice('M-bad'), invoice('M-3')], ctx(), claim);
      expect(again).toEqual([
        { ok: true, ref: 'M-1', earlier: 'same-claim', answer: { key: 'M-1' } }, { ok: true, ref: 'M-2', earlier: 'same-claim', answer: { key: 'M-2' } }, { ok: true, ref: 'M-bad', answer: { key: 'M-bad' } }, { ok: true, ref: 'M-3', answer: { key: 'M-3' } },
      ]);
      const other = await target.write([invoice('M-1')], ctx(), { ...claim, runId: 'run-2', claimToken: 'run-2:1' });
      expect(other).toEqual([{ ok: true, ref: 'M-1', earlier: 'other-claim', answer: { key: 'M-1' } }]);
      const { rows } = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.invoice`);
      expect(rows).toEqual([{ n: 4 }]);
      expect(await target.countDelivered!({ scope: claim.scope, runId: 'run-1' }, ctx())).toBe(4);
      expect(await target.countDelivered!({ scope: claim.scope, runId: 'run-2' }, ctx())).toBe(0);
      // Dropped while the process runs (it was checked once per pool): created again on the next write.
      await db.sql.query('DROP TABLE ledgerflow_delivery');
      expect(await target.write([invoice('M-4')], ctx(), claim)).toEqual([{ ok: true, ref: 'M-4', answer: { key: 'M-4' } }]);
      expect(await target.countDelivered!({ scope: claim.scope, runId: 'run-1' }, ctx())).toBe(1);
    });

    it.skipIf(backend.name !== 'pglite')('markers written under the scope of before migration 0008 (flow/node) are taken over by the target scope: a retried chunk does not write again', async () => {
      const target = make({ table: `${s}.invoice`, mode: 'insert', keyColumns: ['invoice_number'], columns: { invoice_number: 'no', supplier_id: 's', total: 't' } });
      const invoice = (no: string) => ({ key: no, data: { no, s: 'S', t: 1 } });
      const before = { scope: 'flow/old-node', runId: 'run-7', claimToken: 'run-7:1' };
      expect(await target.write([invoice('L-1')], ctx(), before)).toEqual([{ ok: true, ref: 'L-1', answer: { key: 'L-1' } }]);
      const after = { ...before, scope: 'dev/erp/table:invoice', legacyScope: 'flow/old-node' };
      expect(await make({ table: `${s}.invoice`, mode: 'insert', keyColumns: ['invoice_number'], columns: { invoice_number: 'no', supplier_id: 's', total: 't' } })
        .write([invoice('L-1'), invoice('L-2')], ctx(), after)).toEqual([{ ok: true, ref: 'L-1', earlier: 'same-claim', answer: { key: 'L-1' } }, { ok: true, ref: 'L-2', answer: { key: 'L-2' } }]);
      const { rows } = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.invoice WHERE invoice_number like 'L-%'`);
      expect(rows).toEqual([{ n: 2 }]);
      const markers = await db.sql.query<{ scope: string; n: number }>(`SELECT scope, count(*)::int AS n FROM ledgerflow_delivery WHERE run_id = 'run-7' GROUP BY scope`);
      expect(markers.rows).toEqual([{ scope: 'dev/erp/table:invoice', n: 2 }]);
    });

    it('an unknown connection fails the batch with a permanent error naming it', async () => {
      const target = make({ connection: 'ledger', table: `${s}.invoice`, mode: 'insert', columns: { invoice_number: 'no' } });
      await expect(target.write(items({ no: 'X' }), ctx())).rejects.toThrow("connection 'ledger' is not configured");
    });
  });
}
