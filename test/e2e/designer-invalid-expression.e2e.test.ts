/**
 * An invalid JSONata expression: the editor underlines the offending
 * character with the parser's message, the problems panel lists it, and
 * saving a version is refused (in the dialog and by the server) with the
 * problem named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, startTestServer, type TestServer } from './browser.ts';
import { ANALYST, ADMIN, apiSession, capture, createAnalyst, editorText, expressionEditor, selectNode, signIn } from './designer-steps.ts';

const BROKEN = '{ "invoice": Invoice.ID,, "currency": Invoice.DocumentCurrencyCode }';
/** The second comma: JSONata reports "The symbol "," cannot be used as a unary operator" there. */
const AT = BROKEN.indexOf(',,') + 1;

describe('designer: an invalid JSONata expression', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ LEDGERFLOW_EXAMPLES: '0' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is underlined where it is wrong, listed as a problem, and blocks saving a version', async () => {
    const admin = await apiSession(server, ADMIN);
    await createAnalyst(admin);
    const analyst = await apiSession(server, ANALYST);
    const page = await signIn(browser, server, ANALYST);

    // A flow from the File → Map → File starter.
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByPlaceholder(/Supplier invoices/).fill('Broken mapping');
    await page.getByRole('button', { name: 'Create flow' }).click();
    await page.locator('.react-flow__node[data-id="map"]').waitFor();
    await selectNode(page, 'map');

    const editor = expressionEditor(page, '/expression');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(BROKEN);
    expect(await editorText(editor)).toBe(BROKEN);

    // The underline sits on the second comma, and hovering it shows the parser's message.
    const mark = editor.locator('.cm-lintRange-error');
    await mark.waitFor();
    expect(await mark.textContent()).toBe(',');
    const offset = await mark.evaluate((el) => {
      const range = document.createRange();
      range.setStart(el.closest('.cm-content')!, 0);
      range.setEndBefore(el);
      return range.toString().length;
    });
    expect(offset).toBe(AT);
    await mark.hover();
    const tooltip = page.locator('.cm-tooltip-lint');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain('The symbol "," cannot be used as a unary operator');
    await capture(page, 'designer-30-expression-error');

    // The problems panel names the node, the error and where it is.
    await page.getByRole('tab', { name: /Problems/ }).click();
    const problem = page.locator('.problems-panel .problem', { hasText: 'cannot be used as a unary operator' });
    await problem.waitFor();
    expect(await problem.textContent()).toContain(`(character ${AT + 1})`);
    expect(await page.locator('.problems-panel .problem-group-title', { hasText: 'map' }).count()).toBe(1);
    expect(await page.locator('.problems-indicator').textContent()).toBe('⚠ 1 problem');

    // Saving a version is refused, with the problem listed.
    await page.getByRole('button', { name: 'Save version', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: /Save version v1/ });
    await dialog.getByText('1 problem must be fixed first.').waitFor();
    expect(await dialog.locator('.save-problems li').allTextContents()).toEqual([expect.stringContaining('cannot be used as a unary operator')]);
    await dialog.getByPlaceholder(/Map buyer reference/).fill('Try to save a broken mapping');
    expect(await dialog.getByRole('button', { name: 'Save version' }).isDisabled()).toBe(true);
    await capture(page, 'designer-31-save-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The server refuses too: the autosaved draft has the problem, and no version exists.
    await expect.poll(async () => (await page.locator('.save-status').textContent())?.trim()).toBe('Draft saved');
    const refused = await analyst.call<{ problems: { nodeId?: string; message: string; position?: number }[] }>('POST', '/api/flows/broken-mapping/versions', { message: 'broken' });
    expect(refused.status).toBe(422);
    expect(refused.body.problems).toEqual([expect.objectContaining({ nodeId: 'map', position: AT, message: expect.stringContaining('cannot be used as a unary operator') })]);
    expect((await analyst.call<{ items: unknown[] }>('GET', '/api/flows/broken-mapping/versions')).body.items).toEqual([]);

    // Fixing the expression clears the problem.
    await selectNode(page, 'map');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(BROKEN.replace(',,', ','));
    await expect.poll(() => page.locator('.problems-indicator').textContent()).toBe('✓ No problems');
    expect(await editor.locator('.cm-lintRange-error').count()).toBe(0);
  }, 60_000);
});
