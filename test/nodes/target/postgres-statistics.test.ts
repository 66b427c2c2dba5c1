import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postgresTarget, type PostgresTargetConfig } from '../../../nodes/target/postgres.ts';
import { buildDeleteByKey } from '../../../nodes/target/postgres-statements.ts';
import { sqlBackends, type SqlBackend } from './sql-test-clients.ts';
import { connections, setupContext, targetContext } from './target-test-context.ts';

// The lines DELETE of an upsert, by 500 parent keys, on a lines table the database never analysed
// (autovacuum off, or embedded PGlite): without statistics the planner expects it to match 92 % of
// the lines (0.5 % a key), and scans them all on every batch; with them, 5 lines a key, from the index
// once the table is large (1M lines: 184 → 2 ms a batch, test/bench/postgres-target-growth.ts).
for (const backend of sqlBackends('lf_pgstats')) {
  describe(`target.postgres statistics on ${backend.name}`, () => {
    let db: SqlBackend;
    beforeAll(async () => {
      db = await backend.open();
      const s = db.schema;
      await db.exec(`
        CREATE TABLE ${s}.po (po_number text PRIMARY KEY, total numeric(14,2) NOT NULL);
        CREATE TABLE ${s}.po_line (po_number text NOT NULL REFERENCES ${s}.po ON DELETE CASCADE, line_no int NOT NULL,
          amount numeric(14,2) NOT NULL, PRIMARY KEY (po_number, line_no));
        INSERT INTO ${s}.po SELECT 'PO-' || g, 10 FROM generate_series(1, 4000) g;
        INSERT INTO ${s}.po_line SELECT 'PO-' || g, l, 2 FROM generate_series(1, 4000) g, generate_series(1, 5) l;
      `);
    });
    afterAll(async () => {
      await db?.close();
    });

    // The planner's estimate of the lines the DELETE finds (its scan node's `rows=`).
    const expectedLines = async () => {
      const keys = Array.from({ length: 500 }, (_, i) => [`PO-${10000 + i}`]);
      const statement = buildDeleteByKey(`${db.schema}.po_line`, ['po_number'], new Map([['po_number', 'text']]), keys)!;
      const { rows } = await db.sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.params);
      return Number(/Scan on po_line .*?rows=(\d+)/.exec(rows.map((r) => r['QUERY PLAN']).join('\n'))![1]);
    };

    it('brings the statistics of the tables it writes up to date, so the lines DELETE is expected to find 5 lines a key', async () => {
      expect(await expectedLines()).toBeGreaterThan(10_000);
      const config: PostgresTargetConfig = {
        ...postgresTarget.defaults, connection: 'erp', table: `${db.schema}.po`, mode: 'upsert', keyColumns: ['po_number'],
        columns: { po_number: 'no', total: 'total' },
        lines: { path: 'lines', table: `${db.schema}.po_line`, columns: { po_number: '^no', line_no: 'n', amount: 'amount' }, keyColumns: ['po_number'] },
      };
      const node = postgresTarget.create(config, setupContext('erp-eu'));
      const items = Array.from({ length: 3 }, (_, i) => ({ key: `PO-${4001 + i}`, data: { no: `PO-${4001 + i}`, total: '4', lines: [{ n: 1, amount: '2' }, { n: 2, amount: '2' }] } }));
      const outcomes = await node.write(items, targetContext({ connections: connections({ erp: db.sql }) }), { scope: `${db.schema}/stats`, runId: 'r1', claimToken: 't1' });
      expect(outcomes.every((o) => o.ok)).toBe(true);
      // The check runs beside the next batch, not before write() answers: it is over shortly after.
      await vi.waitFor(async () => expect(await expectedLines()).toBeLessThan(5_000), { timeout: 10_000, interval: 50 });
    });
  });
}
