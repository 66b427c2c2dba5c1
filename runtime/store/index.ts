/** The store's public surface. */
export type * from './store.ts';
export { openDatabase, openPgliteDatabase, openPostgresDatabase, openStore, openPgliteStore, openPostgresStore } from './open-store.ts';
export type { Database, DatabaseConnection } from './database.ts';
export type { OpenStoreOptions, PgliteStoreOptions, PostgresStoreOptions } from './open-store.ts';
export { documentHash, canonicalJson } from './canonical-json.ts';
export { newRunId } from './ids.ts';
