/**
 * Store factories for every backend a store test should run against:
 * PGlite in memory, PGlite in a temp folder, and Postgres (a fresh schema per
 * store, dropped on cleanup) when TEST_DATABASE_URL is set.
 *
 *   for (const backend of storeBackends()) describe(backend.name, () => { … });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../../../runtime/store/store.ts';
import { openPgliteStore, openPostgresStore } from '../../../runtime/store/open-store.ts';

export interface StoreBackend {
  name: 'pglite-memory' | 'pglite-disk' | 'postgres';
  /** A new, empty, migrated store. */
  open(): Promise<Store>;
  /**
   * Another store on the same database as `store` (Postgres: its own pool, so
   * calls really run concurrently; PGlite: one process has one connection, so
   * the same store).
   */
  openSibling(store: Store): Promise<Store>;
  /** Closes every store opened and removes folders/schemas. */
  cleanup(): Promise<void>;
}

let counter = 0;

function pgliteMemory(): StoreBackend {
  const opened: Store[] = [];
  return {
    name: 'pglite-memory',
    async open() {
      const store = await openPgliteStore({});
      opened.push(store);
      return store;
    },
    async openSibling(store) { return store; },
    async cleanup() {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
    },
  };
}

function pgliteDisk(): StoreBackend {
  const opened: Store[] = [];
  const dirs: string[] = [];
  return {
    name: 'pglite-disk',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'ledgerflow-store-'));
      dirs.push(dir);
      const store = await openPgliteStore({ dataDir: dir });
      opened.push(store);
      return store;
    },
    async openSibling(store) { return store; },
    async cleanup() {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

function postgres(url: string): StoreBackend {
  const opened: Store[] = [];
  const schemas = new Map<Store, string>();
  return {
    name: 'postgres',
    async open() {
      const schema = `lf_test_${process.pid}_${Date.now().toString(36)}_${++counter}`;
      const store = await openPostgresStore({ connectionString: url, schema, poolSize: 4 });
      opened.push(store);
      schemas.set(store, schema);
      return store;
    },
    async openSibling(store) {
      const schema = schemas.get(store);
      if (!schema) throw new Error('openSibling: that store was not opened by this backend');
      const sibling = await openPostgresStore({ connectionString: url, schema, poolSize: 4 });
      opened.push(sibling);
      return sibling;
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of new Set(schemas.values())) await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        schemas.clear();
        await client.end();
      }
    },
  };
}

/** The backends to test: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export function storeBackends(): StoreBackend[] {
  const list = [pgliteMemory(), pgliteDisk()];
  const url = process.env.TEST_DATABASE_URL;
  if (url) list.push(postgres(url));
  return list;
}
