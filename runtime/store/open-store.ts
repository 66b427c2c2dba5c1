/**
 * Opening the store: embedded PGlite in a data folder, or a Postgres server.
 * The composition root decides which (from DATABASE_URL / LEDGERFLOW_DATA);
 * nothing here reads the environment.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from './store.ts';
import { createSqlStore } from './sql-store.ts';
import { createPgliteProcessDb, pgliteLikeOf, startPgliteProcess, type PgliteProcess } from './pglite-process.ts';
import { lockDataFolder, type DataFolderLock } from './data-folder-lock.ts';
import type { Db } from './db.ts';
import { createPostgresDb, checkSchemaName } from './postgres-db.ts';
import { registerStoreBackend } from './queue-backend.ts';
import { pgliteTargetDatabases, postgresTargetDatabases, type TargetDatabases } from './target-databases.ts';

export interface PgliteStoreOptions {
  /** Data folder; created when missing. Undefined: in memory (tests only; it slows down as tables grow). */
  dataDir?: string;
  /** Apply pending migrations on open; default true. */
  migrate?: boolean;
  /** Folder of the embedded target databases; default `connections/` beside `dataDir` (in memory without one). */
  connectionsDir?: string;
}

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema to use (search_path), created when missing; e.g. one per test file. */
  schema?: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** Apply pending migrations on open; default true. */
  migrate?: boolean;
}

/**
 * Postgres settings of the embedded database. Shared buffers live in the WebAssembly heap,
 * which never shrinks; the data files are in the OS page cache anyway. Measured on flow (c),
 * 100,000 events: the database process at 291 MB with 32 MB of buffers against 392 MB with
 * Postgres's default 128 MB, at the same speed (3,209 and 3,255 records/s).
 */
const EMBEDDED_SETTINGS = ['shared_buffers=32MB'];

/** Closing the store closes the target databases opened beside it first. */
function closeTargetsWith(store: Store, targets: TargetDatabases): void {
  const closeStore = store.close;
  store.close = async () => {
    await targets.close();
    await closeStore();
  };
}

/**
 * The embedded store, its database in a process of its own. A data folder has
 * one owner at a time (see data-folder-lock.ts): opening one that another live
 * process holds throws DataFolderInUseError naming it.
 */
export async function openPgliteStore(options: PgliteStoreOptions = {}): Promise<Store> {
  let lock: DataFolderLock | undefined;
  let database: PgliteProcess;
  try {
    if (options.dataDir) {
      await mkdir(options.dataDir, { recursive: true });
      lock = await lockDataFolder(options.dataDir);
      // Creating a data folder (initdb) grows the database's memory to ~850 MB, and WebAssembly
      // memory never shrinks: create it in a process of its own, then open it afresh (~350 MB).
      if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await (await startPgliteProcess(options.dataDir, {}, lock)).close();
    }
    database = await startPgliteProcess(options.dataDir, { postgresqlconf: EMBEDDED_SETTINGS }, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
  const db = withLockReleasedOnClose(createPgliteProcessDb(database), lock);
  const store = createSqlStore(db);
  const targets = pgliteTargetDatabases(options.connectionsDir ?? (options.dataDir ? join(dirname(options.dataDir), 'connections') : undefined));
  closeTargetsWith(store, targets);
  registerStoreBackend(store, { db, pglite: pgliteLikeOf(database), databaseUsage: () => database.usage(), targets });
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

function withLockReleasedOnClose(db: Db, lock: DataFolderLock | undefined): Db {
  if (!lock) return db;
  return {
    ...db,
    close: async () => {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}

/** The store on a Postgres server, shared by every process that points at it. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema ? checkSchemaName(options.schema) : undefined;
  const db = createPostgresDb({ connectionString: options.connectionString, schema, max: options.poolSize });
  const store = createSqlStore(db, { schema });
  const targets = postgresTargetDatabases(options.connectionString, schema);
  closeTargetsWith(store, targets);
  registerStoreBackend(store, { db, connectionString: options.connectionString, schema, targets });
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

export interface OpenStoreOptions {
  /** A postgres:// URL (DATABASE_URL): use that server. */
  databaseUrl?: string;
  /** Schema on that server. */
  schema?: string;
  /** Data folder of the embedded store (LEDGERFLOW_DATA), used when there is no URL. */
  dataDir?: string;
  migrate?: boolean;
}

/** Postgres when a URL is given, otherwise PGlite in `dataDir` (in memory if that is undefined too). */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    return openPostgresStore({ connectionString: options.databaseUrl, schema: options.schema, migrate: options.migrate });
  }
  return openPgliteStore({ dataDir: options.dataDir, migrate: options.migrate });
}
