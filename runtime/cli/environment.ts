/**
 * What a CLI command runs against: the store named by the settings
 * (DATABASE_URL, else embedded PGlite in LEDGERFLOW_DATA), connections bound
 * from a file, and the folder file targets write to.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Env } from './store-env.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { Store } from '../store/store.ts';
import { createConnectionResolver, type ConnectionBindings } from '../connectors/connection-registry.ts';
import { loadConnectionsFile } from '../connectors/connections-file.ts';
import { createFileSink } from '../connectors/files.ts';
import type { RunServiceDeps } from '../run-service.ts';
import { catalog } from '../../nodes/catalog.ts';
import { runtimeFetch } from '../connectors/http-client.ts';
import type { Settings } from '../settings.ts';

export { openConfiguredStore, withStore, type Env } from './store-env.ts';

/** What a command reads besides its options: the parsed settings, and the environment for `$env:NAME` references. */
export interface CommandSetting {
  settings: Settings;
  env: Env;
}

/**
 * Connection bindings for a local run: those in the connections file (or
 * $LEDGERFLOW_CONNECTIONS); a Postgres connection left unbound uses the
 * embedded/store database, so the example flows run out of the box.
 */
export async function localBindings(doc: FlowDocument, file: string | undefined, { settings, env }: CommandSetting): Promise<ConnectionBindings> {
  const path = file ?? settings.connectionsFile;
  const bindings: ConnectionBindings = path ? await loadConnectionsFile(path, env) : {};
  for (const [name, decl] of Object.entries(doc.connections ?? {})) {
    if (!bindings[name] && decl.kind === 'postgres') bindings[name] = { kind: 'postgres', url: 'embedded' };
  }
  return bindings;
}

/**
 * An example flow's folder may hold `setup.sql` creating the tables its
 * targets write to. When one of its Postgres connections is the embedded
 * database, the script (idempotent: CREATE … IF NOT EXISTS) is applied there.
 */
export async function applyExampleSetup(store: Store, _doc: FlowDocument, dir: string, bindings: ConnectionBindings): Promise<boolean> {
  const usesEmbedded = Object.values(bindings).some((b) => b.kind === 'postgres' && b.url === 'embedded');
  if (!usesEmbedded) return false;
  let sql: string;
  try {
    sql = await readFile(join(dir, 'setup.sql'), 'utf8');
  } catch {
    return false;
  }
  await store.sql.transaction(async (tx) => {
    for (const statement of splitSqlStatements(sql)) await tx.query(statement);
  });
  return true;
}

/** Splits a plain DDL script on semicolons at line ends (no procedural bodies in setup scripts). */
function splitSqlStatements(sql: string): string[] {
  return sql.replace(/^\s*--.*$/gm, '').split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);
}

export async function localRunDeps(store: Store, doc: FlowDocument, options: { connections?: string; out?: string; dir?: string | null }, where: CommandSetting): Promise<RunServiceDeps & { close(): Promise<void> }> {
  const bindings = await localBindings(doc, options.connections, where);
  if (options.dir) await applyExampleSetup(store, doc, options.dir, bindings);
  const connections = createConnectionResolver(bindings, { embeddedSql: store.sql });
  const files = createFileSink(resolve(options.out ?? where.settings.outDir ?? 'out'));
  return {
    store, catalog, connections, files, fetch: runtimeFetch({ client: where.settings.httpClient, outboundHosts: where.settings.outboundHosts }),
    close: async () => {
      await connections.close();
      await files.close();
    },
  };
}
