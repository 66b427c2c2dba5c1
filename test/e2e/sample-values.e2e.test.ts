/**
 * The values a stored sample gives a table target, checked against dev's
 * live column types in the problems panel: a UBL invoice whose issue date is
 * not a date, stored with the flow, is named under "In dev" as a sample value
 * ap_invoice's date column issue_date cannot hold, with the count of records,
 * and a click goes to the node.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { signIn as apiSignIn } from './api-call.ts';
import { serverAndBrowserForFile } from './browser.ts';
import { ADMIN, ANALYST, capture, signIn } from './designer-steps.ts';

const FLOW = 'ubl-invoice-to-ap';
const SAMPLE = new URL('../../flows/ubl-invoice-to-ap/samples/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml', import.meta.url);

describe("a stored sample's values against dev's column types", () => {
  const it$ = serverAndBrowserForFile();

  it('an analyst sees which column cannot hold which value of the sample, and how many records fail', async () => {
    const { server, browser } = it$;
    const admin = await apiSignIn(server.url, ADMIN.username, ADMIN.password);
    await admin('POST', '/api/users', { ...ANALYST, role: 'analyst' }, 201);
    const analyst = await apiSignIn(server.url, ANALYST.username, ANALYST.password);
    const xml = (await readFile(SAMPLE, 'utf8')).replace('<cbc:IssueDate>2015-01-09</cbc:IssueDate>', '<cbc:IssueDate>2015-13-45</cbc:IssueDate>');
    await analyst('POST', `/api/flows/${FLOW}/samples`, { name: 'bad-issue-date.xml', content: xml }, 201);

    const page = await signIn(browser, server, ANALYST, { width: 1440, height: 900 });
    await page.goto(`${server.url}/#/flows/${FLOW}`);
    await page.locator('.react-flow__node[data-id="post-ap-invoice"]').waitFor();
    await page.getByRole('tab', { name: /Problems/ }).click();
    const findings = page.getByTestId('environment-findings');
    await expect.poll(() => findings.textContent(), { timeout: 120_000 }).toContain(
      "column issue_date of ap_invoice: date cannot hold '2015-13-45': not a date (YYYY-MM-DD) — 1 of 1 record(s) of the sample bad-issue-date.xml do not fit",
    );
    expect(await findings.getByTestId('environment-findings-samples').textContent()).toContain('bad-issue-date.xml');
    const problem = findings.getByRole('button', { name: /issue_date of ap_invoice:/ });
    expect(await problem.locator('.problem-code').textContent()).toBe('Sample value');
    await problem.scrollIntoViewIfNeeded();
    await capture(page, 'sample-values-1-problems');
    await problem.click();
    await page.locator('.node-inspector code', { hasText: 'post-ap-invoice' }).waitFor();
    await page.close();
  }, 600_000);
});
