/**
 * Issue 12 point 6: login throttling, same-origin changes for cookie
 * sessions, and the browser protection headers on every response.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, PASSWORD, type Harness } from '../harness.ts';

let h: Harness;
let clock = new Date('2026-12-05T10:00:00Z');
const designerDir = mkdtempSync(join(tmpdir(), 'lf-designer-'));
writeFileSync(join(designerDir, 'index.html'), '<!doctype html><div id="root"></div>');

beforeAll(async () => { h = await createHarness({ now: () => clock, designerDir }); });
afterAll(() => h.close());

const login = (username: string, password: string, address = '203.0.113.7') => h.app.request('http://localhost/api/auth/login', {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ username, password }),
});
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0];
const minutes = (n: number) => { clock = new Date(clock.getTime() + n * 60_000); };

describe('login throttling', () => {
  it('five failures lock the account for 15 minutes (429 with Retry-After, audited), even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('analyst', 'wrong', `198.51.100.${i}`)).status).toBe(401);
    const locked = await login('analyst', PASSWORD, '198.51.100.99');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBe(15 * 60);
    expect(locked.headers.get('content-type')).toContain('application/problem+json');
    const audit = await h.json('admin', 'GET', '/api/audit?entity=login&entityId=user:analyst');
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(['login.locked', ...Array(5).fill('login.failed')]);
    minutes(10);
    expect(Number((await login('analyst', PASSWORD)).headers.get('retry-after'))).toBe(5 * 60);
    minutes(5);
    expect((await login('analyst', PASSWORD)).status).toBe(200);
  });

  it('a success resets the count', async () => {
    for (let i = 0; i < 4; i++) expect((await login('operator', 'wrong')).status).toBe(401);
    expect((await login('operator', PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login('operator', 'wrong')).status).toBe(401);
    expect((await login('operator', PASSWORD)).status).toBe(200);
  });

  it('five failures from one address lock that address, whatever the usernames, and not the others', async () => {
    for (let i = 0; i < 5; i++) expect((await login(`nobody${i}`, 'wrong', '192.0.2.50')).status).toBe(401);
    expect((await login('admin', PASSWORD, '192.0.2.50')).status).toBe(429);
    expect((await login('admin', PASSWORD, '192.0.2.51')).status).toBe(200);
    minutes(16);
  });
});

describe('cookie sessions change things only from our own pages', () => {
  let cookie: string;
  beforeAll(async () => { cookie = cookieOf(await login('admin', PASSWORD, '192.0.2.99')); });
  const post = (headers: Record<string, string>) => h.app.request('http://localhost/api/tokens', {
    method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'x' }),
  });

  it.each([
    ['no Origin', {}],
    ['Origin: null', { origin: 'null' }],
    ['another origin', { origin: 'https://evil.example' }],
    ['a sibling subdomain (Sec-Fetch-Site: same-site)', { 'sec-fetch-site': 'same-site', origin: 'http://localhost' }],
    ['cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses %s with a 403 problem', async (_, headers) => {
    const res = await post(headers);
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toMatch(/own pages/);
  });

  it('accepts the same origin, or Sec-Fetch-Site: same-origin', async () => {
    expect((await post({ origin: 'http://localhost' })).status).toBe(201);
    expect((await post({ 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await h.app.request('http://localhost/api/auth/me', { headers: { cookie } })).status).toBe(200);
  });

  it('a browser on another site cannot sign a visitor in (login CSRF); scripts without the header can', async () => {
    const from = (site?: string) => h.app.request('http://localhost/api/auth/login', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.98', ...(site ? { 'sec-fetch-site': site } : {}) },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    expect((await from('cross-site')).status).toBe(403);
    expect((await from('same-site')).status).toBe(403);
    expect((await from('same-origin')).status).toBe(200);
    expect((await from()).status).toBe(200);
  });

  it('bearer tokens and signed webhooks are not affected', async () => {
    expect((await h.call('admin', 'POST', '/api/tokens', { name: 'y' }, { origin: 'null' })).status).toBe(201);
    const hook = await h.app.request('/hooks/none/dev', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(hook.status).not.toBe(403);
  });
});

describe('protection headers', () => {
  it.each([
    ['the designer', 'GET', '/'],
    ['the API reference', 'GET', '/api/docs'],
    ['an API answer', 'GET', '/api/health'],
    ['an error', 'GET', '/api/flows'],
    ['a webhook', 'POST', '/hooks/none/dev'],
    ['an unknown API path', 'GET', '/api/nothing'],
  ])('on %s', async (_, method, path) => {
    const res = await h.app.request(path, { method });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    const scripts = /script-src ([^;]*)/.exec(csp)?.[1];
    expect(scripts).toBe("'self'"); // no inline script, nothing from elsewhere, no eval
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
  });
});
