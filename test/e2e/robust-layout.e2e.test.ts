/**
 * Robustness of the designer, as an analyst meets it: a flow name at the
 * limit is truncated with the full text on hover and never widens a page; a
 * longer one is refused in the New flow dialog and the rename field, before
 * anything is saved; Escape closes the JSONata editor's autocomplete before
 * the editor dialog; the test-run table keeps its columns aligned with long
 * values. And the checks against dev's live database: the Postgres target's
 * table and columns picked from that database in the inspector, and a table
 * without the mapped columns shown in the problems panel.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FLOW_LIMITS } from '../../nodes/flow-limits.ts';
import { signIn as apiSignIn } from './api-call.ts';
import { serverAndBrowserForFile } from './browser.ts';
import { ADMIN, ANALYST, capture, selectNode, signIn } from './designer-steps.ts';

const FLOW = 'ubl-invoice-to-ap';
const LONG_NAME = `Supplier invoices from the Nordic subsidiaries (UBL 2.1, EN 16931) to the group AP ledger ${'with every VAT breakdown '.repeat(8)}`.slice(0, FLOW_LIMITS.nameChars);

/** Whether the page scrolls sideways (something widened the layout). */
const pageIsWiderThanWindow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

/** [is cut off, full text on hover] of the element. */
const truncation = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => [el.scrollWidth > el.clientWidth, el.getAttribute('title')]);

