/** Point 2: login with a session cookie, API tokens, users and roles. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, PASSWORD, type Harness } from './harness.ts';

let h: Harness;

async function login(username: string, password = PASSWORD, url = 'http://localhost/api/auth/login') {
  return h.app.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0];

beforeAll(async () => { h = await createHarness(); });
afterAll(() => h.close());

describe('login and sessions', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and /me answers with the user', async () => {
    const res = await login('analyst');
    expect(res.status).toBe(200);
    expect((await res.json()).user).toEqual({ id: h.users.analyst.id, username: 'analyst', role: 'analyst', displayName: 'analyst' });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^lf_session=lfs_[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
    const me = await h.app.request('/api/auth/me', { headers: { cookie: cookieOf(res) } });
    expect((await me.json()).user.username).toBe('analyst');
  });

  it('marks the cookie Secure when the request is https', async () => {
    expect((await login('analyst', PASSWORD, 'https://ledgerflow.example/api/auth/login')).headers.get('set-cookie')).toContain('Secure');
  });

  it('stores only a hash of the session token', async () => {
    const token = cookieOf(await login('operator')).split('=')[1];
    const { rows } = await h.store.sql.query<{ token_hash: string }>('select token_hash from sessions');
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('a wrong password or unknown user: 401 with the same message', async () => {
    const a = await login('analyst', 'wrong password');
    const b = await login('nobody', 'wrong password');
    expect([a.status, b.status]).toEqual([401, 401]);
    expect((await a.json()).detail).toBe((await b.json()).detail);
    expect(a.headers.get('set-cookie')).toBeNull();
  });

  it('logout ends the session', async () => {
    const cookie = cookieOf(await login('analyst'));
    expect((await h.app.request('/api/auth/logout', { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin' } })).status).toBe(204);
    expect((await h.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(401);
  });

  it('an expired session is not accepted', async () => {
    let now = Date.now();
    const timed = await createHarness({ now: () => new Date(now), sessionTtlMs: 60_000 });
    try {
      const res = await timed.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
      const cookie = cookieOf(res);
      expect((await timed.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(200);
      now += 61_000;
      expect((await timed.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(401);
    } finally {
      await timed.close();
    }
  }, 120_000); // a second harness of its own: a store to open and migrate, slow on a busy machine

  it('refuses a cookie-authenticated change from another origin', async () => {
    const cookie = cookieOf(await login('admin'));
    const res = await h.app.request('/api/tokens', { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(res.status).toBe(403);
    const same = await h.app.request('http://localhost/api/tokens', { method: 'POST', headers: { cookie, origin: 'http://localhost', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(same.status).toBe(201);
  });

  it('without credentials: 401 problem document', async () => {
    const res = await h.app.request('/api/flows');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, title: 'Not signed in' });
  });
});

describe('API tokens', () => {
  it('are shown once, authenticate as Bearer, and stop working when revoked', async () => {
    const created = await h.json('operator', 'POST', '/api/tokens', { name: 'ci script' }, 201);
    expect(created.token).toMatch(/^lft_/);
    const me = await h.app.request('/api/auth/me', { headers: { authorization: `Bearer ${created.token}` } });
    expect((await me.json()).user.username).toBe('operator');
    const { items } = await h.json('operator', 'GET', '/api/tokens');
    expect(items.find((t: { id: string }) => t.id === created.id)).toMatchObject({ name: 'ci script' });
    expect(JSON.stringify(items)).not.toContain(created.token);
    expect((await h.call('analyst', 'DELETE', `/api/tokens/${created.id}`)).status).toBe(404);
    expect((await h.call('operator', 'DELETE', `/api/tokens/${created.id}`)).status).toBe(204);
    expect((await h.app.request('/api/auth/me', { headers: { authorization: `Bearer ${created.token}` } })).status).toBe(401);
  });
});

describe('users (admin)', () => {
  let userId: string;

  it('an admin creates a user; the password hash never appears', async () => {
    const user = await h.json('admin', 'POST', '/api/users', { username: 'carol', password: 'long enough pw', role: 'analyst', displayName: 'Carol' }, 201);
    userId = user.id;
    expect(user).toMatchObject({ username: 'carol', role: 'analyst', displayName: 'Carol', disabled: false });
    expect(JSON.stringify(user)).not.toMatch(/scrypt|password/i);
    const { rows } = await h.store.sql.query<{ password_hash: string }>('select password_hash from users where id = $1', [user.id]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect((await login('carol', 'long enough pw')).status).toBe(200);
  });

  it('refuses a short password and a taken username', async () => {
    const weak = await h.call('admin', 'POST', '/api/users', { username: 'dave', password: 'short', role: 'operator' });
    expect(weak.status).toBe(422);
    expect((await weak.json()).problems[0].path).toBe('/password');
    expect((await h.call('admin', 'POST', '/api/users', { username: 'carol', password: 'long enough pw', role: 'operator' })).status).toBe(409);
  });

  it('non-admins cannot manage users (403 naming admin)', async () => {
    for (const who of ['analyst', 'operator'] as const) {
      const res = await h.call(who, 'POST', '/api/users', { username: 'eve', password: 'long enough pw', role: 'admin' });
      expect(res.status).toBe(403);
      expect((await res.json()).requiredRole).toBe('admin');
      expect((await h.call(who, 'GET', '/api/users')).status).toBe(403);
    }
    expect(await h.repos.users.findByUsername('eve')).toBeNull();
  });

  it('disabling a user ends their sessions and blocks login; the audit log has before and after', async () => {
    const cookie = cookieOf(await login('carol', 'long enough pw'));
    await h.json('admin', 'PATCH', `/api/users/${userId}`, { disabled: true });
    expect((await h.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(401);
    expect((await login('carol', 'long enough pw')).status).toBe(401);
    const { items } = await h.json('admin', 'GET', `/api/audit?entity=user&entityId=${userId}`);
    expect(items[0]).toMatchObject({ action: 'user.disabled', actor: 'admin', before: { disabled: false }, after: { disabled: true } });
    expect(JSON.stringify(items)).not.toMatch(/scrypt/);
  });

  it('a new password is audited without the password', async () => {
    await h.json('admin', 'PATCH', `/api/users/${userId}`, { disabled: false, password: 'another long pw' });
    expect((await login('carol', 'another long pw')).status).toBe(200);
    const { items } = await h.json('admin', 'GET', `/api/audit?entity=user&entityId=${userId}`);
    expect(items[0].after.passwordChanged).toBe(true);
    expect(JSON.stringify(items)).not.toContain('another long pw');
  });

  it('will not remove the last active admin', async () => {
    await h.json('admin', 'PATCH', `/api/users/${h.users.admin2.id}`, { role: 'analyst' });
    const res = await h.call('admin', 'PATCH', `/api/users/${h.users.admin.id}`, { disabled: true });
    expect(res.status).toBe(409);
    expect((await h.repos.users.getUser(h.users.admin.id))!.disabled).toBe(false);
    await h.repos.users.updateUser(h.users.admin2.id, { role: 'admin' });
  });

  it('unknown user: 404', async () => {
    expect((await h.call('admin', 'PATCH', '/api/users/usr_nope', { role: 'admin' })).status).toBe(404);
  });
});
