import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, errorMessage } from '../../designer/api-client.ts';

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit }[] = []): typeof fetch {
  return (async (url: string, init?: RequestInit) => {
    seen.push({ url, init });
    const text = body === undefined ? '' : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } });
  }) as typeof fetch;
}

describe('api client', () => {
  it('sends JSON and builds queries without empty parameters', async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    const api = createApiClient('http://x', fakeFetch(200, { items: [] }, seen));
    await api.listFlows('');
    await api.diff('f 1', 2, 'draft');
    await api.deploy('f', 'dev', 3);
    expect(seen.map((s) => s.url)).toEqual(['http://x/api/flows', 'http://x/api/flows/f%201/diff?from=2&to=draft', 'http://x/api/flows/f/deployments']);
    expect(JSON.parse(String(seen[2].init!.body))).toEqual({ environment: 'dev', version: 3 });
  });

  it('calls every route by its contract key, operations included: parameters encoded, empty query values left out', async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    const api = createApiClient('', fakeFetch(200, {}, seen));
    await api.runs({ flow: 'f', status: 'failed', environment: '' }, null, 20);
    await api.record('run 1', '3.1');
    await api.call('POST /api/runs/{id}/cancel', { params: { id: 'r/2' } });
    await api.replay({ runId: 'r', against: 'deployed' });
    expect(seen.map((s) => `${s.init!.method} ${s.url}`)).toEqual([
      'GET /api/runs?flow=f&status=failed&limit=20',
      'GET /api/runs/run%201/records/3.1',
      'POST /api/runs/r%2F2/cancel',
      'POST /api/dead-letters/replay',
    ]);
    expect(JSON.parse(String(seen[3].init!.body))).toEqual({ runId: 'r', against: 'deployed' });
  });

  it('turns problem documents into errors that carry detail, problems and the required role', async () => {
    const api = createApiClient('', fakeFetch(422, { title: 'Invalid flow', status: 422, detail: 'The draft has problems', problems: [{ path: '/nodes/0', message: 'x' }, { path: '/nodes/1', message: 'y' }] }));
    const err = await api.saveVersion('f', 'm').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.message).toBe('The draft has problems (2 problems)');
    expect(err.problem.problems).toHaveLength(2);
    const forbidden = await createApiClient('', fakeFetch(403, { title: 'Forbidden', status: 403, requiredRole: 'admin' })).deleteFlow('f').catch((e) => e);
    expect(errorMessage(forbidden)).toBe('This needs the admin role.');
  });

  it('names an unreachable server plainly', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/cannot be reached/);
  });
});
