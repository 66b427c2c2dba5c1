/**
 * Reference data in the browser: an admin uploads a VAT rate set (composite
 * key, effective dates) on the Reference data page; a deployed flow's run
 * reads it and its run page names version 1; the admin uploads a new version
 * on the set's page, and the next run reads version 2 (its records carry the
 * new rate), while the set's page lists both versions with who loaded them.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { screenshot, serverAndBrowserForFile } from './browser.ts';
import { finished, signIn } from './api-call.ts';

const RATES_V1 = 'entity,code,rate,valid_from,valid_to\nNL01,S,21,2020-01-01,\nDE01,S,19,2020-01-01,\n';
const RATES_V2 = 'entity,code,rate,valid_from,valid_to\nNL01,S,21,2020-01-01,2025-12-31\nNL01,S,22,2026-01-01,\nDE01,S,19,2020-01-01,\n';

const FLOW: FlowDocument = {
  id: 'vat-enrich',
  name: 'VAT rates on invoices',
  businessKey: 'ref',
  referenceData: { rates: { stored: 'vat-rates', key: ['entity', 'code'] } },
  nodes: [
    { id: 'in', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'json' } },
    { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 220, y: 0 }, config: { expression: '$merge([$, { "rate": $ref("rates", [entity, code], date).rate }])' } },
    { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 440, y: 0 }, config: { path: 'vat.jsonl', format: 'jsonl', idempotencyKey: 'ref' } },
  ],
  edges: [{ id: 'e1', source: 'in', target: 'map' }, { id: 'e2', source: 'map', target: 'out' }],
};

async function signInPage(page: Page, url: string, username: string, password: string) {
  await page.goto(url);
  await page.getByLabel(/user ?name/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole('button', { name: /sign in|log in/i }).click();
}

describe('reference data in the browser', () => {
  const it_ = serverAndBrowserForFile();

  it('an admin uploads a set, a run uses it; a new version uploaded in the UI is what the next run reads', async () => {
    const { url } = it_.server;
    const admin = await signIn(url, 'admin', 'admin-password-1');
    await admin('POST', '/api/users', { username: 'olga', password: 'operator-password-1', role: 'operator', displayName: 'Olga Operator' }, 201);
    await admin('POST', '/api/users', { username: 'anna', password: 'analyst-password-1', role: 'analyst', displayName: 'Anna Analyst' }, 201);
    const analyst = await signIn(url, 'anna', 'analyst-password-1');
    const operator = await signIn(url, 'olga', 'operator-password-1');
    await analyst('POST', '/api/flows', { document: FLOW }, 201);
    await analyst('POST', `/api/flows/${FLOW.id}/versions`, { message: 'VAT rates by entity and tax code' }, 201);
    // Before the set exists the deploy is refused, naming it.
    const refused = await fetch(`${url}/api/flows/${FLOW.id}/deployments`, { method: 'POST' });
    expect(refused.status).toBe(401);
    await analyst('POST', `/api/flows/${FLOW.id}/deployments`, { environment: 'dev', version: 1 }, 422);

    const page = await it_.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInPage(page, url, 'admin', 'admin-password-1');
    // The flow's problems panel names the set that is not loaded, as deploy would.
    await page.getByRole('link', { name: 'Flows', exact: true }).waitFor();
    await page.goto(`${url}/#/flows/${FLOW.id}`);
    await page.getByRole('tab', { name: /Problems/ }).click();
    await expect.poll(() => page.getByTestId('reference-findings').textContent(), { timeout: 30_000 }).toContain("Reference data set 'vat-rates' (used as 'rates') is not loaded");
    await screenshot(page, 'reference-0-problems');
    await page.goto(`${url}/#/flows`);
    await page.getByRole('link', { name: 'Reference data', exact: true }).click();
    await page.getByRole('button', { name: 'Upload reference data' }).click();
    await page.getByLabel('Set name').fill('vat-rates');
    await page.getByLabel('File (CSV, JSON or JSONL)').setInputFiles({ name: 'vat-rates.csv', mimeType: 'text/csv', buffer: Buffer.from(RATES_V1) });
    await page.getByLabel('Key field(s)').fill('entity, code');
    await page.getByLabel('Valid from field').fill('valid_from');
    await page.getByLabel('Valid to field').fill('valid_to');
    await screenshot(page, 'reference-1-upload');
    await page.getByRole('button', { name: 'Load as new version' }).click();
    await page.getByRole('heading', { name: 'vat-rates' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole('table', { name: 'Versions' }).textContent()).toContain('vat-rates.csv');
    await expect.poll(() => page.getByRole('table', { name: 'Rows of version 1' }).textContent()).toContain('NL01');
    await screenshot(page, 'reference-2-set');

    await analyst('POST', `/api/flows/${FLOW.id}/deployments`, { environment: 'dev', version: 1 }, 201);
    const invoices = JSON.stringify([{ ref: 'INV-1', entity: 'NL01', code: 'S', date: '2026-03-01' }, { ref: 'INV-2', entity: 'DE01', code: 'S', date: '2026-03-01' }]);
    const first = await operator('POST', `/api/flows/${FLOW.id}/runs`, { environment: 'dev', input: { name: 'invoices.json', content: invoices } }, 202);
    expect((await finished(operator, first.runId)).status).toBe('succeeded');
    await page.goto(`${url}/#/runs/${first.runId}`);
    await expect.poll(() => page.getByTestId('run-reference-versions').textContent(), { timeout: 30_000 }).toBe('vat-rates version 1 (as rates)');

    // A new version, uploaded on the set's page: NL01 S is 22% from 2026.
    await page.goto(`${url}/#/reference-data/vat-rates`);
    await page.getByRole('button', { name: 'Upload new version' }).click();
    expect(await page.getByLabel('Key field(s)').inputValue()).toBe('entity, code');
    await page.getByLabel('File (CSV, JSON or JSONL)').setInputFiles({ name: 'vat-rates-2026.csv', mimeType: 'text/csv', buffer: Buffer.from(RATES_V2) });
    await page.getByRole('button', { name: 'Load as new version' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Loaded 3 row(s) as version 2.');
    await expect.poll(() => page.getByRole('table', { name: 'Versions' }).locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'reference-3-new-version');

    const second = await operator('POST', `/api/flows/${FLOW.id}/runs`, { environment: 'dev', input: { name: 'invoices.json', content: invoices.replaceAll('INV-', 'INV2-') } }, 202);
    expect((await finished(operator, second.runId)).status).toBe('succeeded');
    const records = await operator('GET', `/api/runs/${second.runId}/records`);
    expect(Object.fromEntries(records.items.map((t: { businessKey: string; output: { rate: string } }) => [t.businessKey, t.output.rate]))).toEqual({ 'INV2-1': '22', 'INV2-2': '19' });
    await page.goto(`${url}/#/runs/${second.runId}`);
    await expect.poll(() => page.getByTestId('run-reference-versions').textContent(), { timeout: 30_000 }).toBe('vat-rates version 2 (as rates)');
    await screenshot(page, 'reference-4-run');
    const audit = await admin('GET', '/api/audit?entity=reference-data');
    expect(audit.items.map((a: { action: string; actor: string }) => `${a.action} by ${a.actor}`)).toEqual(['reference-data.replaced by admin', 'reference-data.loaded by admin']);
  }, 300_000);
});
