/**
 * Sub-flows through the API: an analyst saves a group of nodes as a versioned
 * sub-flow (audited), two flows use it, each runs records through its inner
 * nodes (traced under `<node>/<inner>`); a new sub-flow version reaches a flow
 * only when the flow is updated to it, and that shows in the flow's diff, while
 * the other flow keeps the version it pinned. A pinned copy edited by hand is
 * refused when the version is saved. On PGlite and, with TEST_DATABASE_URL, on Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { pinnedConfig } from '../../../nodes/subflow/definition.ts';
import type { SubflowDefinition } from '../../../nodes/subflow/subflow.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { flowUsing, vatCheckDefinition } from '../../nodes/subflow/subflow-fixtures.ts';
import { apiBackends } from './api-backends.ts';
import type { Harness } from './harness.ts';
import { openLedgerHarness } from './ledger-harness.ts';

const backends = apiBackends('lf_subflows');

const V1 = vatCheckDefinition();
/** Version 2 rounds to whole units. */
const V2 = vatCheckDefinition('$string($round($number(amount), 0))');

const invoices = (prefix: string) => JSON.stringify([
  { id: `${prefix}-1`, amount: '100.456', vatId: 'NL001' },
  { id: `${prefix}-2`, amount: '20.5', vatId: '' },
  { id: `${prefix}-3`, amount: '7.004', vatId: 'DE002' },
]);

