/**
 * The operator's day, in the browser: a run with exceptions is flagged; the
 * operator opens it, finds the failing invoice by business key, reads its
 * lineage and the validation message; after an analyst's fix is saved and
 * deployed, replays it from the dead-letter queue against the deployed
 * version and sees it delivered; replays again and sees a duplicate. The AP
 * table is then counted in the `ap` connection's own embedded database (opened
 * after the server stopped): exactly one row for the invoice.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../../runtime/main.ts';
import { openDatabase } from '../../runtime/store/open-store.ts';
import { targetDatabase } from '../../runtime/store/target-databases.ts';
import { launchBrowser, screenshot } from './browser.ts';
import { finished, signIn, type Call } from './api-call.ts';
import { fixFlow } from './ubl-supplier-fix.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FLOW = 'ubl-invoice-to-ap';
const SAMPLE = 'ubl-invoice-en16931-vat-outside-scope-sek.xml';
const INVOICE = 'INVOICE_test_7';
const SUPPLIER = 'The Sellercompany Incorporated';

describe('operator console', () => {
  let url: string;
  let close: () => Promise<void>;
  let dataDir: string;
  let browser: Browser;
  let admin: Call;
  let analyst: Call;
  let operator: Call;
  let page: Page;
  let failedRunId: string;

  beforeAll(async () => {
    // The harness's startTestServer, but keeping the data folder: the AP table is counted after the server stops.
    dataDir = await mkdtemp(join(tmpdir(), 'lf-e2e-operator-'));
    const server = await startServer({
      env: { ...process.env, LEDGERFLOW_DATA: dataDir, LEDGERFLOW_OUT: join(dataDir, 'out'), LEDGERFLOW_ADMIN_PASSWORD: 'admin-password-1', LEDGERFLOW_EXAMPLES_DIR: join(ROOT, 'flows'), DATABASE_URL: '' },
      port: 0, host: '127.0.0.1', designerDir: join(ROOT, 'dist/designer'), out: () => {},
    });
    url = server.url;
    close = server.close;
    browser = await launchBrowser();
    admin = await signIn(url, 'admin', 'admin-password-1');
    await admin('POST', '/api/users', { username: 'olga', password: 'operator-password-1', role: 'operator', displayName: 'Olga Operator' }, 201);
    await admin('POST', '/api/users', { username: 'anna', password: 'analyst-password-1', role: 'analyst', displayName: 'Anna Analyst' }, 201);
    analyst = await signIn(url, 'anna', 'analyst-password-1');
    operator = await signIn(url, 'olga', 'operator-password-1');
    // A clean run and the failing one: the supplier on this invoice has no VAT id.
    const ok = await operator('POST', `/api/flows/${FLOW}/runs`, { environment: 'dev', input: { name: 'samples/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml' } }, 202);
    expect((await finished(operator, ok.runId)).status).toBe('succeeded');
    const content = await readFile(join(ROOT, 'flows', FLOW, 'samples', SAMPLE), 'utf8');
    failedRunId = (await operator('POST', `/api/flows/${FLOW}/runs`, { environment: 'dev', input: { name: SAMPLE, content } }, 202)).runId;
    const failed = await finished(operator, failedRunId);
    expect(failed).toMatchObject({ status: 'completed_with_exceptions', counts: { read: 1, quarantined: 1, delivered: 0 } });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await close?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('an operator finds a flagged run, its failing invoice and why it failed', async () => {
    await page.goto(url);
    await page.getByLabel(/user ?name/i).fill('olga');
    await page.getByLabel(/password/i).fill('operator-password-1');
    await page.getByRole('button', { name: /sign in|log in/i }).click();
    await page.getByRole('link', { name: 'Runs', exact: true }).click();

    const row = page.locator(`tr[data-run-id="${failedRunId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.locator('.exception-flag').textContent()).toContain('1');
    await expect.poll(() => row.locator('.status-pill').textContent()).toBe('With exceptions');
    await expect.poll(() => page.locator('.tab-badge.count-completed_with_exceptions').textContent()).toBe('1');
    await screenshot(page, 'operator-1-runs');

    await row.click();
    await page.getByTestId('run-graph').locator('.react-flow__node').first().waitFor();
    expect(await page.getByTestId('run-graph').locator('.react-flow__node').count()).toBe(4);
    await expect.poll(() => page.getByTestId('node-check-invoice').locator('.stat-invalid').textContent()).toBe('invalid 1');
    await expect.poll(() => page.getByTestId('reconciliation').textContent()).toContain('Closes');
    expect(await page.getByTestId('reconciliation').textContent()).toContain('3,200');
    await page.locator('.records-grid [data-business-key]').first().waitFor();
    await screenshot(page, 'operator-2-run-detail');

    // Business-key search across all runs and flows.
    await page.getByRole('link', { name: 'Search', exact: true }).click();
    await page.getByLabel('Business key').fill(INVOICE);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = page.locator('tr.clickable', { hasText: 'Quarantined' });
    await hit.waitFor();
    await screenshot(page, 'operator-3-search');
    await hit.click();

    const failures = page.getByRole('list', { name: 'Validation failures' });
    await failures.waitFor();
    const text = await failures.textContent();
    expect(text).toContain('supplier-identified');
    expect(text).toContain(`Supplier '${SUPPLIER}' has no VAT id on the invoice, so it cannot be matched to the supplier master`);
    expect(text).toContain('supplier-known');
    expect(await page.locator('.lineage-step').count()).toBe(3);
    // Sensitive fields are masked by the server before the lineage reaches the browser.
    expect(await page.locator('.lineage-steps').textContent()).not.toContain('Anthon@SellerCompany.se');
    await screenshot(page, 'operator-4-lineage');
  });

  it('after the analyst\'s fix is deployed, a replay delivers it; replaying again counts a duplicate', async () => {
    const flow = await analyst('GET', `/api/flows/${FLOW}`);
    await analyst('PUT', `/api/flows/${FLOW}/draft`, { document: fixFlow(flow.draft) });
    const v2 = await analyst('POST', `/api/flows/${FLOW}/versions`, { message: 'Suppliers without a VAT id are keyed by registration name' }, 201);
    await analyst('POST', `/api/flows/${FLOW}/deployments`, { environment: 'dev', version: v2.version }, 201);

    await page.getByRole('link', { name: 'Dead letters', exact: true }).click();
    const letter = page.locator(`tr[data-business-key="${INVOICE}"]`);
    await letter.waitFor();
    expect(await letter.textContent()).toContain('validation');
    await screenshot(page, 'operator-5-dead-letters');

    await letter.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replay…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Version ${v2.version} in dev`).waitFor();
    await dialog.getByLabel(/The version deployed now/).check();
    await screenshot(page, 'operator-6-replay-dialog');
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    const result = page.locator('.replay-result');
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toContain('1 delivered · 0 duplicate');
    await expect.poll(() => page.locator(`tr[data-business-key="${INVOICE}"]`).count()).toBe(0);
    await screenshot(page, 'operator-7-replayed');

    // Replay again: the dead letter is replayed now; the target already holds the invoice.
    await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Replayed' }).click();
    const replayed = page.locator(`tr[data-business-key="${INVOICE}"]`);
    await replayed.waitFor();
    await replayed.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replay again…' }).click();
    await page.getByRole('dialog').getByLabel(/The version deployed now/).check();
    await page.getByRole('dialog').getByRole('button', { name: 'Replay', exact: true }).click();
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toContain('0 delivered · 1 duplicate');
    await screenshot(page, 'operator-8-replayed-again');

    // The invoice's history across runs: quarantined (v1), delivered (v2), duplicate (v2), newest first.
    const found = await operator('GET', `/api/search?businessKey=${INVOICE}`);
    expect(found.items.map((t: { outcome: string }) => t.outcome)).toEqual(['duplicate', 'delivered', 'quarantined']);
    const [dup, delivered] = found.items;
    expect(delivered.idempotencyKey).toBe(`NAME:${SUPPLIER}/${INVOICE}`);
    expect(dup.idempotencyKey).toBe(delivered.idempotencyKey);
    expect(delivered.version).toBe(v2.version);
    await page.getByRole('link', { name: 'Search', exact: true }).click();
    await page.getByLabel('Business key').fill(INVOICE);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('tr.clickable', { hasText: 'Duplicate' }).waitFor();
    expect(await page.locator('tr.clickable').count()).toBe(3);
    await screenshot(page, 'operator-9-search-history');
    await page.locator('tr.clickable', { hasText: 'Delivered' }).click();
    await page.getByTestId('target-ref').waitFor();
    await screenshot(page, 'operator-10-delivered-lineage');

    // Replays and the discard-free path are audited.
    const audit = await admin('GET', '/api/audit?action=dead-letter.replay-queued');
    expect(audit.items.filter((a: { action: string; actor: string }) => a.action === 'dead-letter.replay-queued' && a.actor === 'olga')).toHaveLength(2);
  });

  it('the health and reconciliation screens show the day', async () => {
    await page.getByRole('link', { name: 'Reconciliation', exact: true }).click();
    await page.locator('.recon-daily tbody tr').first().waitFor();
    expect(await page.locator('.recon-daily').textContent()).toContain('3,200.00 SEK');
    await screenshot(page, 'operator-11-reconciliation');
    await page.getByRole('link', { name: 'Health', exact: true }).click();
    await page.locator('.uplot-box canvas').first().waitFor();
    await screenshot(page, 'operator-12-health');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^ledgerflow_records_failed_last_hour\{error_class="validation"\} 1$/m);
  });

  it('the AP table holds exactly one row for the invoice (counted in the stopped server\'s database)', async () => {
    await browser.close();
    await close();
    close = async () => {};
    const database = await openDatabase({ dataDir: join(dataDir, 'pgdata') });
    try {
      // The `ap` connection's own embedded database (<data>/connections/ap), not the store.
      const { rows } = await targetDatabase(database, 'ap').query<{ n: unknown; supplier: string }>(
        'select count(*) as n, min(supplier_vat_id) as supplier from ap_invoice where invoice_number = $1', [INVOICE]);
      expect(Number(rows[0].n)).toBe(1);
      expect(rows[0].supplier).toBe(`NAME:${SUPPLIER}`);
    } finally {
      await database.close();
    }
  });
});
