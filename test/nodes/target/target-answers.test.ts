/**
 * What each target answers for a record it wrote (passed on by its `out` port as `response`):
 * target.postgres the row's key and its `returning` columns read back by the key (on PGlite, and
 * on Postgres when TEST_DATABASE_URL is set; MariaDB in test/runtime/connectors/mysql.test.ts),
 * target.sftp the file written. HTTP, file and broker answers are checked in their own tests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresTarget, type PostgresTargetConfig } from '../../../nodes/target/postgres.ts';
import { sftpTarget } from '../../../nodes/target/sftp.ts';
import { TARGET_OUT_PORT, type SftpSession } from '../../../nodes/define-node.ts';
import { catalog } from '../../../nodes/catalog.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { sqlBackends, type SqlBackend } from './sql-test-clients.ts';
import { connections, setupContext, targetContext } from './target-test-context.ts';

const evaluator = createReferenceEvaluator();
const setup = { nodeId: 'erp', evaluator, reference: createReferenceData({}), functions: standardFunctions(createReferenceData({})) };
const config = (over: Partial<PostgresTargetConfig>): PostgresTargetConfig => ({ ...postgresTarget.defaults, connection: 'erp', table: 'doc', mode: 'insert', ...over });

describe('every target declares the out port', () => {
  it('each target node type has exactly the out port, so the canvas draws it', () => {
    const targets = catalog.byCategory('target');
    expect(targets.map((d) => d.type).sort()).toEqual(['target.amqp', 'target.file', 'target.http', 'target.nats', 'target.postgres', 'target.sftp']);
    for (const decl of targets) expect(decl.outputs).toEqual([TARGET_OUT_PORT]);
  });

  it('returned columns need the key columns that find the row, and must be column names', () => {
    const problems = (over: Partial<PostgresTargetConfig>) => postgresTarget.check!(config(over), evaluator).map((p) => `${p.path} ${p.message}`);
    expect(problems({ columns: { po: 'po' }, returning: ['doc_no'] })).toEqual([
      '/keyColumns returned columns are read back by the key columns: name the columns that identify the written row',
    ]);
    expect(problems({ columns: { po: 'po' }, keyColumns: ['po'], returning: ['doc no'] }).map((p) => p.split(' ')[0])).toEqual(['/returning/0']);
    expect(problems({ columns: { po: 'po' }, keyColumns: ['po'], returning: ['doc_no'] })).toEqual([]);
  });
});

for (const backend of sqlBackends('lf_answers')) {
  describe(`target.postgres answers on ${backend.name}`, () => {
    let db: SqlBackend;
    const ctx = () => targetContext({ connections: connections({ erp: db.sql }) });
    const items = (...data: Record<string, unknown>[]) => data.map((d) => ({ key: `${d.po}/${d.line ?? ''}`, data: d }));

    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(() => db?.close());
    beforeEach(async () => {
      await db.exec(`drop table if exists ${db.schema}.doc; drop sequence if exists ${db.schema}.doc_seq;
        create sequence ${db.schema}.doc_seq start 7000;
        create table ${db.schema}.doc (po text not null, line int not null, amount numeric(12,2) not null, status text,
          doc_no bigint not null default nextval('${db.schema}.doc_seq'), posted_on date not null default date '2026-12-01', primary key (po, line))`);
    });

    it('insert: each record gets its own row\'s assigned number, matched by a composite key; a refused record gets none', async () => {
      const target = postgresTarget.create(config({
        table: `${db.schema}.doc`, keyColumns: ['po', 'line'], columns: { po: 'po', line: 'line', amount: 'amount' }, returning: ['doc_no', 'posted_on', 'amount'],
      }), setup);
      const outcomes = await target.write(items({ po: 'P1', line: 2, amount: '1.5' }, { po: 'P1', line: 1, amount: 'abc' }, { po: 'P2', line: 1, amount: '3' }), ctx());
      const { rows } = await db.sql.query<{ po: string; line: number; doc_no: unknown }>(`select po, line, doc_no from ${db.schema}.doc order by doc_no`);
      expect(rows.map((r) => `${r.po}|${r.line}`)).toEqual(['P1|2', 'P2|1']);
      const docNo = (key: string) => JSON.parse(JSON.stringify(rows.find((r) => `${r.po}|${r.line}` === key)!.doc_no));
      expect(outcomes[0]).toEqual({ ok: true, ref: 'P1|2', answer: { key: 'P1|2', row: { doc_no: docNo('P1|2'), posted_on: '2026-12-01', amount: '1.50' } } });
      expect(outcomes[1].ok).toBe(false);
      expect(outcomes[2]).toEqual({ ok: true, ref: 'P2|1', answer: { key: 'P2|1', row: { doc_no: docNo('P2|1'), posted_on: '2026-12-01', amount: '3.00' } } });
      expect(Number(docNo('P1|2'))).toBeGreaterThanOrEqual(7000);
    });

    it('update-only with a constant: the answer is the row as it is after the update', async () => {
      await db.exec(`insert into ${db.schema}.doc (po, line, amount, status) values ('P9', 1, 10, 'open')`);
      const target = postgresTarget.create(config({
        table: `${db.schema}.doc`, mode: 'update', keyColumns: ['po', 'line'], columns: { po: 'po', line: 'line', status: "='approved'" }, returning: ['status', 'amount'],
      }), setup);
      const [outcome] = await target.write(items({ po: 'P9', line: 1 }), ctx());
      expect(outcome).toEqual({ ok: true, ref: 'P9|1', answer: { key: 'P9|1', row: { status: 'approved', amount: '10.00' } } });
    });

    it('without returned columns the answer is the key alone', async () => {
      const target = postgresTarget.create(config({ table: `${db.schema}.doc`, keyColumns: ['po', 'line'], columns: { po: 'po', line: 'line', amount: 'amount' } }), setup);
      expect(await target.write(items({ po: 'P3', line: 1, amount: '1' }), ctx())).toEqual([{ ok: true, ref: 'P3|1', answer: { key: 'P3|1' } }]);
    });
  });
}

describe('target.sftp answer', () => {
  it('is the path of the file written on the server', async () => {
    const written: string[] = [];
    const session: SftpSession = {
      list: async () => [], read: async function* () {}, rename: async () => {}, ensureDir: async () => {}, close: async () => {},
      writeAtomically: async (path) => {
        written.push(path);
      },
    };
    const target = sftpTarget.create({ ...sftpTarget.defaults, connection: 'bank', directory: 'outbox', fileName: 'po-{{po}}.json', format: 'json' }, setupContext('upload'));
    const ctx = targetContext({ connections: { ...connections(), sftp: () => ({ open: async () => session }) } });
    expect(await target.write([{ key: 'k1', data: { po: 'P1' } }], ctx)).toEqual([{ ok: true, ref: 'outbox/po-P1.json', answer: { file: 'outbox/po-P1.json' } }]);
    expect(written).toEqual(['outbox/po-P1.json']);
  });
});