for (const backend of backends) {
  describe(`sub-flows through the API on ${backend.name}`, () => {
    let h: Harness;
    let cleanup: () => Promise<void>;
    const ledger = () => targetDatabase(h.database, 'ledger');

    const run = async (flowId: string, prefix: string) => {
      const { runId } = await h.json('analyst', 'POST', `/api/flows/${flowId}/runs`, { environment: 'dev', input: { name: 'i.json', content: invoices(prefix) } }, 202);
      return runId as string;
    };
    const rows = async (table: string, flowId: string) =>
      (await ledger().query<{ id: string; amount?: string }>(`select * from ${table} where flow = $1 order by id`, [flowId])).rows;
    const saveDraftPinning = async (flowId: string, version: number, def: SubflowDefinition) => {
      const draft = (await h.json('analyst', 'GET', `/api/flows/${flowId}`)).draft as FlowDocument;
      const node = draft.nodes.find((x) => x.id === 'vat')!;
      node.config = pinnedConfig('vat-check', version, def) as unknown as Record<string, unknown>;
      await h.json('analyst', 'PUT', `/api/flows/${flowId}/draft`, { document: draft });
    };

    beforeAll(async () => {
      ({ h, cleanup } = await openLedgerHarness(backend));
    }, 120_000);
    afterAll(async () => {
      await h?.close();
      await cleanup?.();
    });

    it('saves a sub-flow for editors only, refuses one with problems (each named), and audits each new version', async () => {
      expect((await h.call('operator', 'PUT', '/api/subflows/vat-check', { definition: V1 })).status).toBe(403);
      const broken = await h.call('analyst', 'PUT', '/api/subflows/vat-check', { definition: vatCheckDefinition('$round(') });
      expect(broken.status).toBe(422);
      const problem = await broken.json();
      expect(problem.problems).toEqual([expect.objectContaining({ path: '/nodes/0/config/expression', message: expect.stringContaining("Node 'normalise' (Map (JSONata))") })]);
      expect((await h.call('analyst', 'PUT', '/api/subflows/bad name', { definition: V1 })).status).toBe(422);

      const saved = await h.json('analyst', 'PUT', '/api/subflows/vat-check', { definition: V1, message: 'first' });
      expect(saved).toMatchObject({ unchanged: false, subflow: { name: 'vat-check', version: 1, inputs: ['in'], outputs: ['ok', 'rejected'], nodeCount: 2, createdBy: 'analyst', message: 'first' } });
      expect(await h.json('analyst', 'PUT', '/api/subflows/vat-check', { definition: V1 })).toMatchObject({ unchanged: true, subflow: { version: 1 } });
      const audit = await h.json('admin', 'GET', '/api/audit?entity=subflow');
      expect(audit.items.map((a: { actor: string; action: string; entityId: string }) => `${a.actor} ${a.action} ${a.entityId}`)).toEqual(['analyst subflow.saved vat-check@1']);
    });

    it('two flows use it; a run goes through its inner nodes, traced under the sub-flow node', async () => {
      for (const id of ['invoices-a', 'invoices-b']) {
        await h.json('analyst', 'POST', '/api/flows', { document: flowUsing(id, 1, V1) }, 201);
        await h.json('analyst', 'POST', `/api/flows/${id}/versions`, { message: 'v1' }, 201);
        await h.json('analyst', 'POST', `/api/flows/${id}/deployments`, { environment: 'dev', version: 1 }, 201);
      }
      const runId = await run('invoices-a', 'A');
      expect((await h.json('analyst', 'GET', `/api/runs/${runId}`)).run).toMatchObject({ status: 'succeeded' });
      expect((await rows('invoices', 'invoices-a')).map((r) => [r.id, r.amount])).toEqual([['A-1', '100.46'], ['A-3', '7']]);
      expect((await rows('rejects', 'invoices-a')).map((r) => r.id)).toEqual(['A-2']);
      const records = (await h.json('analyst', 'GET', `/api/runs/${runId}/records`)).items as { businessKey: string; path: string[]; targetNode: string | null }[];
      expect(records.find((r) => r.businessKey === 'A-1')).toMatchObject({ path: ['in', 'vat/normalise', 'vat/has-vat', 'post'] });
      expect(records.find((r) => r.businessKey === 'A-2')).toMatchObject({ path: ['in', 'vat/normalise', 'vat/has-vat', 'reject'] });

      const { items } = await h.json('operator', 'GET', '/api/subflows');
      expect(items).toEqual([expect.objectContaining({ name: 'vat-check', version: 1, usedBy: [
        { flowId: 'invoices-a', flowName: 'invoices-a', nodeId: 'vat', version: 1 },
        { flowId: 'invoices-b', flowName: 'invoices-b', nodeId: 'vat', version: 1 },
      ] })]);
    }, 120_000);

    it('a new version reaches a flow when it is updated to it, shown in its diff; the other flow keeps its version', async () => {
      expect((await h.json('analyst', 'PUT', '/api/subflows/vat-check', { definition: V2, message: 'whole units' })).subflow.version).toBe(2);
      await saveDraftPinning('invoices-a', 2, V2);
      await h.json('analyst', 'POST', '/api/flows/invoices-a/versions', { message: 'vat-check v2' }, 201);
      const diff = await h.json('analyst', 'GET', '/api/flows/invoices-a/diff?from=1&to=2');
      const vat = diff.nodes.find((x: { nodeId: string }) => x.nodeId === 'vat');
      expect(vat.config.map((c: { path: string; from: unknown; to: unknown }) => [c.path, c.from, c.to])).toEqual([
        ['version', 1, 2],
        ['nodes[0].config.expression', V1.nodes[0].config.expression, V2.nodes[0].config.expression],
      ]);
      expect((await h.json('analyst', 'GET', '/api/flows/invoices-b/diff?from=1&to=draft')).summary.nodesChanged).toBe(0);

      await h.json('analyst', 'POST', '/api/flows/invoices-a/deployments', { environment: 'dev', version: 2 }, 201);
      await run('invoices-a', 'A2');
      await run('invoices-b', 'B');
      const amounts = (await ledger().query<{ id: string; amount: string }>("select id, amount from invoices where id like 'A2-%' or id like 'B-%' order by id")).rows;
      expect(amounts.map((r) => [r.id, r.amount])).toEqual([['A2-1', '100'], ['A2-3', '7'], ['B-1', '100.46'], ['B-3', '7']]);

      const detail = await h.json('operator', 'GET', '/api/subflows/vat-check');
      expect(detail.subflow).toMatchObject({ version: 2, message: 'whole units' });
      expect(detail.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      expect(detail.usedBy.map((u: { flowId: string; version: number }) => `${u.flowId}@${u.version}`)).toEqual(['invoices-a@2', 'invoices-b@1']);
      expect((await h.json('operator', 'GET', '/api/subflows/vat-check?version=1')).subflow.definition).toEqual(V1);
      expect((await h.call('operator', 'GET', '/api/subflows/vat-check?version=9')).status).toBe(404);
    }, 120_000);

    it('refuses to save a version whose pinned copy differs from the stored version it names', async () => {
      const edited = vatCheckDefinition('$string($number(amount) * 2)');
      await saveDraftPinning('invoices-b', 1, edited);
      const res = await h.call('analyst', 'POST', '/api/flows/invoices-b/versions', { message: 'sneaky' });
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body.problems).toEqual([expect.objectContaining({ nodeId: 'vat', path: '/nodes/1/config', message: expect.stringContaining("pins 'vat-check' version 1, but its content differs from that stored version") })]);
    });
  });
}
