/** Calls to the API beside a browser test: a signed-in session as a function, and waiting for a run to end. */
import { expect } from 'vitest';

export type Call = <T = any>(method: string, path: string, body?: unknown, expected?: number) => Promise<T>;

/** Signs `username` in at `url`; each call checks its status (`expected`, or any 2xx) and returns the parsed body. */
export async function signIn(url: string, username: string, password: string): Promise<Call> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  return async (method, path, body, expected) => {
    const r = await fetch(url + path, { method, headers: { Cookie: cookie, Origin: url, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (expected !== undefined) expect(r.status, `${method} ${path}: ${text}`).toBe(expected);
    else expect(r.ok, `${method} ${path}: ${r.status} ${text}`).toBe(true);
    return text ? JSON.parse(text) : undefined;
  };
}

/** The run once it is neither queued nor running. */
export async function finished(call: Call, runId: string, timeoutMs = 120_000) {
  for (const until = Date.now() + timeoutMs; Date.now() < until;) {
    const { run } = await call('GET', `/api/runs/${runId}`);
    if (!['queued', 'running'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`run ${runId} did not finish within ${timeoutMs / 1000} s`);
}
