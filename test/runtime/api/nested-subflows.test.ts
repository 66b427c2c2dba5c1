/**
 * Nested sub-flows through the API: `invoice-intake` uses `vat-check`; its
 * stored version pins the vat-check version it carries (an edited copy is
 * refused), a version of vat-check that would use invoice-intake back is
 * refused naming the chain, a flow using invoice-intake runs through the inner
 * sub-flow's nodes (`vat/vat/normalise`) and is listed among vat-check's
 * users, and moving it to an intake version with a newer vat-check shows the
 * inner change in the flow's diff. On PGlite and, with TEST_DATABASE_URL, on Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { pinnedConfig } from '../../../nodes/subflow/definition.ts';
import type { SubflowDefinition } from '../../../nodes/subflow/subflow.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { flowNesting, intakeDefinition, n, vatCheckDefinition } from '../../nodes/subflow/subflow-fixtures.ts';
import { apiBackends } from './api-backends.ts';
import type { Harness } from './harness.ts';
import { openLedgerHarness } from './ledger-harness.ts';

const backends = apiBackends('lf_nested_subflows');

const VAT_V1 = vatCheckDefinition();
const VAT_V2 = vatCheckDefinition('$string($round($number(amount), 0))');

for (const backend of backends) {
  describe(`nested sub-flows through the API on ${backend.name}`, () => {
    let h: Harness;
    let cleanup: () => Promise<void>;
    const ledger = () => targetDatabase(h.database, 'ledger');

    beforeAll(async () => {
      ({ h, cleanup } = await openLedgerHarness(backend));
    }, 120_000);
    afterAll(async () => {
      await h?.close();
      await cleanup?.();
    });

    it('saves a sub-flow using another one, pinning the stored version it carries; refuses an edited copy and a cycle', async () => {
      await h.json('analyst', 'PUT', '/api/subflows/vat-check', { definition: VAT_V1 });
      expect((await h.json('analyst', 'PUT', '/api/subflows/invoice-intake', { definition: intakeDefinition(1, VAT_V1) })).subflow).toMatchObject({ version: 1, nodeCount: 2 });

      const edited = await h.call('analyst', 'PUT', '/api/subflows/invoice-intake', { definition: intakeDefinition(1, VAT_V2) });
      expect(edited.status).toBe(422);
      expect((await edited.json()).problems).toEqual([expect.objectContaining({ path: '/nodes/1/config', message: expect.stringContaining("pins 'vat-check' version 1, but its content differs") })]);

      const usesBack: SubflowDefinition = {
        inputs: [{ id: 'in', targets: [{ node: 'back' }] }],
        outputs: [{ id: 'ok', sources: [{ node: 'back', port: 'ok' }] }],
        nodes: [n('back', 'subflow', pinnedConfig('invoice-intake', 1, intakeDefinition(1, VAT_V1)) as unknown as Record<string, unknown>)],
        edges: [],
      };
      const cycle = await h.call('analyst', 'PUT', '/api/subflows/vat-check', { definition: { ...usesBack, outputs: [...usesBack.outputs, { id: 'rejected', sources: [{ node: 'back', port: 'rejected' }] }] } });
      expect(cycle.status).toBe(422);
      expect((await cycle.json()).problems).toEqual([expect.objectContaining({ message: expect.stringContaining('vat-check → invoice-intake → vat-check') })]);
      expect((await h.json('operator', 'GET', '/api/subflows/vat-check')).versions).toHaveLength(1);
    });

    it('a flow using it runs through the inner sub-flow\'s nodes and is listed as using both', async () => {
      await h.json('analyst', 'POST', '/api/flows', { document: flowNesting(intakeDefinition(1, VAT_V1), 'intake-a', 1) }, 201);
      await h.json('analyst', 'POST', '/api/flows/intake-a/versions', { message: 'v1' }, 201);
      await h.json('analyst', 'POST', '/api/flows/intake-a/deployments', { environment: 'dev', version: 1 }, 201);
      const content = JSON.stringify([{ id: 'N-1', amount: '10.456', vatId: 'NL1' }, { id: 'N-2', amount: '3', vatId: '' }]);
      const { runId } = await h.json('analyst', 'POST', '/api/flows/intake-a/runs', { environment: 'dev', input: { name: 'i.json', content } }, 202);
      expect((await h.json('analyst', 'GET', `/api/runs/${runId}`)).run).toMatchObject({ status: 'succeeded' });
      const records = (await h.json('analyst', 'GET', `/api/runs/${runId}/records`)).items as { businessKey: string; path: string[] }[];
      expect(records.find((r) => r.businessKey === 'N-1')?.path).toEqual(['in', 'vat/stamp', 'vat/vat/normalise', 'vat/vat/has-vat', 'post']);
      expect((await ledger().query<{ id: string; amount: string }>("select id, amount from invoices where flow = 'intake-a'")).rows).toEqual([{ id: 'N-1', amount: '10.46' }]);

      expect((await h.json('operator', 'GET', '/api/subflows/vat-check')).usedBy).toEqual([{ flowId: 'intake-a', flowName: 'intake-a', nodeId: 'vat', version: 1, via: ['invoice-intake'] }]);
      expect((await h.json('operator', 'GET', '/api/subflows/invoice-intake')).usedBy).toEqual([{ flowId: 'intake-a', flowName: 'intake-a', nodeId: 'vat', version: 1 }]);
    }, 120_000);

    it('a new version of the inner sub-flow reaches the flow through a new outer version, and shows in the flow\'s diff', async () => {
      await h.json('analyst', 'PUT', '/api/subflows/vat-check', { definition: VAT_V2 });
      expect((await h.json('analyst', 'PUT', '/api/subflows/invoice-intake', { definition: intakeDefinition(2, VAT_V2) })).subflow.version).toBe(2);
      const draft = (await h.json('analyst', 'GET', '/api/flows/intake-a')).draft as FlowDocument;
      draft.nodes.find((x) => x.id === 'vat')!.config = pinnedConfig('invoice-intake', 2, intakeDefinition(2, VAT_V2)) as unknown as Record<string, unknown>;
      await h.json('analyst', 'PUT', '/api/flows/intake-a/draft', { document: draft });
      await h.json('analyst', 'POST', '/api/flows/intake-a/versions', { message: 'intake v2' }, 201);
      const diff = await h.json('analyst', 'GET', '/api/flows/intake-a/diff?from=1&to=2');
      const vat = diff.nodes.find((x: { nodeId: string }) => x.nodeId === 'vat');
      expect(vat.config.map((c: { path: string; from: unknown; to: unknown }) => [c.path, c.from, c.to])).toEqual([
        ['version', 1, 2],
        ['nodes[1].config.version', 1, 2],
        ['nodes[1].config.nodes[0].config.expression', VAT_V1.nodes[0].config.expression, VAT_V2.nodes[0].config.expression],
      ]);

      // A draft whose nested copy was edited by hand is refused when saved as a version, naming where it sits.
      draft.nodes.find((x) => x.id === 'vat')!.config = pinnedConfig('invoice-intake', 2, intakeDefinition(2, VAT_V1)) as unknown as Record<string, unknown>;
      await h.json('analyst', 'PUT', '/api/flows/intake-a/draft', { document: draft });
      const res = await h.call('analyst', 'POST', '/api/flows/intake-a/versions', { message: 'sneaky' });
      expect(res.status).toBe(422);
      const problems = (await res.json()).problems as { nodeId: string; path: string; message: string }[];
      expect(problems.map((p) => [p.nodeId, p.path])).toEqual([['vat', '/nodes/1/config'], ['vat', '/nodes/1/config/nodes/1/config']]);
      expect(problems[1].message).toContain("Sub-flow node 'vat' (inside sub-flow 'invoice-intake') pins 'vat-check' version 2");
    }, 120_000);
  });
}
