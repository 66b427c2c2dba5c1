/** The server's tables (0002_service.sql) on PGlite, and Postgres when TEST_DATABASE_URL is set. */
import { afterAll, describe, expect, it } from 'vitest';
import { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import { storeBackends } from './store-backends.ts';
import { paymentsFlow } from '../api/harness.ts';

for (const backend of storeBackends()) {
  describe(`service repositories (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('users, sessions (expiry, disabled users) and API tokens (revocation)', async () => {
      const store = await backend.open();
      const { users } = createServiceRepos(store.sql);
      const ann = await users.createUser({ username: 'ann', displayName: 'Ann', role: 'analyst', passwordHash: 'scrypt$x' });
      await expect(users.createUser({ username: 'ann', displayName: 'Ann 2', role: 'admin', passwordHash: 'h' })).rejects.toMatchObject({ code: '23505' });
      const now = new Date('2026-11-20T10:00:00Z');
      await users.createSession('h1', ann.id, new Date(now.getTime() + 1000));
      expect((await users.sessionUser('h1', now))?.username).toBe('ann');
      expect(await users.sessionUser('h1', new Date(now.getTime() + 1001))).toBeNull();
      const token = await users.createToken(ann.id, 'ci', 't1');
      expect((await users.tokenUser('t1', now))?.id).toBe(ann.id);
      expect((await users.getToken(token.id))?.lastUsedAt).toBe(now.toISOString());
      await users.updateUser(ann.id, { disabled: true });
      expect(await users.tokenUser('t1', now)).toBeNull();
      await users.updateUser(ann.id, { disabled: false });
      await users.revokeToken(token.id);
      expect(await users.tokenUser('t1', now)).toBeNull();
      expect(await users.deleteExpiredSessions(new Date(now.getTime() + 5000))).toBe(1);
    });

    it('deployments with history, promotions decided once, append-only audit', async () => {
      const store = await backend.open();
      const repos = createServiceRepos(store.sql);
      await store.saveVersion('payments', paymentsFlow(), 'ann', 'v1');
      await store.saveVersion('payments', paymentsFlow(), 'bob', 'v2');
      await expect(repos.deployments.deploy({ flowId: 'payments', environment: 'dev', version: 9, by: 'ann', kind: 'deploy' })).rejects.toThrow();
      const first = await repos.deployments.deploy({ flowId: 'payments', environment: 'prod', version: 1, by: 'ann', kind: 'promotion' });
      expect(first.before).toBeNull();
      const second = await repos.deployments.deploy({ flowId: 'payments', environment: 'prod', version: 2, by: 'cid', kind: 'promotion' });
      expect(second.before?.version).toBe(1);
      expect((await repos.deployments.deploymentHistory('payments', 'prod')).map((h) => h.version)).toEqual([2, 1]);
      const p = await repos.deployments.createPromotion({ flowId: 'payments', version: 2, environment: 'prod', requestedBy: 'ann', authors: ['ann', 'bob'] });
      const [a, b] = await Promise.all([
        repos.deployments.decidePromotion(p.id, { status: 'approved', by: 'cid', reason: null }),
        repos.deployments.decidePromotion(p.id, { status: 'rejected', by: 'dee', reason: 'no' }),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      await repos.audit.append({ actor: 'ann', action: 'x', entity: 'flow', entityId: 'payments', before: { a: 1 }, after: { a: 2 } });
      const page = await repos.audit.list({ entity: 'flow' }, { limit: 10 });
      expect(page.items[0]).toMatchObject({ actor: 'ann', before: { a: 1 }, after: { a: 2 } });
      await expect(store.sql.query('update audit_log set actor = $1', ['x'])).rejects.toThrow(/append-only/);
    });

    it('webhook signatures are accepted once', async () => {
      const store = await backend.open();
      const { triggers } = createServiceRepos(store.sql);
      expect(await triggers.markSignatureSeen('sig1')).toBe(true);
      expect(await triggers.markSignatureSeen('sig1')).toBe(false);
      await triggers.forgetSignature('sig1');
      expect(await triggers.markSignatureSeen('sig1')).toBe(true);
    });

    it('samples keep their bytes', async () => {
      const store = await backend.open();
      const { samples } = createServiceRepos(store.sql);
      await store.saveDraft(paymentsFlow(), 'ann');
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      await samples.putSample('payments', 'samples/a.bin', bytes);
      expect(Array.from((await samples.getSample('payments', 'samples/a.bin'))!)).toEqual([0, 1, 2, 250, 255]);
      expect(await samples.listSamples('payments')).toEqual([expect.objectContaining({ name: 'samples/a.bin', size: 5 })]);
    });
  });
}
