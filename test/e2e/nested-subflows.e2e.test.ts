/**
 * A nested sub-flow in the designer: `invoice-intake` (which uses `vat-check`) is added from the palette
 * to a flow, shows the ports it declares, is wired without problems, and its inspector lists the sub-flow it
 * uses with that one's version and ports. Then the sub-flow node and a node before it, selected together,
 * save as a sub-flow of their own: a third level.
 */
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { flowUsing, intakeDefinition, n, vatCheckDefinition } from '../nodes/subflow/subflow-fixtures.ts';
import { serverAndBrowserForFile } from './browser.ts';
import { ADMIN, ANALYST, apiSession, capture, connectPorts, createAnalyst, signIn } from './designer-steps.ts';

const POLL = { timeout: 30_000, interval: 100 };

/** A source, a mapping and the two targets, nothing between the mapping and the targets. */
function bareFlow(id: string): FlowDocument {
  const doc = flowUsing(id, 1);
  return {
    ...doc,
    nodes: [doc.nodes[0], n('prepare', 'transform.jsonata', { expression: '$' }, { x: 260, y: 0 }), { ...doc.nodes[2], position: { x: 900, y: 0 } }, { ...doc.nodes[3], position: { x: 900, y: 220 } }],
    edges: [{ id: 'in>prepare', source: 'in', target: 'prepare' }],
  };
}

interface Detail { draft: FlowDocument; problems: { message: string }[] }

describe('designer: nested sub-flows', () => {
  const started = serverAndBrowserForFile();

  it('places a sub-flow that uses another one, with its declared ports, and groups it into a third level', async () => {
    const { server, browser } = started;
    const admin = await apiSession(server, ADMIN);
    await createAnalyst(admin);
    expect((await admin.call('PUT', '/api/subflows/vat-check', { definition: vatCheckDefinition() })).status).toBe(200);
    expect((await admin.call('PUT', '/api/subflows/invoice-intake', { definition: intakeDefinition(1, vatCheckDefinition()) })).status).toBe(200);
    expect((await admin.call('POST', '/api/flows', { document: bareFlow('intake-b') })).status).toBe(201);
    const detail = async () => (await admin.call<Detail>('GET', '/api/flows/intake-b')).body;
    const page = await signIn(browser, server, ANALYST);

    await page.goto(`${server.url}/#/flows/intake-b`);
    await page.locator('.react-flow__node[data-id="post"]').waitFor();
    await page.getByTestId('palette-subflow-invoice-intake').dragTo(page.locator('.canvas'), { targetPosition: { x: 620, y: 260 } });
    const node = page.locator('.react-flow__node[data-id="invoice-intake"]');
    await node.waitFor();
    // The ports it declares, not those of the sub-flow inside it.
    expect(await node.locator('.react-flow__handle.target').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-handleid')))).toEqual(['in']);
    expect(await node.locator('.react-flow__handle.source').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-handleid')))).toEqual(['ok', 'rejected']);
    await connectPorts(page, 'prepare', 'out', 'invoice-intake', 'in');
    await connectPorts(page, 'invoice-intake', 'ok', 'post', 'in');
    await connectPorts(page, 'invoice-intake', 'rejected', 'reject', 'in');
    await expect.poll(async () => (await detail()).problems.map((p) => p.message), POLL).toEqual([]);
    expect((await detail()).draft.nodes.find((x) => x.id === 'invoice-intake')?.config).toMatchObject({ name: 'invoice-intake', version: 1, nodes: [{ id: 'stamp' }, { id: 'vat', config: { name: 'vat-check', version: 1 } }] });

    // The inspector names the sub-flow it uses, its version and its ports.
    await node.locator('.flow-node-title').click();
    const nested = page.getByTestId('subflow-nested-vat');
    await nested.waitFor();
    expect(await page.getByTestId('subflow-inner-nodes').textContent()).toContain('vat-check v1');
    expect(await nested.textContent()).toContain('in: in; out: ok, rejected');
    await capture(page, 'subflow-40-nested');

    // The mapping and the sub-flow node, saved together: a sub-flow using invoice-intake.
    await page.keyboard.down('Shift');
    await page.locator('.react-flow__node[data-id="prepare"] .flow-node-title').click();
    await page.keyboard.up('Shift');
    await page.getByRole('button', { name: 'Save as sub-flow…' }).click();
    await page.getByTestId('subflow-ports').waitFor();
    await page.getByLabel('Sub-flow name').fill('prepared-intake');
    await page.getByRole('button', { name: 'Save sub-flow' }).click();
    await page.locator('.react-flow__node[data-id="prepared-intake"]').waitFor();
    await expect.poll(async () => (await detail()).draft.nodes.map((x) => `${x.id}:${x.type}`).sort(), POLL)
      .toEqual(['in:source.file', 'post:target.postgres', 'prepared-intake:subflow', 'reject:target.postgres']);
    expect((await detail()).problems).toEqual([]);
    const listed = await admin.call<{ items: { name: string; usedBy: { flowId: string; via?: string[] }[] }[] }>('GET', '/api/subflows');
    expect(listed.body.items.find((s) => s.name === 'vat-check')?.usedBy).toEqual([expect.objectContaining({ flowId: 'intake-b', nodeId: 'prepared-intake', via: ['prepared-intake', 'invoice-intake'] })]);
  }, 400_000);
});
