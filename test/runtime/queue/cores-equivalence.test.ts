/**
 * `ledgerflow worker --cores 2` gives a run the same results and traces as
 * `--cores 1`, on a real Postgres (TEST_DATABASE_URL; skipped otherwise): the
 * PO example (flow c: mapping, validation, routing, an ERP database and an
 * HTTP API) reads the same events, some of them invalid, once per variant
 * into stores and target databases of their own; the run's figures, every
 * record's trace and dead letter, and the rows in the ERP database must be
 * equal. Chunks are 250 records, so both processes take some.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../../runtime/app/bootstrap.ts';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { dropPostgresTargetDatabases, targetDatabase } from '../../../runtime/store/target-databases.ts';
import { startErpReceiver } from '../../bench/erp-receiver.ts';
import { generatePoEvents } from '../../bench/po-events.ts';
import { dropSchemas, freshSchemaName, waitForRun } from './queue-fixtures.ts';
import { REPO, chunksByWorker, spawnWorker } from './scale-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;
const RECORDS = 3000;

/** The events: every 40th has a legal entity nobody set up (quarantined by the master data checks). */
function input(): Uint8Array {
  let text = '';
  let i = 0;
  for (const e of generatePoEvents(RECORDS, 7)) {
    if (++i % 40 === 0) e.purchaseOrder.legalEntity = 'XX99';
    text += `${JSON.stringify(e)}\n`;
  }
  return new TextEncoder().encode(text);
}

interface Variant {
  schema: string;
  database: Database;
  boss: PgBoss;
}

describe.skipIf(!url)('ledgerflow worker --cores 2 against --cores 1', () => {
  let receiver: Awaited<ReturnType<typeof startErpReceiver>>;
  let flows: string;
  const variants: Variant[] = [];

  beforeAll(async () => {
    receiver = await startErpReceiver();
    flows = await mkdtemp(join(tmpdir(), 'lf-cores-eq-'));
    await cp(join(REPO, 'flows/po-approved-to-erp'), join(flows, 'po-approved-to-erp'), { recursive: true });
    for (let i = 0; i < 2; i++) {
      const schema = freshSchemaName('lf_coreq');
      const database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 2 });
      // Pushed before anything else can fail, so afterAll drops what was made.
      variants.push({ schema, database, boss: undefined as unknown as PgBoss });
      await loadExamples(database, { evaluators: createEvaluatorRegistry(), dir: flows, environment: 'test' });
      await connectionsRepo(database.store.sql).putConnection({
        environment: 'test', name: 'erp_us', kind: 'http', settings: { baseUrl: `http://127.0.0.1:${receiver.port}`, headers: {} }, encryptedSecrets: {}, updatedBy: 'test',
      });
      variants[i].boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
    }
  }, 120_000);

  afterAll(async () => {
    for (const v of variants) {
      await v.boss?.stop({ graceful: false });
      await v.database.close();
      await dropSchemas(url!, [v.schema, `${v.schema}_jobs`]);
      await dropPostgresTargetDatabases(url!, v.schema);
    }
    await receiver?.close();
    if (flows) await rm(flows, { recursive: true, force: true });
  }, 60_000);

  async function runWith(v: Variant, cores: number) {
    const worker = await spawnWorker(url!, v.schema, ['--cores', String(cores), '--chunk-size', '250']);
    try {
      const queued = await createRunLauncher({ database: v.database, boss: v.boss }).enqueue({
        flowId: 'po-approved-to-erp', version: 1, environment: 'test', trigger: 'manual',
        input: { kind: 'document', name: 'po-events.jsonl', bytes: input() }, requestedBy: 'test',
      });
      const run = await waitForRun(v.database.store, queued.id, 300_000);
      const sql = v.database.store.sql;
      // What a record's trace says, without what names the run or the moment (ids, times) or the
      // id the US ERP handed out (given in arrival order).
      const traces = await sql.query(
        `select lineage_key, source_key, business_key, item_key, path, outcome, end_node, target_node, idempotency_key, target_status, error_class,
                error::text as error, failures::text as failures, input::text as input, output::text as output, amount::text as amount, currency,
                event_time, target_ref is not null as has_target_ref
           from record_traces where run_id = $1 order by lineage_key, item_key nulls first, end_node, target_node`, [run.id]);
      const deadLetters = await sql.query(
        `select lineage_key, source_key, business_key, node_id, disposition, error_class, error, source_record
           from dead_letters where run_id = $1 order by lineage_key, node_id`, [run.id]);
      const erp = await targetDatabase(v.database, 'erp_eu').query(
        `select c.*, (select json_agg(l order by l.line_no) from po_commitment_line l where l.commitment_id = c.commitment_id) as lines
           from po_commitment c order by commitment_id`);
      const chunks = await chunksByWorker(v.database.store, run.id);
      return {
        run: { status: run.status, counts: run.counts, reconciliation: run.reconciliation, error: run.error },
        traces: traces.rows, deadLetters: deadLetters.rows,
        erp: erp.rows.map(({ booked_at: _, ...row }) => row),
        processes: chunks.size,
      };
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }

  it('gives the same run figures, traces, dead letters and ERP rows', async () => {
    const one = await runWith(variants[0], 1);
    const two = await runWith(variants[1], 2);
    expect(one.run.status).toBe('completed_with_exceptions');
    expect(one.run.counts.read).toBe(RECORDS);
    expect(one.run.counts.quarantined).toBe(RECORDS / 40);
    expect(one.traces).toHaveLength(RECORDS);
    expect(two.processes).toBe(2);
    expect(two.run).toEqual(one.run);
    expect(two.deadLetters).toEqual(one.deadLetters);
    expect(two.erp).toEqual(one.erp);
    expect(two.traces).toEqual(one.traces);
  }, 600_000);
});
