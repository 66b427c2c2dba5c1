/**
 * pg-boss (10, the last line that supports Node 20) on the store's own
 * database: over the PGlite instance in one process (a small adapter that
 * sends statements with parameters to `query()` and scripts to `exec()`), or
 * its own small pool on a Postgres server, in a schema of its own beside the
 * store's tables.
 */
import PgBoss from 'pg-boss';
import type { Db } from '../store/db.ts';
import type { Database, DatabaseConnection, PGliteLike } from '../store/database.ts';
import { bossTables, type RunJob } from '../store/jobs-repo.ts';
import { checkSchemaName } from '../store/schema-name.ts';
import { QUEUE_NAMES, jobOptions, type QueueTuning } from './queue-options.ts';

export type { PgBoss };
export type BossDb = PgBoss.Db;
export type QueueJob<T> = PgBoss.JobWithMetadata<T>;

/** The version of pg-boss's tables that pg-boss 10 makes and reads. */
const BOSS_SCHEMA_VERSION = 24;

export interface BossOptions {
  tuning: QueueTuning;
  /** pg-boss's schema; default `pgboss`, or `<store schema>_jobs` for a store in its own schema. */
  schema?: string;
  /** Run pg-boss maintenance (expiry of lapsed leases, archiving) in this process; default true. */
  supervise?: boolean;
  /** Connections in pg-boss's pool on Postgres; default 4. */
  poolSize?: number;
  onError?: (err: Error) => void;
}

const schemas = new WeakMap<PgBoss, string>();

/** The schema pg-boss uses for this database. */
export function bossSchemaFor(database: { connection: Pick<DatabaseConnection, 'schema'> }, explicit?: string): string {
  if (explicit) return checkSchemaName(explicit);
  const { schema } = database.connection;
  return checkSchemaName(schema ? `${schema}_jobs`.slice(0, 63) : 'pgboss');
}

/** The schema of a pg-boss started by `openBoss`. */
export function schemaOfBoss(boss: PgBoss): string {
  const schema = schemas.get(boss);
  if (!schema) throw new Error('This pg-boss was not started with openBoss().');
  return schema;
}

/** Starts pg-boss on `database` (installing or migrating its schema) and makes sure the queues exist. */
export async function openBoss(database: Pick<Database, 'connection'>, options: BossOptions): Promise<PgBoss> {
  const backend = database.connection;
  const t = options.tuning;
  const schema = bossSchemaFor(database, options.schema);
  const common = {
    schema,
    supervise: options.supervise ?? true,
    schedule: false,
    maintenanceIntervalSeconds: t.superviseIntervalSeconds,
  };
  const boss = backend.pglite
    ? new PgBoss({ ...common, db: pgliteBossDb(backend.pglite) })
    : new PgBoss({ ...common, connectionString: backend.connectionString, max: options.poolSize ?? 4, application_name: 'ledgerflow-queue' });
  schemas.set(boss, schema);
  boss.on('error', (err) => options.onError?.(err));
  await boss.start();
  try {
    await refuseNewerSchema(boss.getDb(), schema);
    await ensureQueues(boss, t);
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw err;
  }
  return boss;
}

/**
 * pg-boss does not go back a version: tables made by a newer pg-boss (12 makes
 * version 43) would half work. Say so instead, with what to do (README,
 * "Supported Node versions").
 */
async function refuseNewerSchema(db: BossDb, schema: string): Promise<void> {
  const version = await bossTables(db, schema).schemaVersion();
  if (version !== null && version > BOSS_SCHEMA_VERSION) {
    throw new Error(`The job queue's tables (schema ${schema}) were made by a newer pg-boss (table version ${version}; this Ledgerflow reads ${BOSS_SCHEMA_VERSION}). `
      + `When no run is queued or running, stop every Ledgerflow process, drop them (drop schema ${schema} cascade) and start again: runs, traces and flows are kept in other tables.`);
  }
}

async function ensureQueues(boss: PgBoss, t: QueueTuning): Promise<void> {
  for (const name of [QUEUE_NAMES.splitFailed, QUEUE_NAMES.chunkFailed]) {
    await boss.createQueue(name, { name, retryLimit: 3 });
  }
  for (const kind of ['split', 'chunk'] as const) {
    const name = QUEUE_NAMES[kind];
    await boss.createQueue(name, { name, ...jobOptions(t, kind) });
  }
}

/**
 * pg-boss's database interface over PGlite: a statement with parameters goes
 * to `query()` (one prepared statement); pg-boss's scripts (schema, maintenance:
 * several statements in a transaction) go to `exec()`, which answers with the
 * last statement's rows.
 */
function pgliteBossDb(pglite: PGliteLike): BossDb {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      if (values?.length) return { rows: (await pglite.query(text, values)).rows };
      try {
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      } catch (err) {
        // A failed script leaves its transaction open and aborted on the one connection: end it.
        if (/\bbegin\b/i.test(text)) await pglite.exec('rollback').catch(() => {});
        throw err;
      }
    },
  };
}

/** pg-boss's database interface over one of our Db transactions, so a job commits (or not) with our rows. */
export function bossDbOf(db: Db): BossDb {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({ rows: (await db.query(text, values)).rows }),
  };
}

export type { RunJob };

/** The jobs of one run in a queue, finished ones (archived or not) included. */
export function findRunJobs(boss: PgBoss, name: string, runId: string): Promise<RunJob[]> {
  return bossTables(boss.getDb(), schemaOfBoss(boss)).runJobs(name, runId);
}
