
import { resolve } from 'node:path';
import type { Env } from './store-env.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { bindingProblem, createConnectionResolver, type ConnectionBindings } from '../connectors/connection-registry.ts';
import { applyFlowSetup, storeConnectionOptions } from '../store/target-databases.ts';
import type { Database } from '../store/database.ts';
import { CliError } from './cli-error.ts';
import { loadConnectionsFile } from '../connectors/connections-file.ts';
import { createFileSink, type ClosableFileSink } from '../connectors/files.ts';
import type { ConnectionsFor } from '../queue/flow-cache.ts';
import { runtimeFetch } from '../connectors/http-client.ts';
import type { Settings } from '../settings.ts';

export { openConfiguredDatabase, withDatabase, type Env } from './store-env.ts';

/** What a command reads besides its options: the parsed settings, and the environment for `$env:NAME` references. */
export interface CommandSetting {
  settings: Settings;
  env: Env;
}

/**
 * Connection bindings for a local run: those in the connections file (or
 * $LEDGERFLOW_CONNECTIONS); a Postgres connection left unbound uses its own
 * embedded database (never the store's), so the example flows run out of the box.
 */
export async function localBindings(doc: FlowDocument, file: string | undefined, { settings, env }: CommandSetting): Promise<ConnectionBindings> {
  const path = file ?? settings.connectionsFile;
  const bindings: ConnectionBindings = path ? await loadConnectionsFile(path, env) : {};
  for (const [name, decl] of Object.entries(doc.connections ?? {})) {
    if (!bindings[name] && decl.kind === 'postgres') bindings[name] = { kind: 'postgres', url: 'embedded' };
  }
  return bindings;
}

/** An example flow's `setup.sql`, applied to each of its Postgres connections bound to an embedded database. */
export function applyExampleSetup(database: Database, dir: string, bindings: ConnectionBindings): Promise<boolean> {
  const embedded = Object.entries(bindings).filter(([, b]) => b.kind === 'postgres' && b.url === 'embedded').map(([name]) => name);
  return applyFlowSetup(database, dir, embedded);
}

/** What the in-process worker of a CLI run works with: the command's connections, output folder and HTTP client. */
export interface LocalWorkerSetup {
  /** A fresh resolver over the bindings each time; the worker closes those it made. */
  connectionsFor: ConnectionsFor;
  files: ClosableFileSink;
  fetch: typeof fetch;
}

/**
 * The connections, file sink and HTTP client of a local run, checked first: a
 * binding that reaches the store's own database is refused, naming it. With
 * the flow's folder, its example `setup.sql` is applied to embedded databases.
 */
export async function localWorkerSetup(database: Database, doc: FlowDocument, options: { connections?: string; out?: string; dir?: string | null }, where: CommandSetting): Promise<LocalWorkerSetup> {
  const bindings = await localBindings(doc, options.connections, where);
  const isolation = storeConnectionOptions(database);
  for (const [name, binding] of Object.entries(bindings)) {
    const problem = bindingProblem(name, binding, isolation.storeUrl);
    if (problem) throw new CliError(problem, 2);
  }
  if (options.dir) await applyExampleSetup(database, options.dir, bindings);
  return {
    connectionsFor: () => createConnectionResolver(bindings, isolation),
    files: createFileSink(resolve(options.out ?? where.settings.outDir ?? 'out')),
    fetch: runtimeFetch({ client: where.settings.httpClient, outboundHosts: where.settings.outboundHosts }),
  };
}
