/**
 * Steps the designer browser tests share: users and sessions through the API,
 * signing in, dragging from the palette, connecting ports, and typing into the
 * JSONata editor (CodeMirror) the way a person does.
 */
import { expect } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { screenshot, type TestServer } from './browser.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };
export const ANALYST = { username: 'ana', password: 'analyst-password-1', displayName: 'Ana Lyst' };

/** The real UBL invoice with 20 lines in two VAT rates, from ../shared/data/real (as CI's clone lays it out). */
export const UBL_20_LINES = new URL('../../../shared/data/real/ubl/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml', import.meta.url);

/** A signed-in API session (the `lf_session` cookie) for test set-up and for checking what the browser did. */
export interface ApiSession {
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function apiSession(server: TestServer, user: { username: string; password: string }): Promise<ApiSession> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: user.password }),
  });
  expect(res.status, `login of ${user.username}`).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return {
    async call<T>(method: string, path: string, body?: unknown) {
      const r = await fetch(`${server.url}${path}`, {
        method, headers: { cookie, origin: server.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

/** Creates the analyst through the admin API (legitimate set-up: admins create users). */
export async function createAnalyst(admin: ApiSession): Promise<void> {
  const r = await admin.call('POST', '/api/users', { ...ANALYST, role: 'analyst' });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

export async function signIn(browser: Browser, server: TestServer, user: { username: string; password: string }, viewport = { width: 1600, height: 1000 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  await page.goto(server.url);
  await page.getByLabel(/user ?name/i).fill(user.username);
  await page.getByLabel(/password/i).fill(user.password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.getByRole('heading', { name: 'Flows', exact: true }).waitFor();
  return page;
}

/** Drags a node type from the palette onto the canvas at a point relative to the canvas. */
export async function dropNode(page: Page, type: string, at: { x: number; y: number }): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(page.locator('.canvas'), { targetPosition: at });
}

/** Drags a connection from an output port to an input port, as a person does with the mouse. */
export async function connectPorts(page: Page, from: string, fromPort: string, to: string, toPort: string): Promise<void> {
  const a = await page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source[data-handleid="${fromPort}"]`).boundingBox();
  const b = await page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target[data-handleid="${toPort}"]`).boundingBox();
  if (!a || !b) throw new Error(`Port ${from}:${fromPort} or ${to}:${toPort} is not on screen`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Selects a node on the canvas by clicking its title. */
export async function selectNode(page: Page, nodeId: string): Promise<void> {
  await page.locator(`.react-flow__node[data-id="${nodeId}"] .flow-node-title`).click();
  await page.locator('.node-inspector code', { hasText: nodeId }).waitFor();
}

/** The CodeMirror content of an inspector expression field (by its config pointer). */
export function expressionEditor(page: Page, pointer: string) {
  return page.locator(`.inspector [data-pointer="${pointer}"] .cm-content`);
}

/** Drags a source field of the mapper onto a target row. */
export async function mapField(page: Page, sourcePath: string, target: string): Promise<void> {
  await page.locator(`.mapper-source .field-row[data-path="${sourcePath}"]`).dragTo(page.locator(`.target-row[data-target="${target}"] .target-label`));
  await expect.poll(() => page.locator(`.target-row[data-target="${target}"] input`).inputValue()).toBe(sourcePath);
}

/** Opens nested groups of the mapper's source tree, outermost first. */
export async function expandSourceFields(page: Page, ...paths: string[]): Promise<void> {
  for (const p of paths) {
    const row = page.locator(`.mapper-source .field-row[data-path="${p}"]`);
    if ((await row.locator('.tree-toggle').getAttribute('aria-label')) === 'Expand') await row.locator('.tree-toggle').click();
  }
}

/** The text of a CodeMirror editor, line by line (textContent drops the line breaks). */
export async function editorText(content: Locator): Promise<string> {
  return (await content.locator('.cm-line').allTextContents()).join('\n');
}

/** A screenshot once dialogs and notices have finished fading in (a half-faded dialog looks broken). */
export async function capture(page: Page, name: string): Promise<void> {
  await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))));
  await screenshot(page, name);
}
