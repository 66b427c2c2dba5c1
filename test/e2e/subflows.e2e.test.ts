/**
 * Sub-flows in the designer, as an analyst uses them: select two nodes → "Save as sub-flow" (inputs and
 * outputs from the cut edges) replaces them by one sub-flow node; a second flow adds it from the palette's
 * Sub-flows group and wires its ports; when a new version is saved, that flow's sub-flow node shows what
 * changes and "Update to v2" pins it.
 */
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { e, flowUsing, vatCheckDefinition } from '../nodes/subflow/subflow-fixtures.ts';
import { serverAndBrowserForFile } from './browser.ts';
import { ADMIN, ANALYST, apiSession, capture, connectPorts, createAnalyst, signIn } from './designer-steps.ts';

const POLL = { timeout: 30_000, interval: 100 };

/** flowUsing's flow with the sub-flow's nodes written out, as someone builds it before thinking of reuse. */
function flatFlow(id: string): FlowDocument {
  const doc = flowUsing(id, 1);
  const inner = vatCheckDefinition().nodes.map((n) => ({ ...n, position: { x: n.position.x + 260, y: 0 } }));
  return { ...doc, nodes: [doc.nodes[0], ...inner, { ...doc.nodes[2], position: { x: 760, y: 0 } }, { ...doc.nodes[3], position: { x: 760, y: 200 } }],
    edges: [e('in', 'normalise'), e('normalise', 'has-vat'), e('has-vat', 'post', 'ok'), e('has-vat', 'reject', 'default')] };
}

/** Targets and a source, nothing between: the flow that will reuse the sub-flow. */
function bareFlow(id: string): FlowDocument {
  const doc = flowUsing(id, 1);
  return { ...doc, nodes: [doc.nodes[0], { ...doc.nodes[2], position: { x: 700, y: 0 } }, { ...doc.nodes[3], position: { x: 700, y: 220 } }], edges: [] };
}

interface Detail { draft: FlowDocument; problems: { message: string }[] }

describe('designer: sub-flows', () => {
  const started = serverAndBrowserForFile();

  it('saves selected nodes as a sub-flow, reuses it in another flow from the palette, and updates it to a new version', async () => {
    const { server, browser } = started;
    const admin = await apiSession(server, ADMIN);
    await createAnalyst(admin);
    for (const doc of [flatFlow('invoices-a'), bareFlow('invoices-b')]) expect((await admin.call('POST', '/api/flows', { document: doc })).status).toBe(201);
    const page = await signIn(browser, server, ANALYST);
    const detail = async (id: string) => (await admin.call<Detail>('GET', `/api/flows/${id}`)).body;

    // Flow A: select the two middle nodes and save them as a sub-flow.
    await page.goto(`${server.url}/#/flows/invoices-a`);
    await page.locator('.react-flow__node[data-id="has-vat"]').waitFor();
    await page.locator('.react-flow__node[data-id="normalise"] .flow-node-title').click();
    await page.keyboard.down('Shift');
    await page.locator('.react-flow__node[data-id="has-vat"] .flow-node-title').click();
    await page.keyboard.up('Shift');
    await page.getByRole('button', { name: 'Save as sub-flow…' }).click();
    const ports = page.getByTestId('subflow-ports');
    await ports.waitFor();
    expect(await ports.textContent()).toContain('in → normalise');
    expect(await ports.textContent()).toContain('ok ← has-vat.ok');
    await page.getByLabel('Sub-flow name').fill('vat-check');
    await page.getByLabel('Sub-flow description').fill('Rounds amounts; sorts out invoices without VAT id');
    await capture(page, 'subflow-10-save-dialog');
    await page.getByRole('button', { name: 'Save sub-flow' }).click();
    await page.locator('.react-flow__node[data-id="vat-check"]').waitFor();
    await page.getByTestId('subflow-details').waitFor();
    await expect.poll(async () => (await detail('invoices-a')).draft.nodes.map((n) => `${n.id}:${n.type}`).sort(), POLL)
      .toEqual(['in:source.file', 'post:target.postgres', 'reject:target.postgres', 'vat-check:subflow']);
    expect((await detail('invoices-a')).problems).toEqual([]);
    await capture(page, 'subflow-20-replaced');

    // Flow B: add it from the palette's Sub-flows group and wire its ports.
    await page.goto(`${server.url}/#/flows/invoices-b`);
    await page.locator('.react-flow__node[data-id="post"]').waitFor();
    await page.getByTestId('palette-subflow-vat-check').dragTo(page.locator('.canvas'), { targetPosition: { x: 520, y: 260 } });
    await page.locator('.react-flow__node[data-id="vat-check"]').waitFor();
    await connectPorts(page, 'in', 'out', 'vat-check', 'in');
    await connectPorts(page, 'vat-check', 'ok', 'post', 'in');
    await connectPorts(page, 'vat-check', 'default', 'reject', 'in');
    await expect.poll(async () => (await detail('invoices-b')).problems.map((p) => p.message), POLL).toEqual([]);
    const pinned = (await detail('invoices-b')).draft.nodes.find((n) => n.id === 'vat-check')!;
    expect(pinned.config).toMatchObject({ name: 'vat-check', version: 1 });
    // The server's example flows bring a sub-flow of their own (legal-entity): this one is looked up by name.
    const listed = await admin.call<{ items: { name: string; usedBy: { flowId: string }[] }[] }>('GET', '/api/subflows');
    expect(listed.body.items.find((s) => s.name === 'vat-check')?.usedBy.map((u) => u.flowId)).toEqual(['invoices-a', 'invoices-b']);

    // A new version: the node says so, shows what changes, and moves to it on "Update to v2".
    const { name: _n, version: _v, ...definition } = structuredClone(pinned.config) as { name: string; version: number; nodes: { config: { expression?: string } }[] };
    definition.nodes[0].config.expression = '$merge([$, { "amount": $string($round($number(amount), 0)) }])';
    expect((await admin.call('PUT', '/api/subflows/vat-check', { definition, message: 'whole units' })).status).toBe(200);
    await page.reload();
    await page.locator('.react-flow__node[data-id="vat-check"] .flow-node-title').click();
    const newer = page.getByTestId('subflow-newer');
    await newer.waitFor();
    expect(await newer.textContent()).toContain('Version v2 is stored (“whole units”)');
    await newer.getByRole('button', { name: 'Show changes' }).click();
    expect(await page.getByTestId('subflow-changes').textContent()).toContain("Node 'normalise'");
    await capture(page, 'subflow-30-update');
    await newer.getByRole('button', { name: 'Update to v2' }).click();
    await expect.poll(async () => ((await detail('invoices-b')).draft.nodes.find((n) => n.id === 'vat-check')!.config as { version: number }).version, POLL).toBe(2);
    expect(((await detail('invoices-a')).draft.nodes.find((n) => n.id === 'vat-check')!.config as { version: number }).version).toBe(1);
  }, 400_000);
});
