/**
 * The operator's alert, in the browser (issue 19 point 6): the operator
 * creates an alert rule on the Alerts screen, starts a run from the Runs page
 * that ends with an exception, and the alert arrives once at a local webhook
 * receiver, signed, with the link to the run; the Alerts screen lists it as
 * sent. After the analyst's fix is deployed, the operator follows the link,
 * replays the dead letter and sees it delivered.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { verifyWebhookSignature } from '../../runtime/triggers/webhook-signature.ts';
import { launchBrowser, screenshot, startTestServer, type TestServer } from './browser.ts';
import { finished, signIn, type Call } from './api-call.ts';
import { fixFlow } from './ubl-supplier-fix.ts';

const FLOW = 'ubl-invoice-to-ap';
const SECRET = 'operator-alert-secret-2026';
const INVOICE = 'INVOICE_test_7';

describe('operator alerts', () => {
  let server: TestServer;
  let receiver: Server;
  let hookUrl: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let browser: Browser;
  let page: Page;
  let admin: Call;
  let operator: Call;
  let analyst: Call;
  let runId: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { received.push({ headers: req.headers, body }); res.end('ok'); });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ops-alerts`;
    server = await startTestServer();
    admin = await signIn(server.url, 'admin', 'admin-password-1');
    await admin('POST', '/api/users', { username: 'olga', password: 'operator-password-1', role: 'operator', displayName: 'Olga Operator' }, 201);
    await admin('POST', '/api/users', { username: 'anna', password: 'analyst-password-1', role: 'analyst', displayName: 'Anna Analyst' }, 201);
    operator = await signIn(server.url, 'olga', 'operator-password-1');
    analyst = await signIn(server.url, 'anna', 'analyst-password-1');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  });

  it('an operator creates a rule, starts a run with an exception, and the alert arrives once, signed, with the link to the run', async () => {
    await page.goto(server.url);
    await page.getByLabel(/user ?name/i).fill('olga');
    await page.getByLabel(/password/i).fill('operator-password-1');
    await page.getByRole('button', { name: /sign in|log in/i }).click();
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('button', { name: 'New rule…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New alert rule' });
    await dialog.getByLabel('Name', { exact: true }).fill('AP invoices with exceptions');
    await dialog.getByLabel('Flow', { exact: true }).selectOption(FLOW);
    await dialog.getByLabel('Environment', { exact: true }).selectOption('dev');
    await dialog.getByLabel('When', { exact: true }).selectOption('exceptions-above');
    await dialog.getByLabel(/Threshold/).fill('0');
    await dialog.getByLabel('Send to', { exact: true }).selectOption('webhook');
    await dialog.getByLabel('URL', { exact: true }).fill(hookUrl);
    await dialog.getByLabel(/Signing secret/).fill(SECRET);
    await screenshot(page, 'alerts-1-new-rule');
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await page.locator('tr[data-rule="AP invoices with exceptions"]').waitFor();

    // Start the run from the Runs page, on the stored sample whose supplier has no VAT id.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('button', { name: '▶ Run a flow…' }).click();
    const run = page.getByRole('dialog');
    await run.getByLabel('Flow', { exact: true }).selectOption(FLOW);
    await run.getByLabel('Environment', { exact: true }).selectOption('dev');
    await run.getByText('A sample stored with the flow').click();
    const sample = await run.getByLabel('Stored sample').locator('option', { hasText: 'vat-outside-scope-sek' }).getAttribute('value');
    await run.getByLabel('Stored sample').selectOption(sample!);
    await run.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/#\/runs\/[^/?]+$/);
    runId = decodeURIComponent(page.url().split('#/runs/')[1]);
    expect(await finished(operator, runId)).toMatchObject({ status: 'completed_with_exceptions', counts: { quarantined: 1 } });

    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(1);
    const [hook] = received;
    expect(verifyWebhookSignature({
      secret: SECRET, timestamp: hook.headers['x-ledgerflow-timestamp'] as string, signature: hook.headers['x-ledgerflow-signature'] as string,
      rawBody: new TextEncoder().encode(hook.body), now: Date.now(),
    }).ok).toBe(true);
    const { alert } = JSON.parse(hook.body);
    expect(alert).toMatchObject({ condition: 'exceptions-above', flowId: FLOW, environment: 'dev', runId, link: `${server.url}/#/runs/${runId}` });

    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    const row = page.locator(`tr[data-alert="${alert.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Sent');
    expect(await row.textContent()).toContain('1 attempt · HTTP 200');
    await screenshot(page, 'alerts-2-sent');

    // The audit log has the rule and the alert sent.
    const audit = await admin('GET', '/api/audit?entity=alert');
    expect(audit.items).toEqual([expect.objectContaining({ action: 'alert.sent', actor: 'alerts', entityId: String(alert.id) })]);
    expect((await admin('GET', '/api/audit?entity=alert-rule')).items).toEqual([expect.objectContaining({ action: 'alert-rule.created', actor: 'olga' })]);
  }, 180_000);

  it('after the fix is deployed, the operator follows the alert to the run and replays its dead letter', async () => {
    const flow = await analyst('GET', `/api/flows/${FLOW}`);
    await analyst('PUT', `/api/flows/${FLOW}/draft`, { document: fixFlow(flow.draft) });
    const v2 = await analyst('POST', `/api/flows/${FLOW}/versions`, { message: 'Suppliers without a VAT id are keyed by registration name' }, 201);
    await analyst('POST', `/api/flows/${FLOW}/deployments`, { environment: 'dev', version: v2.version }, 201);

    await page.locator('tr[data-alert]').first().getByRole('link', { name: runId }).click();
    await page.waitForURL(new RegExp(`#/runs/${runId}$`));
    await page.getByRole('link', { name: 'Dead letters', exact: true }).click();
    const letter = page.locator(`tr[data-business-key="${INVOICE}"]`);
    await letter.waitFor();
    await letter.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replay…' }).click();
    await page.getByRole('dialog').getByLabel(/The version deployed now/).check();
    await page.getByRole('dialog').getByRole('button', { name: 'Replay', exact: true }).click();
    await expect.poll(() => page.locator('.replay-result').textContent(), { timeout: 30_000 }).toContain('1 delivered · 0 duplicate');
    await screenshot(page, 'alerts-3-replayed');
    // The replay delivered everything: no new incident, still the one alert.
    expect(received).toHaveLength(1);
    expect((await operator('GET', '/api/alerts')).items).toHaveLength(1);
  }, 180_000);
});
