/**
 * What a CLI command runs against: the store named by the environment
 * (DATABASE_URL, else embedded PGlite in LEDGERFLOW_DATA), connections bound
 * from a file, and the folder file targets write to.
 */
import { resolve } from 'node:path';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { createConnectionResolver, type ConnectionBindings } from '../connectors/connection-registry.ts';
import { loadConnectionsFile } from '../connectors/connections-file.ts';
import { createFileSink } from '../connectors/files.ts';
import type { RunServiceDeps } from '../run-service.ts';
import { catalog } from '../../nodes/catalog.ts';

export type Env = Record<string, string | undefined>;

export const DEFAULT_DATA_DIR = '.ledgerflow';

export async function openStoreFromEnv(env: Env): Promise<Store> {
  const store = await openStore({
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.LEDGERFLOW_DATA || DEFAULT_DATA_DIR, 'pgdata'),
  });
  await store.migrate();
  return store;
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

/**
 * Connection bindings for a local run: those in the connections file (or
 * $LEDGERFLOW_CONNECTIONS); a Postgres connection left unbound uses the
 * embedded/store database, so the example flows run out of the box.
 */
export async function localBindings(doc: FlowDocument, file: string | undefined, env: Env): Promise<ConnectionBindings> {
  const path = file ?? env.LEDGERFLOW_CONNECTIONS;
  const bindings: ConnectionBindings = path ? await loadConnectionsFile(path, env) : {};
  for (const [name, decl] of Object.entries(doc.connections ?? {})) {
    if (!bindings[name] && decl.kind === 'postgres') bindings[name] = { kind: 'postgres', url: 'embedded' };
  }
  return bindings;
}

export async function localRunDeps(store: Store, doc: FlowDocument, options: { connections?: string; out?: string }, env: Env): Promise<RunServiceDeps & { close(): Promise<void> }> {
  const connections = createConnectionResolver(await localBindings(doc, options.connections, env), { embeddedSql: store.sql });
  const files = createFileSink(resolve(options.out ?? env.LEDGERFLOW_OUT ?? 'out'));
  return {
    store, catalog, connections, files,
    close: async () => {
      await connections.close();
      await files.close();
    },
  };
}
