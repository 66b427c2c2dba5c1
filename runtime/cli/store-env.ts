/**
 * The database a CLI command runs against, named by the settings: DATABASE_URL,
 * else embedded PGlite in LEDGERFLOW_DATA. Apart from environment.ts so the
 * commands that only read the store load no node types or connectors.
 */
import { resolve } from 'node:path';
import { openDatabase } from '../store/open-store.ts';
import type { Database } from '../store/database.ts';
import { DataFolderInUseError } from '../store/data-folder-lock.ts';
import type { Settings } from '../settings.ts';
import { CliError } from './cli-error.ts';

export type Env = Record<string, string | undefined>;

/** Opens the store the settings name; opening applies any pending migration. */
export async function openConfiguredDatabase(settings: Pick<Settings, 'databaseUrl' | 'dbSchema' | 'dataDir'>): Promise<Database> {
  return openDatabase({
    databaseUrl: settings.databaseUrl,
    // A Postgres schema other than the default, e.g. one per test or per installation.
    schema: settings.dbSchema,
    dataDir: resolve(settings.dataDir, 'pgdata'),
  }).catch((err: unknown) => {
    if (!(err instanceof DataFolderInUseError)) throw err;
    // The embedded database has one user: a command next to a running server would write behind its back.
    throw new CliError(
      `${err.message}\nWhile \`ledgerflow serve\` owns the data folder, manage users, dead letters, examples and retention ` +
        'through its web UI or API (see /api/docs), or stop it and run this command again.',
    );
  });
}

/** Runs `fn` with the open database and always closes it, so the process can exit. */
export async function withDatabase<T>(settings: Settings, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openConfiguredDatabase(settings);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}
