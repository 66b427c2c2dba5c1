/**
 * Administration and running from the browser, per persona. The admin creates
 * a user, binds the `ap` connection in test and tests it, approves an
 * analyst's promotion to prod from the inbox (badge, impact preview, in-app
 * confirmation; four-eyes), rolls prod back (a promotion a second admin
 * approves) and finds it all in the audit log. The operator the admin created
 * starts a run in test from the Runs page on a stored sample and watches it
 * finish on the run page.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCREENS, serverAndBrowserForFile } from './browser.ts';
import { ADMIN, ANALYST, apiSession, capture, createAnalyst, signIn, type ApiSession } from './designer-steps.ts';

const FLOW = 'ubl-invoice-to-ap';
const SAMPLE = 'samples/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml';
const OPERATOR = { username: 'olga', password: 'operator-password-1' };
const SECOND_ADMIN = { username: 'bert', password: 'second-admin-password-1' };

/** The screenshot under test-results/screens, and a copy in /tmp to look at. */
async function shot(page: Page, name: string): Promise<void> {
  await capture(page, name);
  await copyFile(join(SCREENS, `${name}.png`), `/tmp/${name}.png`);
}

async function ok<T>(session: ApiSession, method: string, path: string, body?: unknown): Promise<T> {
  const r = await session.call<T>(method, path, body);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

describe('admin and operator in the browser', () => {
  // Four-eyes and roles are under test here, not the environment order.
  const it$ = serverAndBrowserForFile({ LEDGERFLOW_PROMOTION_ORDER: 'off' });

  it('admin: creates a user, binds and tests a connection, approves from the inbox, rolls back prod, reads the audit log', async () => {
    const { server, browser } = it$;
    const admin = await apiSession(server, ADMIN);
    await createAnalyst(admin);
    await ok(admin, 'POST', '/api/users', { ...SECOND_ADMIN, role: 'admin' });
    const analyst = await apiSession(server, ANALYST);
    // The analyst asks for v1 in prod; the admin, who changed nothing in it, may approve.
    await ok(analyst, 'POST', `/api/flows/${FLOW}/promotions`, { version: 1, environment: 'prod' });

    const page = await signIn(browser, server, ADMIN);
    const adminNav = page.getByRole('link', { name: /^Admin/ });
    await expect.poll(() => adminNav.textContent()).toContain('1');

    // Users: a new operator.
    await adminNav.click();
    await page.getByRole('button', { name: 'New user…' }).click();
    const userDialog = page.getByRole('dialog', { name: 'New user' });
    await userDialog.getByLabel('Username').fill(OPERATOR.username);
    await userDialog.getByLabel('Display name').fill('Olga Operator');
    await userDialog.getByLabel('Role').selectOption('operator');
    await userDialog.getByLabel('Password').fill(OPERATOR.password);
    await shot(page, 'admin19-1-new-user');
    await userDialog.getByRole('button', { name: 'Create user' }).click();
    await page.locator('tr[data-username="olga"]').waitFor();
    expect(await page.getByLabel('Role of olga').inputValue()).toBe('operator');
    await shot(page, 'admin19-2-users');

    // Connections: bind `ap` in test to its embedded database, with a secret, and test it.
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Connections' }).click();
    await page.getByLabel('Environment').selectOption('test');
    await page.getByRole('button', { name: 'New connection…' }).click();
    const conn = page.getByRole('dialog', { name: 'New connection in test' });
    await conn.getByLabel('Name (as the flows refer to it)').fill('ap');
    await conn.getByLabel('Kind').selectOption('postgres');
    await conn.getByLabel(/Embedded database/).check();
    await conn.getByRole('button', { name: '+ Set a secret' }).click();
    await conn.getByLabel('Secret name').fill('note');
    await conn.getByLabel('Value of note').fill('write-only-value-1234');
    await shot(page, 'admin19-3-connection-form');
    await conn.getByRole('button', { name: 'Save connection' }).click();
    const row = page.locator('tr[data-connection="ap"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByTestId('check-ap').textContent(), { timeout: 30_000 }).toContain('✓ The embedded database answered.');
    expect(await page.content()).not.toContain('write-only-value-1234');
    await shot(page, 'admin19-4-connections');

    // The inbox: the badge, the review with the impact preview, approval confirmed in the app.
    await page.getByRole('link', { name: /^Promotions/ }).click();
    const promo = page.locator('tr[data-promotion]', { hasText: 'prod' });
    await promo.waitFor();
    expect(await promo.textContent()).toContain('Yes');
    await shot(page, 'admin19-5-inbox');
    await promo.click();
    await page.getByRole('heading', { name: 'Impact preview' }).waitFor();
    await page.getByText(/the first version in prod/).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('note').first().textContent()).toMatch(/four-eyes/);
    await page.getByRole('button', { name: 'Approve…' }).click();
    await shot(page, 'admin19-6-approve-confirm');
    await page.getByRole('dialog', { name: 'Approve v1 for prod' }).getByRole('button', { name: 'Approve and deploy to prod' }).click();
    await page.getByText('Nothing waits for approval').waitFor({ timeout: 60_000 });
    expect((await ok<{ deployments: Record<string, number | null> }>(admin, 'GET', `/api/flows/${FLOW}`)).deployments.prod).toBe(1);
    await expect.poll(() => adminNav.textContent()).toBe('Admin');

    // v2 reaches prod (the analyst's change, approved by the second admin); then the admin rolls prod back to v1.
    const flow = await ok<{ draft: { description?: string } }>(analyst, 'GET', `/api/flows/${FLOW}`);
    await ok(analyst, 'PUT', `/api/flows/${FLOW}/draft`, { document: { ...flow.draft, description: 'AP import, second revision' } });
    await ok(analyst, 'POST', `/api/flows/${FLOW}/versions`, { message: 'second revision' });
    const second = await apiSession(server, SECOND_ADMIN);
    const v2 = await ok<{ id: string }>(analyst, 'POST', `/api/flows/${FLOW}/promotions`, { version: 2, environment: 'prod' });
    await ok(second, 'POST', `/api/promotions/${v2.id}/approve`);

    await page.getByRole('link', { name: 'Deployments' }).click();
    await page.getByLabel('Flow', { exact: true }).selectOption(FLOW);
    const prod = page.locator('section[data-environment="prod"]');
    await expect.poll(() => prod.textContent()).toContain('Runs v2');
    expect(await prod.getByRole('note').textContent()).toMatch(/four-eyes/);
    await prod.getByRole('button', { name: 'Request rollback of prod…' }).click();
    await page.getByRole('dialog', { name: 'Roll back prod to v1' }).getByRole('button', { name: 'Request the rollback' }).click();
    await prod.getByText(/Rollback to v1 requested/).waitFor();
    await shot(page, 'admin19-7-rollback-requested');
    const pending = await ok<{ items: { id: string; version: number }[] }>(second, 'GET', '/api/promotions?status=pending');
    expect(pending.items.map((p) => p.version)).toEqual([1]);
    await ok(second, 'POST', `/api/promotions/${pending.items[0].id}/approve`);
    expect((await ok<{ deployments: Record<string, number | null> }>(admin, 'GET', `/api/flows/${FLOW}`)).deployments.prod).toBe(1);

    // The audit log, filtered by flow and kind, with before and after.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Flow', { exact: true }).selectOption(FLOW);
    await page.getByLabel('What').selectOption('deployment');
    const rolledBack = page.locator('tr[data-action="deployment.rolled-back"]');
    await rolledBack.waitFor();
    expect(await rolledBack.textContent()).toContain('bert');
    await rolledBack.getByRole('button', { name: 'Before / after' }).click();
    const detail = page.locator('tr.audit-detail');
    await expect.poll(() => detail.textContent()).toMatch(/"version": 2[\s\S]*"version": 1/);
    await shot(page, 'admin19-8-audit');
    await page.close();
  }, 300_000);

  it('operator: starts a run in test from the Runs page and watches it finish', async () => {
    const { server, browser } = it$;
    const admin = await apiSession(server, ADMIN);
    await ok(admin, 'POST', `/api/flows/${FLOW}/deployments`, { environment: 'test', version: 1 });

    const page = await signIn(browser, server, OPERATOR);
    expect(await page.getByRole('link', { name: /^Admin/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('button', { name: '▶ Run a flow…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a flow' });
    await dialog.getByLabel('Flow', { exact: true }).selectOption(FLOW);
    await dialog.getByLabel('Environment', { exact: true }).selectOption('test');
    await dialog.getByText('A sample stored with the flow').click();
    await dialog.getByLabel('Stored sample').selectOption(SAMPLE);
    await shot(page, 'admin19-9-run-dialog');
    await dialog.getByRole('button', { name: '▶ Start run' }).click();
    await page.waitForURL(/#\/runs\/[^/]+$/);
    await expect.poll(() => page.locator('.run-head .status-pill').first().textContent(), { timeout: 120_000, interval: 500 }).toBe('Succeeded');
    await shot(page, 'admin19-10-run-live');
    const runId = decodeURIComponent(page.url().split('#/runs/')[1]);
    const run = await ok<{ run: { environment: string; trigger: string; triggerRef: string } }>(admin, 'GET', `/api/runs/${runId}`);
    expect(run.run).toMatchObject({ environment: 'test', trigger: 'manual', triggerRef: SAMPLE });
    await page.close();
  }, 300_000);
});
