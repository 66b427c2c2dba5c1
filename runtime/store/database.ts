/**
 * The one handle on the database: everything above runtime/store reaches it
 * through a `Database` opened by `openDatabase` (open-store.ts) and handed on
 * explicitly. Its members are the repositories, each a small interface over
 * the same connection; new ones are added as new members.
 */
import type { Db } from './db.ts';
import { sqlClientOf } from './db.ts';
import type { DatabaseUsage } from './pglite-process.ts';
import type { Store } from './store.ts';
import { createSqlStore } from './sql-store.ts';
import { createServiceRepos, type ServiceRepos } from './service-repos.ts';
import { opsRepo, type OpsRepo } from './ops-repo.ts';
import { jobsRepo, type JobsRepo } from './jobs-repo.ts';
import type { TargetDatabases } from './target-databases.ts';

/** The embedded database as the queue reaches it: one connection, statements in order. */
export interface PGliteLike {
  /** One statement, with parameters. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Any number of statements, no parameters; one result each. */
  exec(text: string): Promise<{ rows: Record<string, unknown>[] }[]>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/** Where the database is, for pg-boss and for connections that must not reach it. */
export interface DatabaseConnection {
  kind: 'pglite' | 'postgres';
  /** The embedded database (PGlite). */
  pglite?: PGliteLike;
  /** The server (Postgres). */
  connectionString?: string;
  /** The Postgres schema of the store, when not the default. */
  schema?: string;
  /** Peak memory and CPU time of the embedded database's own process (PGlite). */
  usage?: () => Promise<DatabaseUsage>;
}

export interface Database {
  /** Flows, versions, runs, traces, dead letters, the ledger, reference data: what the engine and workers use. */
  readonly store: Store;
  /** Users, tokens, audit, connections, deployments, triggers, samples: what the server adds. */
  readonly service: ServiceRepos;
  /** Read-only figures across runs for operators (counts, timelines, health). */
  readonly ops: OpsRepo;
  /** The queue's own statements (queued runs, signatures, stopped runs). */
  readonly jobs: JobsRepo;
  /**
   * The connection itself, for transactions that span repositories (a run,
   * its chunks and its pg-boss job commit together): repositories are made
   * over a transaction with their factories (e.g. `jobsRepo(tx)`).
   */
  readonly db: Db;
  readonly connection: DatabaseConnection;
  /** The embedded target databases beside this one (flows' `{ embedded: true }` connections). */
  readonly targets: TargetDatabases;
  migrate(): Promise<void>;
  /** Closes the target databases, then the database. */
  close(): Promise<void>;
}

/** The Database over an open `db`; closing it closes `targets` first. */
export function createDatabase(db: Db, connection: DatabaseConnection, targets: TargetDatabases): Database {
  const store = createSqlStore(db, { schema: connection.schema });
  const closeDb = store.close;
  const close = async () => {
    await targets.close();
    await closeDb();
  };
  // A store handed on alone (engine, scheduler) still closes everything.
  store.close = close;
  return {
    store,
    service: createServiceRepos(sqlClientOf(db)),
    ops: opsRepo(sqlClientOf(db)),
    jobs: jobsRepo(db),
    db, connection, targets,
    migrate: () => store.migrate(),
    close,
  };
}
