/** The databases an API test runs on: PGlite always, Postgres (a fresh schema, dropped after) when TEST_DATABASE_URL is set. */
import type { Database } from '../../../runtime/store/database.ts';
import { openPgliteDatabase, openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import { dropSchemas, freshSchemaName } from '../queue/queue-fixtures.ts';

export interface ApiBackend {
  name: string;
  open(): Promise<{ database: Database; cleanup: () => Promise<void> }>;
}

/** `schemaPrefix` names the Postgres schema (`<prefix>_…`), so a left-over one says which test made it. */
export function apiBackends(schemaPrefix: string): ApiBackend[] {
  const url = process.env.TEST_DATABASE_URL;
  return [
    { name: 'PGlite', open: async () => ({ database: await openPgliteDatabase({}), cleanup: async () => {} }) },
    ...(url ? [{
      name: 'Postgres',
      open: async () => {
        const schema = freshSchemaName(schemaPrefix);
        return { database: await openPostgresDatabase({ connectionString: url, schema }), cleanup: () => dropSchemas(url, [schema]) };
      },
    }] : []),
  ];
}
