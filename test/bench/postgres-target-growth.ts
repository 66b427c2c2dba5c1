/**
 * Cost of one 500-record batch of flow (c)'s EU ERP target (`target.postgres`
 * upsert into po_commitment, lines replaced in po_commitment_line, delivery
 * markers) as the target's tables grow: the node's own write path, in a fresh
 * database of its own, with the tables filled in steps (by SQL, the same
 * shape of rows) between measurements. Prints one JSON line per size: wall ms
 * and backend CPU ms per batch (medians of a few rounds), and ms per statement.
 * Postgres and, with MYSQL_URL, MySQL/MariaDB.
 *
 *   TEST_DATABASE_URL=… [MYSQL_URL=mysql://root@127.0.0.1:3306] node --import tsx test/bench/postgres-target-growth.ts [sizes = 0,100000,300000] [batches = 10]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { DeliveryClaim, SqlClient, TargetItem } from '../../nodes/define-node.ts';
import { postgresTarget, type PostgresTargetConfig } from '../../nodes/target/postgres.ts';
import { createPgSqlClient } from '../../runtime/connectors/postgres.ts';
import { createMySqlClient } from '../../runtime/connectors/mysql.ts';
import { splitSqlStatements } from '../../nodes/source/sql-statements.ts';
import { processCpuSeconds } from './process-cpu.ts';
import { connections, setupContext, targetContext } from '../nodes/target/target-test-context.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const url = process.env.TEST_DATABASE_URL;
if (!url) {
  console.error('Set TEST_DATABASE_URL to a Postgres server the benchmark may create a database on.');
  process.exit(64);
}
const sizes = (process.argv[2] ?? '0,100000,300000').split(',').map(Number);
const batches = Number(process.argv[3] ?? 10);
const BATCH = 500;
const LINES = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const flow = JSON.parse(readFileSync(join(ROOT, 'flows/po-approved-to-erp/flow.json'), 'utf8'));
const config = flow.nodes.find((n: { id: string }) => n.id === 'erp-eu').config as PostgresTargetConfig;

/** A commitment as the flow's mapping hands it to the target. */
function record(n: number): TargetItem {
  const id = `PO-2026-${String(n).padStart(7, '0')}`;
  return {
    key: id,
    data: {
      commitmentId: id, legalEntity: 'DE01', vendorId: 'V-1001', vendorName: 'ACME GMBH', documentDate: '2026-11-02',
      deliveryDate: '2026-11-20', currency: 'EUR', totalAmount: '1250.00', totalAmountEur: '1250.00', approvedBy: 'M.SCHULZ',
      sourceEventId: `evt-${n}`,
      lines: Array.from({ length: LINES }, (_, l) => ({
        line: l + 1, item: 'IT-LAPTOP-14', text: 'Laptop 14" business', quantity: 1, unitPrice: '250.00', amount: '250.00', costCentre: 'CC-1000', glAccount: '6300',
      })),
    },
  };
}

/** Milliseconds per statement (by its first words), summed over the measured batches. */
function timed(sql: SqlClient, spent: Map<string, number>): SqlClient {
  const label = (text: string) => text.replace(/\s+/g, ' ').trim().split(' ').slice(0, 3).join(' ');
  return {
    dialect: sql.dialect,
    async query(text, params) {
      const t0 = performance.now();
      try {
        return await sql.query(text, params);
      } finally {
        spent.set(label(text), (spent.get(label(text)) ?? 0) + performance.now() - t0);
      }
    },
    transaction: (fn) => sql.transaction((tx) => fn(timed(tx, spent))),
  } as SqlClient;
}

interface Target {
  name: string;
  sql: SqlClient;
  backendCpu(): number;
  /** Fills the tables up to `rows` commitments (with their lines and markers), numbered from 1. */
  fill(from: number, to: number, scope: string): Promise<void>;
  close(): Promise<void>;
}