describe('long names, Escape, aligned tables, and the checks against the database', () => {
  const it$ = serverAndBrowserForFile();

  it('an analyst: long names truncated and refused over the limit, Escape innermost first, aligned test-run table', async () => {
    const { server, browser } = it$;
    const admin = await apiSignIn(server.url, ADMIN.username, ADMIN.password);
    await admin('POST', '/api/users', { ...ANALYST, role: 'analyst' }, 201);
    await admin('POST', `/api/flows/${FLOW}/duplicate`, { id: 'long-named', name: LONG_NAME }, 201);
    const page = await signIn(browser, server, ANALYST, { width: 1280, height: 860 });

    // The flows home: the name is cut off, the whole of it on hover, the page no wider than the window.
    const row = page.locator('tr', { hasText: 'Supplier invoices from the Nordic' });
    await row.waitFor();
    expect(await truncation(page, 'tr:has(code:text-is("long-named")) .flow-name')).toEqual([true, LONG_NAME]);
    expect(await pageIsWiderThanWindow(page)).toBe(false);
    await capture(page, 'robust-1-long-name-home');

    // One character over the limit is refused in the dialog, with the reason; nothing is created.
    await page.getByRole('button', { name: 'New flow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.getByLabel('Name', { exact: true }).fill(`${LONG_NAME}!`);
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe(`The name is ${FLOW_LIMITS.nameChars + 1} characters long; at most ${FLOW_LIMITS.nameChars} are allowed.`);
    expect(await dialog.getByRole('button', { name: 'Create flow' }).isDisabled()).toBe(true);
    expect(await dialog.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await capture(page, 'robust-2-name-refused');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // The editor's title: cut off with the full name on hover; renaming past the limit is refused and Escape keeps the name.
    await page.goto(`${server.url}/#/flows/long-named`);
    await page.locator('.react-flow__node[data-id="to-ap-invoice"]').waitFor();
    const [cut, title] = await truncation(page, '.flow-title');
    expect(cut).toBe(true);
    expect(title).toContain(LONG_NAME);
    expect(await pageIsWiderThanWindow(page)).toBe(false);
    await page.locator('.flow-title').click();
    await page.getByLabel('Flow name').fill(`${LONG_NAME}!`);
    await page.keyboard.press('Enter');
    await page.locator('#flow-rename-problem').waitFor();
    await capture(page, 'robust-3-rename-refused');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.flow-title').textContent()).toBe(LONG_NAME);

    // Escape closes the autocomplete first, then the editor dialog.
    await selectNode(page, 'to-ap-invoice');
    await page.locator('.inspector [data-pointer="/expression"]').getByRole('button', { name: 'Expand editor' }).click();
    const editorDialog = page.getByRole('dialog');
    await editorDialog.waitFor();
    await editorDialog.locator('.cm-content').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' & $subst');
    const completion = page.locator('.cm-tooltip-autocomplete');
    await completion.getByText('$substring').first().waitFor();
    await page.keyboard.press('Escape');
    await completion.waitFor({ state: 'detached' });
    expect(await editorDialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await editorDialog.waitFor({ state: 'detached' });

    // The test-run table: every row's cells start where the header's do, however long the values.
    await page.goto(`${server.url}/#/flows/${FLOW}`);
    await page.locator('.react-flow__node[data-id="to-ap-invoice"]').waitFor();
    await page.getByRole('tab', { name: /Sample data/ }).click();
    await page.locator('.sample-item.stored').first().click();
    await page.locator('.sample-item.active').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: '▶ Test run' }).click();
    await page.locator('.react-flow__node[data-id="post-ap-invoice"] .flow-node-stats').waitFor({ timeout: 60_000 });
    if (!(await page.locator('.results-panel').isVisible())) await page.getByRole('tab', { name: /Test run/ }).click();
    await page.locator('.results-panel .node-stats tr', { hasText: 'To canonical AP invoice' }).click();
    const table = page.getByRole('table', { name: 'Output records' });
    await table.locator('[role="rowgroup"] [role="row"]').first().waitFor();
    const lefts = await table.evaluate((t) => [...t.querySelectorAll('[role="row"]')].map((r) => [...r.children].map((c) => Math.round(c.getBoundingClientRect().left))));
    expect(lefts.length).toBeGreaterThan(1);
    const longest = await table.evaluate((t) => Math.max(...[...t.querySelectorAll('[role="cell"]')].map((c) => (c.getAttribute('title') ?? '').length)));
    expect(longest).toBeGreaterThan(200);
    for (const cells of lefts.slice(1)) expect(cells).toEqual(lefts[0]);
    await capture(page, 'robust-4-test-run-table');
    await page.close();
  }, 600_000);

  it("an analyst picks the target's table and columns from dev's database, and the problems panel finds a table without the mapped columns", async () => {
    const { server, browser } = it$;
    const page = await signIn(browser, server, ANALYST, { width: 1440, height: 900 });
    await page.goto(`${server.url}/#/flows/${FLOW}`);
    await page.locator('.react-flow__node[data-id="post-ap-invoice"]').waitFor();

    // Nothing missing in dev: the connection is bound and the tables have every mapped column.
    await page.getByRole('tab', { name: /Problems/ }).click();
    const findings = page.getByTestId('environment-findings');
    await expect.poll(() => findings.textContent(), { timeout: 60_000 }).toContain('✓ dev binds every connection and its database has every table and column');

    // The picker lists dev's tables and the chosen table's columns with their types.
    await selectNode(page, 'post-ap-invoice');
    await page.locator('.table-picker summary').click();
    const table = page.getByLabel("Table of 'ap' in dev");
    await table.waitFor({ timeout: 60_000 });
    expect(await table.inputValue()).toBe('ap_invoice');
    expect(await table.locator('option').allTextContents()).toEqual(expect.arrayContaining(['ap_invoice', 'ap_invoice_line']));
    const columns = page.locator('.table-picker-columns');
    expect(await columns.locator('li', { hasText: 'payable_amount' }).textContent()).toContain('numeric(18,2) not null');
    expect(await columns.getByRole('checkbox', { name: /payable_amount/ }).isChecked()).toBe(true);
    await capture(page, 'robust-5-table-picker');

    // Picking the lines table for the invoice: the panel names the columns it lacks, after the draft is saved.
    await table.selectOption('ap_invoice_line');
    await expect.poll(() => page.locator('.save-status').textContent(), { timeout: 60_000 }).toBe('Draft saved');
    if (!(await findings.isVisible())) await page.getByRole('tab', { name: /Problems/ }).click();
    await findings.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => findings.textContent(), { timeout: 60_000 }).toContain("column issue_date does not exist in table ap_invoice_line ('ap' in dev)");
    await capture(page, 'robust-6-problems-database');
    await findings.getByRole('button', { name: /issue_date does not exist/ }).click();
    await page.locator('.node-inspector code', { hasText: 'post-ap-invoice' }).waitFor();
    await page.close();
  }, 600_000);
});
