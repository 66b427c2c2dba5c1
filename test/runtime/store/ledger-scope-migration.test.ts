/**
 * Migration 0008: ledgers keyed by flow and node move to the target system's
 * scope, the same strings idempotencyScope() computes, so a run after the
 * upgrade finds every earlier delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { catalog } from '../../../nodes/catalog.ts';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import { idempotencyScope } from '../../../nodes/target/delivery-scope.ts';
import { openPgliteStore } from '../../../runtime/store/open-store.ts';
import type { Store } from '../../../runtime/store/store.ts';

const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, config });

const doc = (id: string, targetId: string): FlowDocument => ({
  id, name: id, connections: { erp: { kind: 'postgres' }, api: { kind: 'http' } },
  nodes: [
    node('in', 'source.webhook', {}),
    node(targetId, 'target.postgres', { connection: 'erp', table: 'erp.po_commitment', mode: 'upsert', keyColumns: ['id'], columns: { id: 'id' }, idempotencyKey: 'id' }),
    node('post', 'target.http', { connection: 'api', path: '/commitments/{{id}}', idempotencyKey: 'id' }),
  ],
  edges: [{ id: 'e1', source: 'in', target: targetId }, { id: 'e2', source: 'in', target: 'post' }],
});

async function applyMigration0008(store: Store): Promise<void> {
  const sql = await readFile(new URL('../../../runtime/store/migrations/0008_target_idempotency_scope.sql', import.meta.url), 'utf8');
  const statements = sql.replace(/^--.*$/gm, '').split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);
  await store.sql.transaction(async (tx) => {
    for (const statement of statements) await tx.query(statement);
  });
}

describe('migration 0008: the idempotency ledger keyed by target system', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openPgliteStore({});
  }, 60_000);
  afterAll(() => store?.close());

  it('moves each row to its target scope by the run that claimed it; copies of one target merge, delivered winning', async () => {
    // Version 1 named the table node `sap-api`; version 2 renamed it; another flow copied it.
    await store.saveVersion('po', doc('po', 'sap-api'), 'tester', 'v1');
    await store.saveVersion('po', doc('po', 'sap-commitments'), 'tester', 'v2');
    await store.saveVersion('po-copy', doc('po-copy', 'sap-api'), 'tester', 'v1');
    const dev1 = await store.createRun({ flowId: 'po', version: 1, environment: 'prod', trigger: 'manual' });
    const dev2 = await store.createRun({ flowId: 'po', version: 2, environment: 'prod', trigger: 'manual' });
    const copy = await store.createRun({ flowId: 'po-copy', version: 1, environment: 'prod', trigger: 'manual' });
    const local = await store.createRun({ flowId: 'po', version: 1, environment: null, trigger: 'manual' });
    const rows: [string, string, string, string][] = [
      ['po/sap-api', 'PO-1', 'delivered', `${dev1.id}:1`],
      ['po/sap-api', 'PO-2', 'released', `${dev1.id}:1`],
      ['po/sap-commitments', 'PO-2', 'delivered', `${dev2.id}:1`],
      ['po-copy/sap-api', 'PO-1', 'pending', `${copy.id}:1`],
      ['po/post', 'PO-1', 'delivered', `${dev1.id}:1`],
      ['po/sap-api', 'PO-9', 'delivered', `${local.id}:1`],
      ['other/unknown', 'X', 'delivered', 'not-a-run:1'],
    ];
    for (const [scope, key, state, token] of rows) {
      await store.sql.query('insert into idempotency_ledger (scope, key, state, claim_token) values ($1, $2, $3, $4)', [scope, key, state, token]);
    }

    await applyMigration0008(store);

    const target = doc('po', 'x').nodes[1];
    const api = doc('po', 'x').nodes[2];
    const scope = (n: FlowNode, env: string | null) => idempotencyScope(catalog.get(n.type)!, { ...catalog.get(n.type)!.defaults as object, ...n.config }, env);
    const table = scope(target, 'prod');
    expect(table).toBe('prod/erp/table:erp.po_commitment');
    const { rows: after } = await store.sql.query<{ scope: string; key: string; state: string }>('select scope, key, state from idempotency_ledger order by scope, key');
    expect(after).toEqual([
      { scope: 'local/erp/table:erp.po_commitment', key: 'PO-9', state: 'delivered' },
      { scope: 'other/unknown', key: 'X', state: 'delivered' },
      { scope: table, key: 'PO-1', state: 'delivered' },
      { scope: table, key: 'PO-2', state: 'delivered' },
      { scope: scope(api, 'prod'), key: 'PO-1', state: 'delivered' },
    ].sort((a, b) => (a.scope + a.key < b.scope + b.key ? -1 : 1)));
    expect(scope(api, 'prod')).toBe('prod/api/POST:/commitments/{{id}}');
  });
});
