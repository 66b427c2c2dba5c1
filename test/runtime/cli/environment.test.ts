/** The CLI's connection bindings never reach the store's own database. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { CliError } from '../../../runtime/cli/cli-error.ts';
import { localBindings, localWorkerSetup } from '../../../runtime/cli/environment.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { parseSettings } from '../../../runtime/settings.ts';

const doc = { id: 'f', name: 'f', connections: { erp: { kind: 'postgres' } }, nodes: [], edges: [] } as unknown as FlowDocument;

describe('CLI connections', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'lf-cli-env-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('an unbound Postgres connection is its own embedded database', async () => {
    expect(await localBindings(doc, undefined, { settings: parseSettings({}), env: {} })).toEqual({ erp: { kind: 'postgres', url: 'embedded' } });
  });

  it('a connections file binding the store\'s own database is an error naming the connection', async () => {
    // A database on a Postgres server (only its location matters here).
    const store = { kind: 'postgres', sql: { query: async () => ({ rows: [] }), transaction: async () => undefined } };
    const database = { store, connection: { kind: 'postgres', connectionString: 'postgres://ledgerflow@db.internal:5432/ledgerflow' }, targets: {} } as unknown as Database;
    const file = join(dir, 'connections.json');
    await writeFile(file, JSON.stringify({ erp: { kind: 'postgres', url: 'postgres://analyst:pw@db.internal/ledgerflow' } }));
    const err = await localWorkerSetup(database, doc, { connections: file }, { settings: parseSettings({}), env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toBe("connection 'erp' points at Ledgerflow's own store database, which flows may not read or write: bind it to the target system's database (or to { \"embedded\": true }, a database of its own)");
  });
});
