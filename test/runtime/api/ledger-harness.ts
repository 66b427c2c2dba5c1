/**
 * An API harness whose `dev` environment binds the connection `ledger` to an
 * embedded database holding `invoices` and `rejects`: the tables the sub-flow
 * API tests' flows write.
 */
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import type { ApiBackend } from './api-backends.ts';
import { createHarness, type Harness } from './harness.ts';

export async function openLedgerHarness(backend: ApiBackend): Promise<{ h: Harness; cleanup: () => Promise<void> }> {
  const opened = await backend.open();
  const h = await createHarness({ database: opened.database });
  const ledger = targetDatabase(h.database, 'ledger');
  await ledger.query('create table if not exists invoices (id text primary key, amount numeric not null, flow text not null)');
  await ledger.query('create table if not exists rejects (id text primary key, flow text not null)');
  await h.json('admin', 'PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } });
  return { h, cleanup: opened.cleanup };
}
