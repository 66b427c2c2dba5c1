/**
 * pg-boss on the store's own database: over the PGlite instance in one process
 * (its `fromPglite` adapter), or its own small pool on a Postgres server, in a
 * schema of its own beside the store's tables.
 */
import { PgBoss, fromPglite, type Db as BossDb } from 'pg-boss';
import type { Db } from '../store/db.ts';
import type { Store } from '../store/store.ts';
import { storeBackend } from '../store/queue-backend.ts';
import { checkSchemaName } from '../store/postgres-db.ts';
import { QUEUE_NAMES, jobOptions, type QueueTuning } from './queue-options.ts';

export type { PgBoss };

export interface BossOptions {
  tuning: QueueTuning;
  /** pg-boss's schema; default `pgboss`, or `<store schema>_jobs` for a store in its own schema. */
  schema?: string;
  /** Run pg-boss maintenance (expiry, heartbeats, retention) in this process; default true. */
  supervise?: boolean;
  /** Connections in pg-boss's pool on Postgres; default 4. */
  poolSize?: number;
  onError?: (err: Error) => void;
}

const NO_JOB = '00000000-0000-0000-0000-000000000000';

/** The schema pg-boss uses for this store. */
export function bossSchemaFor(store: Store, explicit?: string): string {
  if (explicit) return checkSchemaName(explicit);
  const backend = storeBackend(store);
  return checkSchemaName(backend.schema ? `${backend.schema}_jobs`.slice(0, 63) : 'pgboss');
}

/** Starts pg-boss for `store` (installing or migrating its schema) and makes sure the queues exist. */
export async function openBoss(store: Store, options: BossOptions): Promise<PgBoss> {
  const backend = storeBackend(store);
  const t = options.tuning;
  const common = {
    schema: bossSchemaFor(store, options.schema),
    supervise: options.supervise ?? true,
    schedule: false,
    superviseIntervalSeconds: t.superviseIntervalSeconds,
    monitorIntervalSeconds: t.superviseIntervalSeconds,
    // Workers wake as soon as a job is queued instead of waiting for their next poll.
    useListenNotify: true,
  };
  const boss = backend.pglite
    ? new PgBoss({ ...common, db: fromPglite(backend.pglite), backend: 'pglite' })
    : new PgBoss({ ...common, connectionString: backend.connectionString, max: options.poolSize ?? 4, application_name: 'ledgerflow-queue' });
  boss.on('error', (err) => options.onError?.(err));
  await boss.start();
  try {
    await ensureQueues(boss, t);
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw err;
  }
  return boss;
}

async function ensureQueues(boss: PgBoss, t: QueueTuning): Promise<void> {
  for (const name of [QUEUE_NAMES.splitFailed, QUEUE_NAMES.chunkFailed]) {
    await boss.createQueue(name, { retryLimit: 3, notify: true });
  }
  for (const kind of ['split', 'chunk'] as const) {
    const { deadLetter, heartbeatSeconds: _h, ...rest } = jobOptions(t, kind);
    await boss.createQueue(QUEUE_NAMES[kind], { ...rest, deadLetter, notify: true });
  }
  // Load pg-boss's queue cache now: a send inside an open PGlite transaction must
  // not have to read it (PGlite is one connection, so that read would wait for the
  // very transaction it is part of).
  for (const name of Object.values(QUEUE_NAMES)) await boss.findJobs(name, { id: NO_JOB });
}

/** pg-boss's database interface over one of our Db transactions, so a job commits (or not) with our rows. */
export function bossDbOf(db: Db): BossDb {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({ rows: (await db.query(text, values)).rows }),
  };
}
