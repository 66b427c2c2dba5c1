/**
 * The match node in the designer, as an analyst meets it in the three-way-match example: in the
 * palette, on the canvas with its three input ports and three outputs, and in the inspector with
 * its sides, key parts and tolerance rules as the config schema declares them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, startTestServer, type TestServer } from './browser.ts';
import { ADMIN, capture, expressionEditor, editorText, selectNode, signIn } from './designer-steps.ts';

describe('the match node in the designer', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the three-way match with its ports, and its rules in the inspector', async () => {
    const page = await signIn(browser, server, ADMIN);
    await page.goto(`${server.url}/#/flows/three-way-match`);
    await page.getByTestId('palette-transform.match').waitFor();
    const node = page.locator('.react-flow__node[data-id="three-way-match"]');
    await node.waitFor();
    for (const port of ['order', 'receipt', 'invoice']) expect(await node.locator(`.react-flow__handle.target[data-handleid="${port}"]`).count(), port).toBe(1);
    for (const port of ['matched', 'exception', 'unmatched']) expect(await node.locator(`.react-flow__handle.source[data-handleid="${port}"]`).count(), port).toBe(1);
    await selectNode(page, 'three-way-match');
    await page.locator('.inspector').getByText('Tolerance rules').first().waitFor();
    // The rule's editor mounts after the form: wait for its text.
    await expect.poll(() => editorText(expressionEditor(page, '/rules/1/expression')), { timeout: 15_000 }).toBe('$decCmp($quantity, $decSub($received, $invoiced)) <= 0');
    // Key parts are a list, one chip a part.
    const invoiceKey = (await page.locator('.inspector [data-pointer="/invoice/key"]').textContent()) ?? '';
    expect(invoiceKey).toContain('poNumber');
    expect(invoiceKey).toContain('poLine');
    await capture(page, 'designer-match-inspector');
  }, 120_000);
});
