import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestLog } from '../../../runtime/api/middleware/request-log.ts';
import type { AppEnv } from '../../../runtime/api/app-env.ts';
import { captureLogger } from '../observability/capture-logger.ts';

function app() {
  const { logger, lines } = captureLogger('debug');
  const a = new Hono<AppEnv>();
  a.use('*', requestLog(logger));
  a.onError((_err, c) => c.text('failed', 500));
  a.get('/api/ok', (c) => {
    c.get('log').info({ runId: 'run-1' }, 'queued');
    return c.json({ ok: true });
  });
  a.get('/api/moved', () => Response.redirect('http://localhost/elsewhere', 302));
  a.get('/api/boom', () => { throw new Error('boom'); });
  a.get('/healthz', (c) => c.json({ status: 'ok' }));
  return { a, lines };
}

describe('request ids and request log lines', () => {
  it('every response carries X-Request-Id, a new UUID unless a sane one came in', async () => {
    const { a } = app();
    const fresh = await a.request('/api/ok');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const given = await a.request('/api/ok', { headers: { 'X-Request-Id': 'lb-7f3a.42:1' } });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a.42:1');
    for (const bad of ['has space', 'x'.repeat(129), 'quote"', 'new\\nline']) {
      const res = await a.request('/api/ok', { headers: { 'X-Request-Id': bad } });
      expect(res.headers.get('x-request-id')).not.toBe(bad);
    }
    for (const path of ['/api/moved', '/api/boom', '/nowhere', '/healthz']) {
      expect((await a.request(path)).headers.get('x-request-id'), path).toBeTruthy();
    }
  });

  it('one JSON line per request with level, time and reqId; route lines carry the reqId too', async () => {
    const { a, lines } = app();
    const res = await a.request('/api/ok', { headers: { 'X-Request-Id': 'req-1' } });
    expect(res.status).toBe(200);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', reqId: 'req-1', runId: 'run-1', msg: 'queued' });
    expect(lines[1]).toMatchObject({ level: 'info', reqId: 'req-1', method: 'GET', path: '/api/ok', status: 200, msg: 'request' });
    expect(typeof lines[1].ms).toBe('number');
    expect(Date.parse(lines[1].time)).not.toBeNaN();
    await a.request('/api/boom', { headers: { 'X-Request-Id': 'req-2' } });
    expect(lines.at(-1)).toMatchObject({ level: 'error', reqId: 'req-2', status: 500, msg: 'request failed' });
    await a.request('/healthz');
    expect(lines.at(-1)).toMatchObject({ level: 'debug', path: '/healthz' });
  });
});
