import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresSource, type PostgresSourceConfig } from '../../../nodes/source/postgres.ts';
import type { SourceContext } from '../../../nodes/define-node.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { sqlBackends, type SqlBackend } from '../target/sql-test-clients.ts';
import { connections, setupContext, stubEvaluator } from '../target/target-test-context.ts';

function config(over: Partial<PostgresSourceConfig>): PostgresSourceConfig {
  return { ...postgresSource.defaults, connection: 'erp', ...over };
}

describe('source.postgres config', () => {
  it('accepts only SELECT or WITH queries', () => {
    for (const query of ['DELETE FROM t', 'update t set a = 1', 'INSERT INTO t VALUES (1)', 'TRUNCATE t']) {
      const problems = postgresSource.check!(config({ query }), stubEvaluator);
      expect(problems.some((p) => p.message.includes('only SELECT or WITH'))).toBe(true);
    }
    expect(postgresSource.check!(config({ query: '-- comment\nselect * from t;' }), stubEvaluator)).toEqual([]);
  });

  it('refuses a query holding more than one statement, on its query field', () => {
    const stacked = `SELECT 1 AS x) q1; COMMIT; UPDATE users SET role = 'admin'; SELECT * FROM (SELECT 1 AS x`;
    expect(postgresSource.check!(config({ query: stacked }), stubEvaluator)).toEqual([
      expect.objectContaining({ path: '/query', message: expect.stringContaining('4 statements') }),
    ]);
    expect(postgresSource.check!(config({ query: "select ';' as a -- ; comment\n;" }), stubEvaluator)).toEqual([]);
    expect(() => postgresSource.create(config({ query: 'select 1; select 2' }), setupContext('read-po'))).toThrow(/2 statements/);
  });

  it('warns when the watermark column is set but the query lacks $1', () => {
    const problems = postgresSource.check!(config({ query: 'SELECT * FROM t', watermarkColumn: 'updated_at' }), stubEvaluator);
    expect(problems).toEqual([expect.objectContaining({ code: 'watermark-parameter-missing', path: '/query' })]);
    expect(postgresSource.check!(config({ query: 'SELECT * FROM t WHERE a > $2', watermarkColumn: 'a' }), stubEvaluator)[0].message).toContain(
      'only $1',
    );
    expect(postgresSource.check!(config({ query: 'SELECT 1', watermarkColumn: 'bad col' }), stubEvaluator).map((p) => p.path)).toContain(
      '/watermarkColumn',
    );
  });
});

