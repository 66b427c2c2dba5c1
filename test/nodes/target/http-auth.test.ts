/**
 * `target.http` on a connection with `auth`: the same credentials the HTTP
 * source uses (http-auth.ts) — an OAuth2 token fetched once, renewed once on
 * a 401 and the record sent again with the same Idempotency-Key; a refused
 * client secret fails the records without the secret in the message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpAuth, TargetItem } from '../../../nodes/define-node.ts';
import { createHttpAuthorizer } from '../../../nodes/http-auth.ts';
import { httpTarget } from '../../../nodes/target/http.ts';
import { startProcurementApi, type ProcurementApi } from '../source/procurement-api.ts';
import { connections, setupContext, targetContext } from './target-test-context.ts';

let api: ProcurementApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const items: TargetItem[] = Array.from({ length: 5 }, (_, i) => ({ key: `k${i + 1}`, data: { id: `ERP-${i + 1}` } }));

async function write(a: ProcurementApi, clientSecret: string) {
  const auth: HttpAuth = { type: 'oauth2-client-credentials', tokenUrl: a.tokenUrl, clientId: 'ledgerflow', clientSecret };
  const target = httpTarget.create({ ...httpTarget.defaults, connection: 'erp', path: '/orders/search', concurrency: 1 }, setupContext('post'));
  return target.write(items, targetContext({ connections: connections({}, { erp: { baseUrl: a.baseUrl, headers: {}, auth } }) }));
}

describe('target.http with OAuth2 client credentials', () => {
  it('sends a token, renews it once when it expires, and resends the refused record', async () => {
    api = await startProcurementApi({ orders: 0, auth: 'oauth2', tokenServes: 2 });
    const outcomes = await write(api, 'client-secret-4711');
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(api.stats.tokenRequests).toBe(3);
    expect(api.stats.unauthorized).toBe(2);
    expect(api.stats.seen.map((s) => s.params.id)).toEqual(['ERP-1', 'ERP-2', 'ERP-3', 'ERP-3', 'ERP-4', 'ERP-5', 'ERP-5']);
  });

  it('a refused client secret fails every record naming the connection, never the secret', async () => {
    api = await startProcurementApi({ orders: 0, auth: 'oauth2' });
    const outcomes = await write(api, 'wrong-secret-xyz');
    expect(api.stats.listRequests).toBe(0);
    for (const o of outcomes) {
      expect(o.ok).toBe(false);
      if (o.ok) continue;
      expect(o.error.errorClass).toBe('permanent');
      expect(o.error.message).toMatch(/^the token endpoint of connection 'erp' .* refused the client credentials with 401 Unauthorized: .*invalid_client/);
      expect(o.error.message).not.toContain('wrong-secret-xyz');
    }
  });
});

describe('OAuth2 token renewal', () => {
  it('a late 401 to a request with an old token does not throw away the new one', async () => {
    let issued = 0;
    const fetchToken = (async () => new Response(JSON.stringify({ access_token: `tok-${++issued}`, expires_in: 3600 }), { status: 200 })) as typeof fetch;
    const authorizer = createHttpAuthorizer(
      { type: 'oauth2-client-credentials', tokenUrl: 'http://127.0.0.1:9/token', clientId: 'c', clientSecret: 's' },
      { connection: 'erp', nodeId: 'post', fetch: fetchToken, timeoutMs: 1000, cache: { tokens: new Map(), pending: new Map() } },
    );
    const signal = new AbortController().signal;
    // Three requests sent at once with the first token; all three answered 401.
    const sent = await Promise.all([1, 2, 3].map(() => authorizer.apply({ url: 'http://erp/x', headers: {} }, signal)));
    expect(sent.map((r) => r.headers.Authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
    expect(authorizer.renew(sent[0])).toBe(true);
    const retried = await authorizer.apply({ url: 'http://erp/x', headers: {} }, signal);
    expect(retried.headers.Authorization).toBe('Bearer tok-2');
    // The other two 401s arrive after the new token was fetched: they keep it.
    expect(authorizer.renew(sent[1])).toBe(true);
    expect(authorizer.renew(sent[2])).toBe(true);
    const again = await Promise.all([1, 2].map(() => authorizer.apply({ url: 'http://erp/x', headers: {} }, signal)));
    expect(again.map((r) => r.headers.Authorization)).toEqual(['Bearer tok-2', 'Bearer tok-2']);
    expect(issued).toBe(2);
    // A 401 to the current token drops it.
    authorizer.renew(again[0]);
    expect((await authorizer.apply({ url: 'http://erp/x', headers: {} }, signal)).headers.Authorization).toBe('Bearer tok-3');
  });
});
