/**
 * An admin reviews changes: the visual diff between version 1 and 2, and the
 * four-eyes rule on prod promotions (refused for their own version, allowed
 * for the analyst's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, startTestServer, type TestServer } from './browser.ts';
import { ADMIN, ANALYST, apiSession, capture, createAnalyst, signIn, type ApiSession } from './designer-steps.ts';

interface FlowDoc { nodes: { id: string; label?: string; config: Record<string, unknown> }[] }

/** Changes the draft through the API as the given user and saves it as the next version. */
async function saveChangedVersion(session: ApiSession, flowId: string, change: (doc: FlowDoc) => void, message: string): Promise<number> {
  const flow = await session.call<{ draft: FlowDoc }>('GET', `/api/flows/${flowId}`);
  change(flow.body.draft);
  expect((await session.call('PUT', `/api/flows/${flowId}/draft`, { document: flow.body.draft })).status).toBe(200);
  const saved = await session.call<{ version: number; testsPassed: boolean | null }>('POST', `/api/flows/${flowId}/versions`, { message });
  expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  expect(saved.body.testsPassed).not.toBe(false);
  return saved.body.version;
}

describe('designer: an admin reviews a diff and approves promotions under the four-eyes rule', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    // Four-eyes is under test here, not the environment order: the example flows go to prod straight from dev.
    server = await startTestServer({ LEDGERFLOW_PROMOTION_ORDER: 'off' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the changed node between v1 and v2, blocks approving their own version, approves the analyst’s', async () => {
    const admin = await apiSession(server, ADMIN);
    await createAnalyst(admin);
    const analyst = await apiSession(server, ANALYST);

    // The analyst rewords a validation message of the UBL flow (v2) and asks for prod.
    const ublV2 = await saveChangedVersion(analyst, 'ubl-invoice-to-ap', (doc) => {
      const check = doc.nodes.find((n) => n.id === 'check-invoice')!;
      const rules = check.config.rules as { id: string; message: string }[];
      rules[0].message = 'Supplier “{{supplier.name}}” has no VAT id: ask the supplier to resend the invoice with its VAT id';
      check.label = 'Supplier, VAT id, tax codes, totals';
    }, 'Clearer message when the supplier VAT id is missing');
    expect(ublV2).toBe(2);
    const ublPromotion = await analyst.call<{ id: string; authors: string[] }>('POST', '/api/flows/ubl-invoice-to-ap/promotions', { version: 2, environment: 'prod' });
    expect(ublPromotion.status, JSON.stringify(ublPromotion.body)).toBe(201);
    expect(ublPromotion.body.authors).toContain(ANALYST.username);
    expect(ublPromotion.body.authors).not.toContain(ADMIN.username);

    // The admin changes the camt.053 flow themselves (v2) and asks for prod too.
    expect(await saveChangedVersion(admin, 'camt053-cash-entries', (doc) => {
      const n = doc.nodes[doc.nodes.length - 1];
      n.label = `${n.label ?? n.id} (cash ledger)`;
    }, 'Name the cash ledger target')).toBe(2);
    const camtPromotion = await admin.call<{ id: string; authors: string[] }>('POST', '/api/flows/camt053-cash-entries/promotions', { version: 2, environment: 'prod' });
    expect(camtPromotion.status, JSON.stringify(camtPromotion.body)).toBe(201);
    expect(camtPromotion.body.authors).toContain(ADMIN.username);

    const page = await signIn(browser, server, ADMIN);

    // The diff of v1 → v2 on the canvas, with the changed node listed and highlighted.
    await page.getByText('UBL e-invoice → AP invoice').click();
    await page.locator('.react-flow__node[data-id="check-invoice"]').waitFor();
    await page.getByRole('tab', { name: /Versions/ }).click();
    await page.locator('.versions-table tr', { hasText: 'Clearer message' }).getByRole('button', { name: 'changes' }).click();
    const diff = page.locator('.diff-view');
    await diff.getByText('Changes from v1 to v2').waitFor();
    await expect.poll(() => diff.locator('.chip-changed').textContent()).toBe('1 changed');
    const changed = diff.locator('.node-change.nc-changed');
    await expect.poll(() => changed.count()).toBe(1);
    expect(await changed.locator('code').first().textContent()).toBe('check-invoice');
    expect(await changed.textContent()).toContain('ask the supplier to resend the invoice');
    expect(await diff.locator('.node-change.nc-added, .node-change.nc-removed').count()).toBe(0);
    await page.getByRole('tab', { name: /Versions/ }).click(); // the drawer closes: the diff gets the room
    await capture(page, 'designer-20-version-diff');

    // The admin can approve the analyst's promotion of the UBL flow.
    await diff.getByRole('button', { name: 'Close diff' }).click();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Deploy and promote' });
    const ublRow = dialog.locator('.promotion', { hasText: 'v2 → prod' });
    await ublRow.waitFor();
    expect(await ublRow.textContent()).toContain(`Requested by ${ANALYST.username}`);
    expect(await ublRow.locator('.four-eyes').count()).toBe(0);
    const approveUbl = ublRow.getByRole('button', { name: 'Approve' });
    expect(await approveUbl.isEnabled()).toBe(true);
    await capture(page, 'designer-21-promotion-approvable');
    await approveUbl.click();
    // Confirmed in the app's own dialog, never the browser's confirm().
    await page.getByRole('dialog', { name: 'Approve v2 for prod' }).getByRole('button', { name: 'Approve and deploy to prod' }).click();
    await page.getByText('Approved: v2 is live in prod.').waitFor();
    const ublFlow = await admin.call<{ deployments: Record<string, number | null> }>('GET', '/api/flows/ubl-invoice-to-ap');
    expect(ublFlow.body.deployments.prod).toBe(2);

    // Their own version of the camt.053 flow: the button is disabled with the four-eyes reason, and the server refuses too.
    await page.goto(`${server.url}/#/flows/camt053-cash-entries`);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const camtRow = page.getByRole('dialog', { name: 'Deploy and promote' }).locator('.promotion', { hasText: 'v2 → prod' });
    await camtRow.waitFor();
    const approveCamt = camtRow.getByRole('button', { name: 'Approve' });
    await expect.poll(() => approveCamt.isDisabled()).toBe(true);
    const reason = await camtRow.locator('.four-eyes').textContent();
    expect(reason).toMatch(/four-eyes/i);
    // The admin both requested and authored it; the reason names the first rule it breaks.
    expect(reason).toMatch(/requested|authored|edited/i);
    expect(await approveCamt.getAttribute('title')).toBe(reason?.replace(/^Four-eyes rule:\s*/, ''));
    await capture(page, 'designer-22-four-eyes-refused');
    const refused = await admin.call<{ detail: string }>('POST', `/api/promotions/${camtPromotion.body.id}/approve`);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/four-eyes/i);
    const camtFlow = await admin.call<{ deployments: Record<string, number | null> }>('GET', '/api/flows/camt053-cash-entries');
    expect(camtFlow.body.deployments.prod ?? null).toBeNull();
  }, 60_000);
});
