import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, startTestServer, type TestServer } from './browser.ts';

describe('npm start, as a newcomer meets it', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the designer, logs the admin in, and lists the example flows', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await page.getByLabel(/user ?name/i).fill('admin');
    await page.getByLabel(/password/i).fill('admin-password-1');
    await page.getByRole('button', { name: /sign in|log in/i }).click();
    for (const name of ['UBL e-invoice → AP invoice', 'camt.053 bank statement → cash entries', 'PO approved → ERP commitments']) {
      await page.getByText(name).first().waitFor({ timeout: 15_000 });
    }
    await screenshot(page, 'smoke-flows-home');
    const health = await (await fetch(`${server.url}/healthz`)).status;
    expect(health).toBe(200);
  });
});
