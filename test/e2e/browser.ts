/**
 * Browser and server for end-to-end tests: a headless Chromium (CHROMIUM_PATH,
 * then /usr/bin/chromium, then Playwright's own) driving the real server on a
 * free port with an embedded store in a temp folder. Screenshots go to
 * test-results/screens/ as test artifacts.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer } from '../../runtime/main.ts';

const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENS = join(ROOT, 'test-results/screens');

/**
 * Debian's Chromium is the full browser in headless mode: each new window would also start the omnibox
 * popup's WebUI renderer (chrome://omnibox-popup.top-chrome), ~0.4 s of CPU on a 2-core machine while
 * the page under test opens. No user's page pays for that, so the tests and benches turn it off.
 */
const NO_BROWSER_UI = '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,PreloadTopChromeWebUI';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', NO_BROWSER_UI];

/** The Chromium to use, or an error saying how to get one. */
export function chromiumPath(): string | undefined {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium']) if (candidate && existsSync(candidate)) return candidate;
  try {
    const managed = chromium.executablePath();
    if (managed && existsSync(managed)) return managed;
  } catch {
    // no managed browser
  }
  throw new Error('No Chromium found for the browser tests: set CHROMIUM_PATH, or install Debian\'s chromium (apt-get install chromium) so /usr/bin/chromium exists.');
}

/** `withBrowserUi`: as Debian's Chromium starts by default (for the designer bench's comparison). */
export async function launchBrowser({ withBrowserUi = false } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: withBrowserUi ? CHROMIUM_ARGS.filter((a) => a !== NO_BROWSER_UI) : CHROMIUM_ARGS });
}

export interface TestServer {
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The real server (API, webhooks, designer) on an embedded store with the example flows loaded. */
export async function startTestServer(env: Record<string, string> = {}, designerDir = join(ROOT, 'dist/designer')): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lf-e2e-'));
  const server = await startServer({
    env: {
      ...process.env, LEDGERFLOW_DATA: dataDir, LEDGERFLOW_OUT: join(dataDir, 'out'), LEDGERFLOW_ADMIN_PASSWORD: 'admin-password-1',
      LEDGERFLOW_EXAMPLES_DIR: join(ROOT, 'flows'), DATABASE_URL: '', ...env,
    },
    port: 0, host: '127.0.0.1', designerDir, out: () => {},
  });
  return { url: server.url, dataDir, close: async () => { await server.close(); await rm(dataDir, { recursive: true, force: true }); } };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENS, { recursive: true });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: false });
}

/**
 * The server and a browser for one test file: started before its tests (a loaded machine may take minutes),
 * closed after them. Read `.server` and `.browser` inside the tests.
 */
export function serverAndBrowserForFile(env: Record<string, string> = {}, startTimeoutMs = 300_000): { server: TestServer; browser: Browser } {
  const it = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    it.server = await startTestServer(env);
    it.browser = await launchBrowser();
  }, startTimeoutMs);
  afterAll(async () => {
    await it.browser?.close();
    await it.server?.close();
  });
  return it;
}
