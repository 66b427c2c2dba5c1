/**
 * `target.http` on a connection with `auth`: the same credentials the HTTP
 * source uses (http-auth.ts) — an OAuth2 token fetched once, renewed once on
 * a 401 and the record sent again with the same Idempotency-Key; a refused
 * client secret fails the records without the secret in the message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpAuth, TargetItem } from '../../../nodes/define-node.ts';
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
