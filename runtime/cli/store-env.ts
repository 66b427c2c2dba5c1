/**
 * The store a CLI command runs against, named by the environment: DATABASE_URL,
 * else embedded PGlite in LEDGERFLOW_DATA. Apart from environment.ts so the
 * commands that only read the store load no node types or connectors.
 */
import { resolve } from 'node:path';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { DataFolderInUseError } from '../store/data-folder-lock.ts';
import { CliError } from './cli-error.ts';

export type Env = Record<string, string | undefined>;

export const DEFAULT_DATA_DIR = '.ledgerflow';

/** Opens the store; opening applies any pending migration. */
export async function openStoreFromEnv(env: Env): Promise<Store> {
  return openStore({
    databaseUrl: env.DATABASE_URL || undefined,
    // A Postgres schema other than the default, e.g. one per test or per installation.
    schema: env.LEDGERFLOW_DB_SCHEMA || undefined,
    dataDir: resolve(env.LEDGERFLOW_DATA || DEFAULT_DATA_DIR, 'pgdata'),
  }).catch((err: unknown) => {
    if (!(err instanceof DataFolderInUseError)) throw err;
    // The embedded database has one user: a command next to a running server would write behind its back.
    throw new CliError(
      `${err.message}\nWhile \`ledgerflow serve\` owns the data folder, manage users, dead letters, examples and retention ` +
        'through its web UI or API (see /api/docs), or stop it and run this command again.',
    );
  });
}

/** Runs `fn` with an open store and always closes it, so the process can exit. */
export async function withStore<T>(env: Env, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStoreFromEnv(env);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