for (const backend of sqlBackends('lf_pgsource')) {
  describe(`source.postgres on ${backend.name}`, () => {
    let db: SqlBackend;
    let s: string;

    async function read(over: Partial<PostgresSourceConfig>, watermark?: string) {
      const proposed: string[] = [];
      const ctx: SourceContext = {
        connections: connections({ erp: db.sql }),
        ...(watermark !== undefined ? { watermark } : {}),
        proposeWatermark: (value) => proposed.push(value),
        signal: new AbortController().signal,
      };
      const rows: Record<string, unknown>[] = [];
      for await (const row of postgresSource.create(config(over), setupContext('read-po')).read(ctx)) rows.push(row as Record<string, unknown>);
      return { rows, proposed };
    }

    beforeAll(async () => {
      db = await backend.open();
      s = db.schema;
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.exec(`
        DROP TABLE IF EXISTS ${s}.po;
        CREATE TABLE ${s}.po (id bigint PRIMARY KEY, po_number text, amount numeric(14,2), updated_at timestamptz);
        INSERT INTO ${s}.po VALUES
          (1, 'PO-1', 10.00, '2026-01-01T10:00:00.000001Z'),
          (2, 'PO-2', 20.50, '2026-01-01T10:00:00.000002Z'),
          (3, 'PO-3', 30.00, '2026-01-02T00:00:00Z'),
          (4, 'PO-4', 40.00, '2026-01-02T00:00:00Z'),
          (5, 'PO-5', 50.00, '2026-01-02T00:00:00Z'),
          (6, 'PO-6', 60.00, '2026-01-03T00:00:00Z'),
          (7, 'PO-7', 70.00, NULL);
      `);
    });

    const byTime = () => ({
      query: `SELECT id::int AS id, po_number, amount, updated_at FROM ${s}.po WHERE updated_at > $1`,
      watermarkColumn: 'updated_at',
      batchSize: 2,
    });

    it('first run reads every row in watermark order and proposes the maximum; the next run only newer rows', async () => {
      const first = await read(byTime());
      // Pages of 2 cut the group of three equal timestamps; each row is still read exactly once.
      const order = first.rows.map((r) => r.po_number as string);
      expect(order).toHaveLength(6);
      expect([order[0], order[1], order[5]]).toEqual(['PO-1', 'PO-2', 'PO-6']);
      expect(order.slice(2, 5).sort()).toEqual(['PO-3', 'PO-4', 'PO-5']); // equal timestamps: any order
      expect(first.rows.map((r) => r.id).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(first.rows[1]).toMatchObject({ po_number: 'PO-2', amount: '20.50' });
      expect(first.rows[0]).not.toHaveProperty('__ledgerflow_watermark');
      expect(first.proposed).toHaveLength(1);
      expect(Date.parse(first.proposed[0])).toBe(Date.parse('2026-01-03T00:00:00Z'));

      const again = await read(byTime(), first.proposed[0]);
      expect(again.rows).toEqual([]);
      expect(again.proposed).toEqual([]);

      await db.exec(`INSERT INTO ${s}.po VALUES (8, 'PO-8', 80.00, '2026-01-04T00:00:00Z'), (9, 'PO-9', 1.00, '2026-01-02T12:00:00Z')`);
      const third = await read(byTime(), first.proposed[0]);
      expect(third.rows.map((r) => r.po_number)).toEqual(['PO-8']);
      expect(Date.parse(third.proposed[0])).toBe(Date.parse('2026-01-04T00:00:00Z'));
    });

    it('keeps microseconds in the watermark, so the last row is not read again', async () => {
      const { rows, proposed } = await read({ ...byTime(), query: `SELECT * FROM ${s}.po WHERE updated_at > $1 AND id <= 2` });
      expect(rows.map((r) => r.po_number)).toEqual(['PO-1', 'PO-2']);
      expect(proposed[0]).toMatch(/10:00:00\.000002/);
      const again = await read({ ...byTime(), query: `SELECT * FROM ${s}.po WHERE updated_at > $1 AND id <= 2` }, proposed[0]);
      expect(again.rows).toEqual([]);
    });

    it('a numeric watermark starting at 0', async () => {
      const cfg = { query: `SELECT id, po_number FROM ${s}.po WHERE id > $1`, watermarkColumn: 'id', initialWatermark: '0', batchSize: 3 };
      const first = await read(cfg);
      expect(first.rows.map((r) => r.po_number)).toEqual(['PO-1', 'PO-2', 'PO-3', 'PO-4', 'PO-5', 'PO-6', 'PO-7']);
      expect(first.proposed).toEqual(['7']);
      expect((await read(cfg, '5')).rows.map((r) => r.po_number)).toEqual(['PO-6', 'PO-7']);
    });

    it('without a watermark reads the whole result once', async () => {
      const { rows, proposed } = await read({ query: `SELECT po_number FROM ${s}.po ORDER BY id DESC;` });
      expect(rows.map((r) => r.po_number)).toEqual(['PO-7', 'PO-6', 'PO-5', 'PO-4', 'PO-3', 'PO-2', 'PO-1']);
      expect(proposed).toEqual([]);
    });

    it('a stacked-statement attack changes nothing, even past the validator', async () => {
      const stacked = `SELECT 1 AS x) q1; COMMIT; UPDATE ${s}.po SET amount = 0; SELECT * FROM (SELECT 1 AS x`;
      // The wrapped query as the node would send it if the check were bypassed: one statement per call.
      const wrapped = await db.sql.transaction(async (tx) => {
        await tx.query('SET TRANSACTION READ ONLY', []);
        return tx.query(`SELECT * FROM (\n${stacked}\n) AS source_query`, []);
      }).catch((e) => e);
      expect(String(wrapped.message)).toMatch(/cannot insert multiple commands into a prepared statement/);
      const err = await read({ query: stacked }).catch((e) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(err.errorClass).toBe('permanent');
      const { rows } = await db.sql.query(`SELECT count(*)::int AS n FROM ${s}.po WHERE amount = 0`);
      expect(rows).toEqual([{ n: 0 }]);
    });

    // PGlite runs single-threaded in WebAssembly, without the timer that cancels a statement.
    it.skipIf(backend.name === 'pglite')('stops a query that runs past its time limit', async () => {
      const err = await read({ query: 'SELECT pg_sleep(3) AS slept', timeoutSeconds: 1 }).catch((e) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(String(err.message)).toMatch(/statement timeout|cancel/i);
    });

    it('cannot modify data, even through a WITH clause', async () => {
      const err = await read({ query: `WITH gone AS (DELETE FROM ${s}.po RETURNING *) SELECT * FROM gone` }).catch((e) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(err.errorClass).toBe('permanent');
      const { rows } = await db.sql.query(`SELECT count(*)::int AS n FROM ${s}.po`);
      expect(rows).toEqual([{ n: 7 }]);
    });
  });
}