async function postgresTargetDb(): Promise<Target> {
  const admin = createPgSqlClient(url!, { max: 1 });
  const database = `lf_target_growth_${process.pid}`;
  await admin.query(`create database ${database}`);
  const base = new URL(url!);
  base.pathname = `/${database}`;
  const sql = createPgSqlClient(base.toString(), { max: 1 });
  for (const statement of splitSqlStatements(readFileSync(join(ROOT, 'flows/po-approved-to-erp/setup.sql'), 'utf8'))) await sql.query(statement);
  const pid = (await sql.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
  return {
    name: 'postgres',
    sql,
    backendCpu: () => processCpuSeconds(pid) ?? Number.NaN,
    async fill(from, to, scope) {
      if (to < from) return;
      await sql.query(`insert into po_commitment (commitment_id, legal_entity, vendor_id, vendor_name, document_date, delivery_date, currency, total_amount, total_amount_eur, approved_by, source_event_id)
        select 'PO-2026-' || lpad(g::text, 7, '0'), 'DE01', 'V-1001', 'ACME GMBH', '2026-11-02', '2026-11-20', 'EUR', 1250, 1250, 'M.SCHULZ', 'evt-' || g
          from generate_series(${from}::int, ${to}::int) g`);
      await sql.query(`insert into po_commitment_line (commitment_id, line_no, item_code, item_text, quantity, unit_price, amount, cost_centre, gl_account)
        select 'PO-2026-' || lpad(g::text, 7, '0'), l, 'IT-LAPTOP-14', 'Laptop 14" business', 1, 250, 250, 'CC-1000', '6300'
          from generate_series(${from}::int, ${to}::int) g, generate_series(1, ${LINES}) l`);
      await sql.query(`insert into ledgerflow_delivery (scope, key, run_id, claim_token)
        select $1, 'PO-2026-' || lpad(g::text, 7, '0'), 'run-fill-' || (g / 100000), 'fill' from generate_series(${from}::int, ${to}::int) g`, [scope]);
    },
    async close() {
      await sql.close();
      await admin.query(`drop database ${database}`);
      await admin.close();
    },
  };
}

/** The MySQL/MariaDB server process (its threads serve every connection: CPU of the whole server). */
function serverPid(): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (/^(mariadbd|mysqld)$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) return Number(pid);
    } catch { /* gone */ }
  }
  return -1;
}

