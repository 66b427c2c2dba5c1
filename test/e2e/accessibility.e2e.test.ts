/**
 * Every screen, as each role sees it, checked by axe-core (the engine behind
 * Lighthouse and the browsers' accessibility audits): no serious or critical
 * violation anywhere — the login page, the flows home, the flow editor with
 * the inspector, the visual mapper, the test-run table, the versions and a
 * diff, the deploy dialog, the runs list, a run and a record's lineage, the
 * search, dead letters, reconciliation, reference data, health, and the
 * admin screens. Every violation found is listed at once, by screen.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { finished, signIn as apiSignIn } from './api-call.ts';
import { serverAndBrowserForFile } from './browser.ts';
import { ADMIN, capture, selectNode, signIn } from './designer-steps.ts';

// Evaluated through the DevTools protocol: the app's Content-Security-Policy (script-src 'self') refuses a script tag.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FLOW = 'ubl-invoice-to-ap';
const SAMPLE = 'ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml';
const ANALYST = { username: 'ana', password: 'analyst-password-1' };
const OPERATOR = { username: 'olga', password: 'operator-password-1' };

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** The serious and critical violations axe finds on what the page shows now, one line each. */
async function violations(page: Page, screen: string): Promise<string[]> {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)}`).join(' | ')}`);
}

async function go(page: Page, hash: string, ready: string): Promise<void> {
  await page.goto(`${page.url().split('#')[0]}#${hash}`);
  await page.locator(ready).first().waitFor();
}

describe('accessibility of every screen (axe-core)', () => {
  const it$ = serverAndBrowserForFile({ LEDGERFLOW_PROMOTION_ORDER: 'off' });

  it('no serious or critical violation on any screen, for each role', async () => {
    const { server, browser } = it$;
    const admin = await apiSignIn(server.url, ADMIN.username, ADMIN.password);
    await admin('POST', '/api/users', { ...ANALYST, role: 'analyst' }, 201);
    await admin('POST', '/api/users', { ...OPERATOR, role: 'operator' }, 201);
    const { runId } = await admin('POST', `/api/flows/${FLOW}/runs`, { environment: 'dev', input: { name: `samples/${SAMPLE}` } }, 202);
    await finished(admin, runId);
    const analystApi = await apiSignIn(server.url, ANALYST.username, ANALYST.password);
    const promotion = await analystApi('POST', `/api/flows/${FLOW}/promotions`, { version: 1, environment: 'prod' }, 201);
    const found: string[] = [];

    // Signed out: the login page.
    const login = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await login.goto(server.url);
    await login.getByRole('button', { name: /sign in/i }).waitFor();
    found.push(...await violations(login, 'login'));
    await login.close();

    for (const user of [ANALYST, OPERATOR, ADMIN]) {
      const who = user.username;
      const page = await signIn(browser, server, user, { width: 1440, height: 900 });
      found.push(...await violations(page, `${who} flows home`));

      await go(page, '/runs', `tr[data-run-id="${runId}"]`);
      found.push(...await violations(page, `${who} runs`));
      await page.locator(`tr[data-run-id="${runId}"]`).click();
      await page.locator('.records-grid [data-business-key]').first().waitFor();
      found.push(...await violations(page, `${who} run detail`));
      await page.locator('.records-grid [data-business-key]').first().click();
      await page.locator('.lineage-step').first().waitFor();
      found.push(...await violations(page, `${who} lineage`));

      await go(page, '/search', 'input');
      found.push(...await violations(page, `${who} search`));
      await go(page, '/dead-letters', 'h1, h2');
      found.push(...await violations(page, `${who} dead letters`));
      await go(page, '/reconciliation', 'h1, h2');
      found.push(...await violations(page, `${who} reconciliation`));
      await go(page, '/reference-data', 'table, .empty-state');
      found.push(...await violations(page, `${who} reference data`));
      const set = page.locator('table a[href*="#/reference-data/"]').first();
      if (await set.count()) {
        await set.click();
        await page.locator('table').first().waitFor();
        found.push(...await violations(page, `${who} reference set`));
      }
      await go(page, '/health', 'h1, h2');
      found.push(...await violations(page, `${who} health`));

      // The flow editor: canvas, inspector, visual mapper, test run, versions, diff, deploy.
      await go(page, `/flows/${FLOW}`, '.react-flow__node[data-id="to-ap-invoice"]');
      found.push(...await violations(page, `${who} flow editor`));
      await selectNode(page, 'post-ap-invoice');
      found.push(...await violations(page, `${who} inspector (target)`));
      await selectNode(page, 'to-ap-invoice');
      found.push(...await violations(page, `${who} inspector (mapping)`));
      await page.getByRole('button', { name: /Open visual mapper/ }).click();
      await page.getByRole('dialog').waitFor();
      found.push(...await violations(page, `${who} visual mapper`));
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
      await page.getByRole('tab', { name: /Problems/ }).click();
      found.push(...await violations(page, `${who} problems panel`));
      if (who !== OPERATOR.username) {
        await page.getByRole('tab', { name: /Sample data/ }).click();
        found.push(...await violations(page, `${who} samples`));
        await capture(page, `a11y-${who}-samples`);
        await page.locator('.sample-item.stored').first().click();
        await page.locator('.sample-item.active').waitFor({ timeout: 60_000 });
        found.push(...await violations(page, `${who} sample loaded`));
        await page.getByRole('button', { name: '▶ Test run' }).click();
        await page.locator('.react-flow__node[data-id="post-ap-invoice"] .flow-node-stats').waitFor({ timeout: 60_000 });
        if (!(await page.locator('.results-panel').isVisible())) await page.getByRole('tab', { name: /Test run/ }).click();
        await page.locator('.results-panel .node-stats').waitFor();
        await page.locator('.results-panel .node-stats tr.clickable').last().click();
        found.push(...await violations(page, `${who} test run`));
      }
      await page.getByRole('tab', { name: /Versions/ }).click();
      await page.locator('.versions-table tr').first().waitFor();
      found.push(...await violations(page, `${who} versions`));
      const changes = page.locator('.versions-table').getByRole('button', { name: 'changes' }).first();
      if (await changes.count()) {
        await changes.click();
        await page.locator('.diff-view').waitFor();
        found.push(...await violations(page, `${who} version diff`));
        await page.locator('.diff-view').getByRole('button', { name: 'Close diff' }).click();
      }
      const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
      if (await deploy.count()) {
        await deploy.click();
        await page.getByRole('dialog').waitFor();
        found.push(...await violations(page, `${who} deploy dialog`));
        await page.keyboard.press('Escape');
      }
      await capture(page, `a11y-${who}-editor`);

      if (who === ADMIN.username) {
        for (const [hash, ready, name] of [
          ['/admin/users', 'tr[data-username]', 'users'], ['/admin/connections', 'table, .empty-state', 'connections'],
          ['/admin/promotions', 'table, .empty-state', 'promotions'], [`/admin/promotions/${promotion.id}`, 'h1, h2', 'promotion review'],
          ['/admin/deployments', 'table, .empty-state', 'deployments'], ['/admin/audit', 'table', 'audit'],
        ] as const) {
          await go(page, hash, ready);
          found.push(...await violations(page, `admin ${name}`));
          await capture(page, `a11y-admin-${name.replace(' ', '-')}`);
        }
      }
      await page.close();
    }
    expect(found, found.join('\n')).toEqual([]);
  }, 900_000);
});
