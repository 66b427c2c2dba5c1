/**
 * A newcomer's path from an empty database: an analyst builds a UBL invoice
 * flow from the palette, maps it visually and in the JSONata editor on the
 * real 20-line invoice, test-runs it, pins a mapping test and saves v1.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, startTestServer, type TestServer } from './browser.ts';
import {
  ADMIN, ANALYST, UBL_20_LINES, apiSession, capture, connectPorts, createAnalyst, dropNode, editorText, expandSourceFields, expressionEditor, mapField, selectNode, signIn,
} from './designer-steps.ts';

describe('designer: a newcomer builds a flow on an empty database', () => {
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

  it('creates, connects, maps, previews, test-runs, pins a test and saves version 1', async () => {
    const admin = await apiSession(server, ADMIN);
    expect((await admin.call<{ items: unknown[] }>('GET', '/api/flows')).body.items).toEqual([]);
    await createAnalyst(admin);
    const analyst = await apiSession(server, ANALYST);

    const page = await signIn(browser, server, ANALYST);
    await page.getByRole('heading', { name: 'No flows yet' }).waitFor();
    await capture(page, 'designer-01-empty-home');

    // Create the flow from an empty canvas.
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByPlaceholder(/Supplier invoices/).fill('UBL invoices → AP');
    await page.getByText('Empty canvas').click();
    await capture(page, 'designer-02-new-flow-dialog');
    await page.getByRole('button', { name: 'Create flow' }).click();
    await page.locator('.canvas-empty').waitFor();
    expect(page.url()).toContain('#/flows/ubl-invoices-ap');

    // Drag a file source, a JSONata map, a validation and a file target onto the canvas, then connect them.
    await dropNode(page, 'source.file', { x: 140, y: 120 });
    await dropNode(page, 'transform.jsonata', { x: 460, y: 120 });
    await dropNode(page, 'validate.record', { x: 140, y: 360 });
    await dropNode(page, 'target.file', { x: 460, y: 360 });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    await connectPorts(page, 'file-1', 'out', 'jsonata-1', 'in');
    await connectPorts(page, 'jsonata-1', 'out', 'record-1', 'in');
    await connectPorts(page, 'record-1', 'valid', 'file-2', 'in');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    await page.locator('.palette-groups').evaluate((el) => { el.scrollTop = 0; }); // dragging scrolled the palette
    await page.getByRole('button', { name: 'Arrange automatically' }).click();
    await page.waitForTimeout(600);

    // The target needs a file name; the problem disappears once it has one.
    await selectNode(page, 'file-2');
    await page.locator('.inspector [data-pointer="/path"] input').fill('ap-invoices.jsonl');
    await selectNode(page, 'record-1');
    await capture(page, 'designer-03-connected');

    // Upload the real UBL invoice.
    await page.getByRole('tab', { name: /Sample data/ }).click();
    await page.locator('.samples-panel input[type=file]').setInputFiles(fileURLToPath(UBL_20_LINES));
    await page.locator('.sample-item', { hasText: 'ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml' }).waitFor();
    await capture(page, 'designer-04-sample');

    // Visual mapper: drag source fields onto new target fields.
    await selectNode(page, 'jsonata-1');
    await page.getByRole('button', { name: /Open visual mapper/ }).click();
    const mapper = page.locator('.mapper');
    await mapper.waitFor();
    for (const field of ['invoiceNumber', 'issueDate', 'sellerName', 'currency', 'payableAmount']) {
      await page.getByPlaceholder(/New target field/).fill(field);
      await page.getByRole('button', { name: 'Add field' }).click();
    }
    await mapField(page, 'Invoice.ID', 'invoiceNumber');
    await mapField(page, 'Invoice.IssueDate', 'issueDate');
    await mapField(page, 'Invoice.DocumentCurrencyCode', 'currency');
    await expandSourceFields(page, 'Invoice.AccountingSupplierParty', 'Invoice.AccountingSupplierParty.Party', 'Invoice.AccountingSupplierParty.Party.PartyLegalEntity');
    await mapField(page, 'Invoice.AccountingSupplierParty.Party.PartyLegalEntity.RegistrationName', 'sellerName');
    await expandSourceFields(page, 'Invoice.LegalMonetaryTotal', 'Invoice.LegalMonetaryTotal.PayableAmount');
    await mapField(page, 'Invoice.LegalMonetaryTotal.PayableAmount.`#text`', 'payableAmount');
    const mapperResult = page.locator('.mapper-expression .json-view').last();
    await expect.poll(() => mapperResult.textContent()).toContain('250.33');
    for (const value of ['12115118', '2015-01-09', 'De Koksmaat', 'EUR']) expect(await mapperResult.textContent()).toContain(value);
    await capture(page, 'designer-05-visual-mapper');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // The lines, in the JSONata editor, with autocomplete of the sample's field paths and of functions.
    const editor = expressionEditor(page, '/expression');
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await page.keyboard.type(',');
    await page.keyboard.press('Enter');
    await page.keyboard.type('"lines": Invoice.InvoiceL');
    const completion = page.locator('.cm-tooltip-autocomplete');
    await completion.getByText('InvoiceLine').waitFor();
    await capture(page, 'designer-06-autocomplete');
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
    await page.keyboard.type('.{ "item": Item.Name, "quantity": $numb');
    await completion.getByText('$number').first().waitFor();
    await page.waitForTimeout(150); // CodeMirror ignores Enter on a list open for less than its interaction delay
    await page.keyboard.press('Enter');
    await page.keyboard.type('InvoicedQuantity.`#text`), "netAmount": LineExtensionAmount.`#text` ');
    // closeBrackets typed the closing brace when the block was opened.
    await expect.poll(() => editorText(editor)).toContain('"lines": Invoice.InvoiceLine.{ "item": Item.Name, "quantity": $number(InvoicedQuantity.`#text`), "netAmount": LineExtensionAmount.`#text` }\n}');

    // The live preview shows the mapped invoice with its 20 lines; the large editor shows input, expression and result side by side.
    const preview = page.locator('.inspector .preview-pane').first(); // the mapping's own preview (item key and amount fields have theirs below)
    await expect.poll(() => preview.textContent()).toContain('"netAmount": "19.90"');
    expect(await preview.textContent()).toContain('"quantity": 2');
    await page.getByRole('button', { name: 'Expand editor' }).first().click(); // the mapping's own editor, above its item fields'
    const workbench = page.locator('.expression-workbench');
    await expect.poll(() => workbench.locator('.workbench-preview').textContent()).toContain('"netAmount": "19.90"');
    await capture(page, 'designer-07-expression-workbench');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // Pin this input and output as a mapping test.
    await page.locator('.inspector').getByRole('button', { name: 'Pin as test' }).click();
    await page.getByText(/Pinned “.*” as a mapping test/).waitFor();

    // A test run of the draft on the sample: every node shows its counts on the canvas.
    await page.getByRole('tab', { name: /Sample data/ }).click(); // close the drawer: the canvas gets the room
    await page.locator('.canvas .react-flow__controls-fitview').click();
    const testRun = page.waitForResponse((r) => r.url().endsWith('/test-run') && r.request().method() === 'POST');
    await page.getByRole('button', { name: '▶ Test run' }).click();
    expect((await testRun).status()).toBe(200);
    await page.locator('.react-flow__node[data-id="file-2"] .flow-node-stats').waitFor();
    await page.getByRole('tab', { name: /Test run/ }).click();
    await capture(page, 'designer-08-test-run');

    // The counts on the canvas are those of a real dry run of the saved draft on the same file.
    await expect.poll(async () => (await page.locator('.save-status').textContent())?.trim()).toBe('Draft saved');
    const flow = await analyst.call<{ draft: unknown; problems: unknown[] }>('GET', '/api/flows/ubl-invoices-ap');
    expect(flow.body.problems).toEqual([]);
    const dry = await analyst.call<{ status: string; nodes: { nodeId: string; in: number; out: number; invalid: number; errors: number }[] }>('POST', '/api/flows/ubl-invoices-ap/test-run', {
      document: flow.body.draft, sample: { name: 'ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml', content: await readFile(UBL_20_LINES, 'utf8') },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.nodes.map((n) => n.nodeId).sort()).toEqual(['file-1', 'file-2', 'jsonata-1', 'record-1']);
    for (const n of dry.body.nodes) {
      const shown = await page.locator(`.react-flow__node[data-id="${n.nodeId}"] .flow-node-stats`).textContent();
      const expected = `in ${n.in}out ${n.out}${n.invalid ? `invalid ${n.invalid}` : ''}${n.errors ? `errors ${n.errors}` : ''}`;
      expect(shown, `counts of ${n.nodeId}`).toBe(expected);
    }
    expect(dry.body.nodes.find((n) => n.nodeId === 'file-2')).toMatchObject({ in: 1, out: 1, errors: 0 });

    // Run the pinned mapping test, then save version 1.
    await page.getByRole('tab', { name: /Mapping tests/ }).click();
    await page.getByRole('button', { name: /Run all 1/ }).click();
    await page.getByText('1 of 1 passed').waitFor();
    await capture(page, 'designer-09-mapping-tests');
    await page.getByRole('button', { name: 'Save version', exact: true }).click();
    await page.getByPlaceholder(/Map buyer reference/).fill('First mapping of UBL invoices: header fields, payable amount and lines');
    await capture(page, 'designer-10-save-version');
    await page.getByRole('dialog').getByRole('button', { name: 'Save version' }).click();
    await page.getByText('Saved version v1.').waitFor();

    const versions = await analyst.call<{ items: { version: number; author: string; message: string; testsPassed: boolean | null }[] }>('GET', '/api/flows/ubl-invoices-ap/versions');
    expect(versions.body.items).toHaveLength(1);
    expect(versions.body.items[0]).toMatchObject({ version: 1, author: ANALYST.username, testsPassed: true });
    const v1 = await analyst.call<{ document: { nodes: { id: string }[]; edges: unknown[]; tests?: unknown[] } }>('GET', '/api/flows/ubl-invoices-ap/versions/1');
    expect(v1.body.document.nodes.map((n) => n.id).sort()).toEqual(['file-1', 'file-2', 'jsonata-1', 'record-1']);
    expect(v1.body.document.edges).toHaveLength(3);
    expect(v1.body.document.tests).toHaveLength(1);
    await page.getByRole('tab', { name: /Versions/ }).click();
    await page.locator('.versions-table').getByText('v1').waitFor();
    await capture(page, 'designer-11-versions');
  }, 90_000);
});
