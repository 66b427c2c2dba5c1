/**
 * What the durable queue needs from behind a Store: its Db (to write the run
 * row, its chunks and its pg-boss job in one transaction) and how to reach the
 * same database for pg-boss (the PGlite instance, or the Postgres URL).
 * Recorded by `openStore`; the Store interface itself stays as it is.
 */
import type { Db } from './db.ts';
import type { DatabaseUsage } from './pglite-process.ts';
import type { Store } from './store.ts';
import type { TargetDatabases } from './target-databases.ts';

/** The embedded database as the queue reaches it: one connection, statements in order. */
export interface PGliteLike {
  /** One statement, with parameters. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Any number of statements, no parameters; one result each. */
  exec(text: string): Promise<{ rows: Record<string, unknown>[] }[]>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface StoreBackend {
  db: Db;
  /** The embedded database (PGlite stores). */
  pglite?: PGliteLike;
  /** The server (Postgres stores). */
  connectionString?: string;
  /** The store's Postgres schema, when not the default. */
  schema?: string;
  /** Peak memory and CPU time of the embedded database's own process (PGlite stores). */
  databaseUsage?: () => Promise<DatabaseUsage>;
  /** The embedded target databases beside this store (flows' `{ embedded: true }` connections). */
  targets?: TargetDatabases;
}

const backends = new WeakMap<Store, StoreBackend>();

export function registerStoreBackend(store: Store, backend: StoreBackend): void {
  backends.set(store, backend);
}

/** The backend of a store opened by `openStore`, or undefined for any other store. */
export function findStoreBackend(store: Store): StoreBackend | undefined {
  return backends.get(store);
}

/** The backend of a store opened by `openStore`; throws for any other store. */
export function storeBackend(store: Store): StoreBackend {
  const backend = backends.get(store);
  if (!backend) throw new Error('This store was not opened with openStore(), so the job queue cannot reach its database.');
  return backend;
}
