/**
 * Two people editing one draft (issue 15, point 9): the later save, based on a stale revision, gets 409 and the
 * designer shows the conflict banner; "Overwrite with mine" and "Reload their draft" both work, and nothing is
 * lost without the user choosing. Object keys keep their order end to end: the flow file, the API, the designer
 * (loaded, edited, saved) and the exported file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serverAndBrowserForFile, type TestServer } from './browser.ts';
import { ADMIN, ANALYST, apiSession, capture, createAnalyst, selectNode, signIn, type ApiSession } from './designer-steps.ts';

const FLOW = 'po-approved-to-erp';
/** Saves go through a debounce and the server on a loaded machine: wait for them generously. */
const POLL = { timeout: 30_000, interval: 100 };
const FILE = new URL(`../../flows/${FLOW}/flow.json`, import.meta.url);

interface Draft { nodes: { id: string; label?: string }[] }

/** Every object's keys in order, by JSON path, e.g. `nodes.4.config: connection,table,mode,…`. */
function keyOrders(value: unknown, path = '$', into = new Map<string, string[]>()): Map<string, string[]> {
  if (Array.isArray(value)) value.forEach((v, i) => { keyOrders(v, `${path}.${i}`, into); });
  else if (value && typeof value === 'object') {
    into.set(path, Object.keys(value));
    for (const [k, v] of Object.entries(value)) keyOrders(v, `${path}.${k}`, into);
  }
  return into;
}

async function openFlow(page: Page, server: TestServer): Promise<void> {
  await page.goto(`${server.url}/#/flows/${FLOW}`);
  await page.locator('.react-flow__node[data-id="erp-us"]').waitFor();
  await expect.poll(async () => (await page.locator('.save-status').textContent())?.trim(), POLL).toBe('Draft saved');
}

async function relabel(page: Page, nodeId: string, label: string): Promise<void> {
  await selectNode(page, nodeId);
  await page.locator('.node-inspector .inspector-head input').fill(label);
}

const saveStatus = async (page: Page) => (await page.locator('.save-status').textContent())?.trim();
const labels = async (api: ApiSession) => Object.fromEntries((await api.call<{ draft: Draft }>('GET', `/api/flows/${FLOW}`)).body.draft.nodes.map((n) => [n.id, n.label]));

describe('designer: two people editing one draft', () => {
  const started = serverAndBrowserForFile();

  it('the later save gets a conflict banner; overwrite and reload both work, nothing lost silently; key order kept', async () => {
    const { server, browser } = started;
    const admin = await apiSession(server, ADMIN);
    await createAnalyst(admin);
    const ana = await signIn(browser, server, ANALYST);
    const adm = await signIn(browser, server, ADMIN);
    const before = await labels(admin);
    // Both open the draft at the same revision.
    await openFlow(ana, server);
    await openFlow(adm, server);

    // Ana saves first.
    await relabel(ana, 'to-commitment', 'Commitment (Ana)');
    await expect.poll(() => labels(admin), POLL).toMatchObject({ 'to-commitment': 'Commitment (Ana)' });
    await expect.poll(() => saveStatus(ana), POLL).toBe('Draft saved');

    // The admin's save is based on the revision before Ana's: refused (409), the banner says so, nothing saved.
    await relabel(adm, 'erp-us', 'US ERP (admin)');
    const banner = adm.getByTestId('draft-conflict');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(ANALYST.username);
    await expect.poll(() => saveStatus(adm), POLL).toBe('Changed by someone else');
    await capture(adm, 'designer-40-draft-conflict');
    expect(await labels(admin)).toMatchObject({ 'to-commitment': 'Commitment (Ana)', 'erp-us': before['erp-us'] });
    // The admin's edit is still on their screen, not dropped.
    expect(await adm.locator('.node-inspector .inspector-head input').inputValue()).toBe('US ERP (admin)');

    // Overwrite with mine: the admin's draft is saved over Ana's, by their explicit choice.
    await banner.getByRole('button', { name: 'Overwrite with mine' }).click();
    await expect.poll(() => saveStatus(adm), POLL).toBe('Draft saved');
    expect(await banner.count()).toBe(0);
    await expect.poll(() => labels(admin), POLL).toMatchObject({ 'erp-us': 'US ERP (admin)', 'to-commitment': before['to-commitment'] });

    // Ana, now behind, edits: refused in turn; "Reload their draft" shows the admin's draft and drops her unsaved edit.
    await relabel(ana, 'erp-eu', 'EU ERP (Ana)');
    const anaBanner = ana.getByTestId('draft-conflict');
    await anaBanner.waitFor();
    expect(await anaBanner.textContent()).toContain(ADMIN.username);
    expect((await labels(admin))['erp-eu']).toBe(before['erp-eu']);
    await anaBanner.getByRole('button', { name: 'Reload their draft' }).click();
    expect(await anaBanner.count()).toBe(0);
    await expect.poll(() => ana.locator('.react-flow__node[data-id="erp-us"] .flow-node-title').textContent(), POLL).toContain('US ERP (admin)');
    expect(await ana.locator('.react-flow__node[data-id="erp-eu"] .flow-node-title').textContent()).not.toContain('EU ERP (Ana)');
    // Working on the reloaded draft saves normally again, on top of the admin's edit.
    await relabel(ana, 'erp-eu', 'EU ERP (Ana, again)');
    await expect.poll(() => labels(admin), POLL).toMatchObject({ 'erp-us': 'US ERP (admin)', 'erp-eu': 'EU ERP (Ana, again)' });
    await expect.poll(() => saveStatus(ana), POLL).toBe('Draft saved');

    // Key order end to end: every object of the file keeps its keys' order through API, designer, saves and export.
    const file = keyOrders(JSON.parse(readFileSync(FILE, 'utf8')));
    const exported = keyOrders((await admin.call('GET', `/api/flows/${FLOW}/export`)).body);
    let compared = 0;
    for (const [path, keys] of file) {
      const got = exported.get(path);
      if (!got) continue;
      const common = keys.filter((k) => got.includes(k));
      expect(got.filter((k) => common.includes(k)), path).toEqual(common);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  }, 240_000);
});
