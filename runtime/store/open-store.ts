/**
 * Opening the store: embedded PGlite in a data folder, or a Postgres server.
 * The composition root decides which (from DATABASE_URL / LEDGERFLOW_DATA);
 * nothing here reads the environment.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from './store.ts';
import { createDatabase, type Database } from './database.ts';
import { createPgliteProcessDb, pgliteLikeOf, startPgliteProcess, type PgliteProcess } from './pglite-process.ts';
import { lockDataFolder, type DataFolderLock } from './data-folder-lock.ts';
import type { Db } from './db.ts';
import { createPostgresDb } from './postgres-db.ts';
import { checkSchemaName } from './schema-name.ts';
import { pgliteTargetDatabases, postgresTargetDatabases } from './target-databases.ts';

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
 *
 * `wal_init_zero=off`: a new 16 MB WAL segment is made by writing its last byte instead of
 * writing it full of zeros first. The embedded database has no checkpointer, so until its WAL
 * reaches `max_wal_size` every segment is a new one, and PGlite's file system writes the zeros
 * 8 KB at a time through JavaScript: about as many bytes again as the WAL itself. Durability is
 * the same — a commit still returns only once its WAL is written, and recovery reads a segment's
 * unwritten end as the end of the WAL either way (zeros, or a recycled segment's old pages).
 * Measured A/B in one process (pass-through with traces, 10,000 events, database CPU µs a record,
 * medians of 8 and 9): 79.3 → 74.6 and 71.2 → 68.9.
 */
const EMBEDDED_SETTINGS = ['shared_buffers=32MB', 'wal_init_zero=off'];

/**
 * The embedded store, its database in a process of its own. A data folder has
 * one owner at a time (see data-folder-lock.ts): opening one that another live
 * process holds throws DataFolderInUseError naming it.
 */
export async function openPgliteDatabase(options: PgliteStoreOptions = {}): Promise<Database> {
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
  const targets = pgliteTargetDatabases(options.connectionsDir ?? (options.dataDir ? join(dirname(options.dataDir), 'connections') : undefined));
  return migrated(createDatabase(db, { kind: 'pglite', pglite: pgliteLikeOf(database), usage: () => database.usage() }, targets), options.migrate);
}

/** Applies pending migrations unless told not to; closes the database when they fail. */
async function migrated(database: Database, migrate: boolean | undefined): Promise<Database> {
  if (migrate !== false) {
    try {
      await database.migrate();
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return database;
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
export async function openPostgresDatabase(options: PostgresStoreOptions): Promise<Database> {
  const schema = options.schema ? checkSchemaName(options.schema) : undefined;
  const db = createPostgresDb({ connectionString: options.connectionString, schema, max: options.poolSize });
  const targets = postgresTargetDatabases(options.connectionString, schema);
  return migrated(createDatabase(db, { kind: 'postgres', connectionString: options.connectionString, schema }, targets), options.migrate);
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
export function openDatabase(options: OpenStoreOptions): Promise<Database> {
  if (options.databaseUrl) {
    return openPostgresDatabase({ connectionString: options.databaseUrl, schema: options.schema, migrate: options.migrate });
  }
  return openPgliteDatabase({ dataDir: options.dataDir, migrate: options.migrate });
}

/** The store alone, for what needs no other repository (its `close()` closes the whole database). */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  return (await openDatabase(options)).store;
}

export async function openPgliteStore(options: PgliteStoreOptions = {}): Promise<Store> {
  return (await openPgliteDatabase(options)).store;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  return (await openPostgresDatabase(options)).store;
}