async function mysqlTargetDb(mysqlUrl: string): Promise<Target> {
  const database = `lf_target_growth_${process.pid}`;
  const admin = createMySqlClient(mysqlUrl, 'admin');
  await admin.query(`create database ${database}`);
  const sql = createMySqlClient(`${mysqlUrl.replace(/\/$/, '')}/${database}`, 'erp_eu');
  await sql.query(`create table po_commitment (commitment_id varchar(40) primary key, legal_entity varchar(10) not null, vendor_id varchar(20) not null,
    vendor_name varchar(100), document_date date not null, delivery_date date, currency char(3) not null, total_amount decimal(18,2) not null,
    total_amount_eur decimal(18,2) not null, approved_by varchar(40), source_event_id varchar(40) not null, booked_at timestamp(6) not null default current_timestamp(6))`);
  await sql.query(`create table po_commitment_line (commitment_id varchar(40) not null, line_no int not null, item_code varchar(40), item_text varchar(100),
    quantity decimal(18,4) not null, unit_price decimal(18,4) not null, amount decimal(18,2) not null, cost_centre varchar(20) not null, gl_account varchar(20) not null,
    primary key (commitment_id, line_no), foreign key (commitment_id) references po_commitment (commitment_id) on delete cascade)`);
  const pid = serverPid();
  const seq = (from: number, to: number) => `with recursive g(n) as (select ${from} union all select n + 1 from g where n < ${to}) select n from g`;
  return {
    name: 'mysql',
    sql,
    backendCpu: () => processCpuSeconds(pid) ?? Number.NaN,
    async fill(from, to, scope) {
      if (to < from) return;
      await sql.query('set session cte_max_recursion_depth = 10000000').catch(() => sql.query('set session max_recursive_iterations = 10000000'));
      await sql.query(`insert into po_commitment (commitment_id, legal_entity, vendor_id, vendor_name, document_date, delivery_date, currency, total_amount, total_amount_eur, approved_by, source_event_id)
        select concat('PO-2026-', lpad(n, 7, '0')), 'DE01', 'V-1001', 'ACME GMBH', '2026-11-02', '2026-11-20', 'EUR', 1250, 1250, 'M.SCHULZ', concat('evt-', n) from (${seq(from, to)}) s`);
      await sql.query(`insert into po_commitment_line (commitment_id, line_no, item_code, item_text, quantity, unit_price, amount, cost_centre, gl_account)
        select concat('PO-2026-', lpad(n, 7, '0')), l.l, 'IT-LAPTOP-14', 'Laptop', 1, 250, 250, 'CC-1000', '6300'
          from (${seq(from, to)}) s cross join (select 1 as l union all select 2 union all select 3 union all select 4 union all select 5) l`);
      await sql.query(`insert into ledgerflow_delivery (scope, \`key\`, run_id, claim_token)
        select $1, concat('PO-2026-', lpad(n, 7, '0')), concat('run-fill-', n div 100000), 'fill' from (${seq(from, to)}) s`, [scope]);
    },
    async close() {
      await admin.query(`drop database ${database}`);
      await (sql as { close?: () => Promise<void> }).close?.();
      await (admin as { close?: () => Promise<void> }).close?.();
    },
  };
}

async function measure(target: Target) {
  const node = postgresTarget.create(config, setupContext('erp-eu'));
  const spent = new Map<string, number>();
  const ctx = targetContext({ connections: connections({ erp_eu: timed(target.sql, spent) }) });
  const scope = 'bench/erp_eu/table:po_commitment';
  let next = 1;
  let filled = 0;
  // The marker table exists from the first write on: one batch before the first size.
  await node.write([record(9_000_000)], ctx, { scope, runId: 'warm', claimToken: 'warm' });
  for (const size of sizes) {
    await target.fill(filled + 1, size, scope);
    filled = Math.max(filled, size);
    next = filled + 1;
    spent.clear();
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let b = 0; b < batches; b++) {
      const items = Array.from({ length: BATCH }, (_, i) => record(next + i));
      next += BATCH;
      const claim: DeliveryClaim = { scope, runId: `run-${size}`, claimToken: `claim-${size}-${b}` };
      const cpu0 = target.backendCpu();
      const t0 = performance.now();
      const outcomes = await node.write(items, ctx, claim);
      wall.push(performance.now() - t0);
      cpu.push((target.backendCpu() - cpu0) * 1000);
      if (outcomes.some((o) => !o.ok)) throw new Error(`batch failed: ${JSON.stringify(outcomes.find((o) => !o.ok))}`);
    }
    const countT0 = performance.now();
    const counted = await node.countDelivered!({ scope, runId: `run-${size}` }, ctx);
    const countMs = performance.now() - countT0;
    filled = next - 1;
    const perStatement = Object.fromEntries([...spent].map(([k, v]) => [k, Math.round((v / batches) * 10) / 10]));
    console.log(JSON.stringify({
      target: target.name, commitments: size, batchMs: Math.round(median(wall)), backendCpuMsPerBatch: Math.round(median(cpu)),
      msPerBatchByStatement: perStatement, countDeliveredMs: Math.round(countMs), counted, load: loadavg()[0].toFixed(2),
    }));
  }
}

for (const open of [postgresTargetDb, ...(process.env.MYSQL_URL ? [() => mysqlTargetDb(process.env.MYSQL_URL!)] : [])]) {
  const target = await open();
  try {
    await measure(target);
  } finally {
    await target.close();
  }
}
