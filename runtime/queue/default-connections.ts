/**
 * Connections when no per-environment settings are given (CLI worker, tests):
 * every Postgres connection a flow declares is its own embedded database
 * (never the store's); HTTP connections are not configured. The server passes
 * its own `connectionsFor`, backed by the connections stored per environment.
 */
import { storeConnectionOptions, type TargetsOf } from '../store/target-databases.ts';
import { createConnectionResolver, type ConnectionBindings } from '../connectors/connection-registry.ts';
import type { ConnectionsFor } from './flow-cache.ts';

export function defaultConnectionsFor(database: TargetsOf): ConnectionsFor {
  return (_environment, doc) => {
    const bindings: ConnectionBindings = {};
    for (const [name, decl] of Object.entries(doc.connections ?? {})) {
      if (decl.kind === 'postgres') bindings[name] = { kind: 'postgres', url: 'embedded' };
    }
    return createConnectionResolver(bindings, storeConnectionOptions(database));
  };
}
