/**
 * target.postgres write modes (insert, upsert, update-only) and column values
 * (field paths, constants, expressions), checked before the run and written.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresTarget, type PostgresTargetConfig } from '../../../nodes/target/postgres.ts';
import { buildUpdate } from '../../../nodes/target/postgres-statements.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import type { TargetOutcome } from '../../../nodes/define-node.ts';
import { sqlBackends, type SqlBackend } from './sql-test-clients.ts';
import { connections, targetContext } from './target-test-context.ts';

const evaluator = createReferenceEvaluator();
const setup = { nodeId: 'settle', evaluator, reference: createReferenceData({}), functions: standardFunctions(createReferenceData({})) };
const config = (over: Partial<PostgresTargetConfig>): PostgresTargetConfig => ({ ...postgresTarget.defaults, connection: 'erp', table: 'open_item', mode: 'insert', ...over });
const problemsOf = (over: Partial<PostgresTargetConfig>) => postgresTarget.check!(config(over), evaluator).map((p) => `${p.path} ${p.message}`);

describe('target.postgres column values and modes, before the run', () => {
  it("refuses a constant written as a field path ('reconciled' would write NULL) and says to write =", () => {
    const problems = problemsOf({ columns: { id: 'id', status: "'reconciled'", fee: '0', rate: '$rate' } });
    expect(problems).toEqual([
      "/columns/status 'reconciled' is not a field path; for a constant or a computed value write = before it: ='reconciled'",
      '/columns/fee 0 is not a field path; for a constant or a computed value write = before it: =0',
      '/columns/rate $rate is not a field path; for a constant or a computed value write = before it: =$rate',
    ]);
  });

  it('checks expressions, keeps paths with spaces and brackets (CSV headers), and parent paths in lines', () => {
    expect(problemsOf({ columns: { id: 'id', status: "='reconciled'", amount: '=$decMul(amount, "1.5")', memo: 'Amount (EUR)' } })).toEqual([]);
    expect(problemsOf({ columns: { id: 'id', amount: '=$decMul(amount,' } })[0]).toMatch(/^\/columns\/amount expression =\$decMul\(amount,: /);
    expect(problemsOf({ columns: { id: 'id', status: '=' } })).toEqual(['/columns/status an expression after = is missing']);
    expect(problemsOf({
      mode: 'upsert', keyColumns: ['id'], columns: { id: 'id' },
      lines: { path: 'lines', table: 'line', columns: { item_id: '^id', kind: "='goods'", bad: "^'x'" }, keyColumns: ['item_id'] },
    })).toEqual([
      "/lines/columns/bad ^'x' is not a field path; for a constant or a computed value write = before it: ='x'",
    ]);
  });

  it('update-only needs key columns, a column to set, and no lines; the form offers the mode', () => {
    expect(problemsOf({ mode: 'update', keyColumns: [], columns: { id: 'id', status: 'status' } })).toEqual([
      '/keyColumns update-only needs the key columns that find the row to update',
    ]);
    expect(problemsOf({ mode: 'update', keyColumns: ['id'], columns: { id: 'id' } })).toEqual(['/columns update-only needs a column to set besides the key columns']);
    const schema = postgresTarget.configSchema as { properties: { mode: { enum: string[] } } };
    expect(schema.properties.mode.enum).toEqual(['insert', 'upsert', 'update']);
  });

  it('builds one UPDATE per batch that returns the keys it found', () => {
    const s = buildUpdate('s.open_item', ['id', 'status', 'amount'], new Map([['amount', 'numeric']]), [['A', 'x', '1.10']], ['id'])!;
    expect(s.text).toBe('UPDATE "s"."open_item" AS d SET "status" = t.c1, "amount" = t.c2::numeric FROM unnest($1::text[], $2::text[], $3::text[]) AS t(c0, c1, c2) WHERE d."id" = t.c0 RETURNING t.c0');
  });
});

for (const backend of sqlBackends('lf_pgmodes')) {
  describe(`target.postgres write modes on ${backend.name}`, () => {
    let db: SqlBackend;
    const ctx = () => targetContext({ connections: connections({ erp: db.sql }) });
    const items = (...data: Record<string, unknown>[]) => data.map((d) => ({ key: String(d.id), data: d }));
    const rows = async () => (await db.sql.query<{ id: string; status: string | null; amount: string }>(
      `select id, status, trim_scale(amount)::text as amount from ${db.schema}.open_item order by id`)).rows;

    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(() => db?.close());
    beforeEach(async () => {
      await db.exec(`drop table if exists ${db.schema}.open_item; create table ${db.schema}.open_item (id text primary key, status text, amount numeric not null);
        insert into ${db.schema}.open_item values ('A', 'open', 10.00), ('B', 'open', 20.00)`);
    });

    it('update-only changes existing rows, with a constant and an expression; a missing row fails naming its key, the rest is written', async () => {
      const target = postgresTarget.create(config({
        table: `${db.schema}.open_item`, mode: 'update', keyColumns: ['id'],
        columns: { id: 'id', status: "='reconciled'", amount: '=$decMul(paid, "1.00")' },
      }), setup);
      const outcomes = await target.write(items({ id: 'A', paid: '10.50' }, { id: 'Z', paid: '1' }, { id: 'B', paid: '0.10' }), ctx());
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      const error = (outcomes[1] as Extract<TargetOutcome, { ok: false }>).error;
      expect(error.errorClass).toBe('permanent');
      expect(error.message).toBe(`${db.schema}.open_item has no row with id = Z to update (update-only mode): the record was not written`);
      expect(await rows()).toEqual([
        { id: 'A', status: 'reconciled', amount: '10.5' },
        { id: 'B', status: 'reconciled', amount: '0.1' },
      ]);
    });

    it('insert and upsert take constants and expressions too; an expression error fails the record naming the column', async () => {
      const upsert = postgresTarget.create(config({
        table: `${db.schema}.open_item`, mode: 'upsert', keyColumns: ['id'], columns: { id: 'id', status: "='booked'", amount: 'amount' },
      }), setup);
      expect((await upsert.write(items({ id: 'A', amount: '1.00' }, { id: 'C', amount: '3.00' }), ctx())).map((o) => o.ok)).toEqual([true, true]);
      const insert = postgresTarget.create(config({
        table: `${db.schema}.open_item`, mode: 'insert', columns: { id: 'id', amount: '=$decAdd(amount, $undefinedFn())' },
      }), setup);
      const [bad] = await insert.write(items({ id: 'D', amount: '1' }), ctx());
      expect(bad.ok).toBe(false);
      expect((bad as Extract<TargetOutcome, { ok: false }>).error.message).toMatch(/^column amount \(=\$decAdd\(amount, \$undefinedFn\(\)\)\): /);
      expect(await rows()).toEqual([
        { id: 'A', status: 'booked', amount: '1' },
        { id: 'B', status: 'open', amount: '20' },
        { id: 'C', status: 'booked', amount: '3' },
      ]);
    });
  });
}
