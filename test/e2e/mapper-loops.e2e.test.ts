/**
 * An analyst maps a real camt.054 debit/credit notification with loops, from
 * scratch: one entry per Ntry, one transaction per TxDtls inside it, fields
 * of the entry read from inside the transaction loop, a function on a row;
 * the mapping reads back from its JSONata, the "fields mapped" count ignores
 * a field with no value, and a test run of the draft writes the result.
 */
import { describe, expect, it } from 'vitest';
import { serverAndBrowserForFile } from './browser.ts';
import { ADMIN, ANALYST, apiSession, capture, connectPorts, createAnalyst, dropNode, expandSourceFields, selectNode, signIn } from './designer-steps.ts';

const CAMT054 = '/work/shared/data/real/iso20022/camt054-v02-fi-fffs-credit-debit-notification.xml';
const TARGET_SAMPLE = JSON.stringify({
  notificationId: 'N-1',
  entries: [{ reference: 'R', amount: '1.00', currency: 'EUR', transactions: [{ reference: 'T', amount: '1.00', bookingDate: '2026-01-01' }] }],
}, null, 2);

interface Mapped {
  notificationId: string;
  entries: { reference: string; amount: string; currency: string; transactions: { reference?: string; amount: string; bookingDate: string }[] }[];
}

describe('visual mapper: repeating elements of a real camt.054 map as loops', () => {
  const env = serverAndBrowserForFile({ LEDGERFLOW_EXAMPLES: '0' });

  it('maps entries and their transactions by dragging, reads the mapping back and test-runs it', async () => {
    const { server, browser } = env;
    await createAnalyst(await apiSession(server, ADMIN));
    const analyst = await apiSession(server, ANALYST);
    const page = await signIn(browser, server, ANALYST);

    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByPlaceholder(/Supplier invoices/).fill('camt.054 notifications');
    await page.getByText('Empty canvas').click();
    await page.getByRole('button', { name: 'Create flow' }).click();
    await page.locator('.canvas-empty').waitFor();
    await dropNode(page, 'source.file', { x: 140, y: 120 });
    await dropNode(page, 'transform.jsonata', { x: 460, y: 120 });
    await dropNode(page, 'target.file', { x: 140, y: 360 });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    await connectPorts(page, 'file-1', 'out', 'jsonata-1', 'in');
    await connectPorts(page, 'jsonata-1', 'out', 'file-2', 'in');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    await page.locator('.palette-groups').evaluate((el) => { el.scrollTop = 0; }); // dragging scrolled the palette
    await page.getByRole('button', { name: 'Arrange automatically' }).click();
    await page.waitForTimeout(600);
    await selectNode(page, 'file-2');
    await page.locator('.inspector [data-pointer="/path"] input').fill('notifications.jsonl');
    await selectNode(page, 'file-1');
    await page.locator('.inspector [data-pointer="/xml/recordElement"] input').fill('Document/BkToCstmrDbtCdtNtfctn/Ntfctn');

    await page.getByRole('tab', { name: /Sample data/ }).click();
    await page.locator('.samples-panel input[type=file]').setInputFiles(CAMT054);
    await page.locator('.sample-item', { hasText: 'camt054' }).waitFor();
    // The upload is stored with the flow on the server: the next session lists it under "Stored with the flow".
    await expect.poll(async () => (await analyst.call<{ items: { name: string }[] }>('GET', '/api/flows/camt-054-notifications/samples')).body.items.map((i) => i.name))
      .toEqual(['camt054-v02-fi-fffs-credit-debit-notification.xml']);

    await selectNode(page, 'jsonata-1');
    await page.getByRole('button', { name: /Open visual mapper/ }).click();
    await page.locator('.mapper').waitFor();

    // The target structure from a sample of the target document: a list of entries, each with a list of transactions.
    await page.getByRole('button', { name: 'Target structure…' }).click();
    await page.getByLabel('JSON Schema or a sample of the target document').fill(TARGET_SAMPLE);
    await page.getByRole('button', { name: 'Use as target structure' }).click();
    const row = (target: string) => page.locator(`.target-row[data-target="${target}"]`);
    await row('entries.transactions.reference').waitFor();
    await expect.poll(() => row('entries.amount').locator('input').getAttribute('placeholder')).toMatch(/repeating element on the list above first/);

    const drag = async (source: string, target: string) => {
      await page.locator(`.mapper-source .field-row[data-path="${source}"]`).dragTo(row(target).locator('.target-label'));
    };
    const value = (target: string) => row(target).locator('input.target-expr').inputValue();
    await drag('Ntfctn.Id', 'notificationId');
    await expandSourceFields(page, 'Ntfctn.Ntry');
    await drag('Ntfctn.Ntry', 'entries');
    await expect.poll(() => value('entries')).toBe('Ntfctn.Ntry');
    await drag('Ntfctn.Ntry.AcctSvcrRef', 'entries.reference');
    await expect.poll(() => value('entries.reference')).toBe('AcctSvcrRef');
    await expandSourceFields(page, 'Ntfctn.Ntry.Amt');
    await drag('Ntfctn.Ntry.Amt.`#text`', 'entries.amount');
    await drag('Ntfctn.Ntry.Amt.`@Ccy`', 'entries.currency');
    await expandSourceFields(page, 'Ntfctn.Ntry.NtryDtls');
    await drag('Ntfctn.Ntry.NtryDtls.TxDtls', 'entries.transactions');
    await expect.poll(() => value('entries.transactions')).toBe('NtryDtls.TxDtls');
    await expandSourceFields(page, 'Ntfctn.Ntry.NtryDtls.TxDtls', 'Ntfctn.Ntry.NtryDtls.TxDtls.Refs');
    await drag('Ntfctn.Ntry.NtryDtls.TxDtls.Refs.AcctSvcrRef', 'entries.transactions.reference');
    await expandSourceFields(page, 'Ntfctn.Ntry.NtryDtls.TxDtls.AmtDtls', 'Ntfctn.Ntry.NtryDtls.TxDtls.AmtDtls.TxAmt', 'Ntfctn.Ntry.NtryDtls.TxDtls.AmtDtls.TxAmt.Amt');
    await drag('Ntfctn.Ntry.NtryDtls.TxDtls.AmtDtls.TxAmt.Amt.`#text`', 'entries.transactions.amount');
    await expandSourceFields(page, 'Ntfctn.Ntry.BookgDt');
    await drag('Ntfctn.Ntry.BookgDt.Dt', 'entries.transactions.bookingDate');
    await expect.poll(() => value('entries.transactions.bookingDate')).toBe('%.%.BookgDt.Dt');
    // The parent operator is valid inside the loop: the row shows the value, not a syntax error.
    await row('entries.transactions.bookingDate').locator('.target-value').getByText(/2009-10-29/).waitFor();
    // A function on a row: the amount rounded exactly to two decimals.
    await row('entries.transactions.amount').getByLabel(/Apply a function/).selectOption('decRound');
    await expect.poll(() => value('entries.transactions.amount')).toBe('$decRound(AmtDtls.TxAmt.Amt.`#text`, 2)');

    const count = page.getByTestId('mapped-count');
    await expect.poll(() => count.textContent()).toBe('7 of 7 fields mapped with a value on the sample');
    await row('entries.transactions.amount').locator('.target-value').getByText(/1900\.00 \(\+\d+ more\)/).waitFor();
    await capture(page, 'mapper-loops-01-camt054-mapped');

    // A field that gives nothing on the sample is not counted as mapped.
    await row('notificationId').locator('input.target-expr').fill('Ntfctn.NoSuchField');
    await expect.poll(() => count.textContent()).toBe('6 of 7 fields mapped with a value on the sample');
    await row('notificationId').getByText('no value').waitFor();
    await row('notificationId').locator('input.target-expr').fill('Ntfctn.Id');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // The JSONata the mapper wrote is the node's expression; reopened, the mapper reads the loops back from it.
    await expect.poll(async () => (await page.locator('.save-status').textContent())?.trim(), { timeout: 30_000 }).toBe('Draft saved');
    const flow = await analyst.call<{ draft: { nodes: { id: string; config: Record<string, unknown> }[] } }>('GET', '/api/flows/camt-054-notifications');
    const expression = String(flow.body.draft.nodes.find((n) => n.id === 'jsonata-1')!.config.expression);
    expect(expression).toContain('"entries": [Ntfctn.Ntry.{');
    expect(expression).toContain('"transactions": [NtryDtls.TxDtls.{');
    await page.getByRole('button', { name: /Open visual mapper/ }).click();
    await expect.poll(() => value('entries.transactions')).toBe('NtryDtls.TxDtls');
    await expect.poll(() => count.textContent()).toBe('7 of 7 fields mapped with a value on the sample');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // Run it: a test run of the draft on the sample maps one notification with its six entries and their transactions.
    await page.getByRole('tab', { name: /Sample data/ }).click();
    // A loaded machine runs the dry run in a worker thread: allow it time.
    const testRun = page.waitForResponse((r) => r.url().endsWith('/test-run') && r.request().method() === 'POST', { timeout: 120_000 });
    await page.getByRole('button', { name: '▶ Test run' }).click();
    const response = await testRun;
    expect(response.status()).toBe(200);
    const result = (await response.json()) as { outputs: Record<string, { port: string; data: Mapped }[]> };
    const mapped = result.outputs['jsonata-1'][0].data;
    expect(mapped.notificationId).toBe('BANKFILEID00001NTR00001');
    expect(mapped.entries.map((e) => e.reference)).toEqual(['091029ACCTSTMTARCH04', '091029ACCTSTMTARCH21', expect.any(String), '091029ACCTSTMTARCH03', '091029NTFCTNXBCT010101', '091029ACCTSTMTERR01']);
    expect(mapped.entries[3].transactions.map((t) => t.amount)).toEqual(['2000.02', '1000.01', '1230.02']);
    // An international payment has no account servicer reference: the field is left out, not null.
    expect(mapped.entries[4].transactions[0]).toEqual({ amount: '500.00', bookingDate: '2009-10-30' });
    expect(mapped.entries[0]).toMatchObject({ amount: '2000.00', currency: 'EUR' });
    await expect.poll(() => page.locator('.react-flow__node[data-id="file-2"] .flow-node-stats').textContent(), { timeout: 60_000 }).toBe('in 1out 1');
    // The drawer opened on the results by itself.
    await page.locator('.results-panel').waitFor();
    await capture(page, 'mapper-loops-02-test-run');
  }, 240_000);
});
