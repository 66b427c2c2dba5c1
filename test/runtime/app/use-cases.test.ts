/**
 * The use cases of runtime/app called as the CLI calls them — no HTTP, no
 * route — over a real store (PGlite, and Postgres when TEST_DATABASE_URL is
 * set): each change writes its own audit entry, and a refusal changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { findEnvironment, type AppContext } from '../../../runtime/app/app-context.ts';
import { deployVersion } from '../../../runtime/app/deployments.ts';
import { createFlow, deleteFlow, flowSummaries, saveDraft, saveVersion } from '../../../runtime/app/flows.ts';
import { AppProblem } from '../../../runtime/app/problem.ts';
import { applyRetention } from '../../../runtime/app/retention.ts';
import { createUser, updateUser } from '../../../runtime/app/users.ts';
import { DEFAULT_ENVIRONMENTS } from '../../../runtime/promotion/environments.ts';
import { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { paymentsFlow } from '../api/harness.ts';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';
import { storeBackends } from '../store/store-backends.ts';

function contextOver(store: Store): AppContext {
  const environments = DEFAULT_ENVIRONMENTS.map((e) => ({ ...e }));
  return {
    store, repos: createServiceRepos(store.sql), catalog, evaluators: createEvaluatorRegistry(), environments,
    environment: (name) => findEnvironment(environments, name),
    deps: { previewInWorker: false },
  };
}

const auditOf = async (ctx: AppContext, entityId: string) => (await ctx.repos.audit.list({ entityId }, { limit: 50 })).items.map((e) => [e.actor, e.action]).reverse();

// PGlite in memory stands for PGlite (the folder-backed one runs the same SQL).
for (const backend of storeBackends().filter((b) => b.name !== 'pglite-disk')) {
  describe(`use cases, whoever calls them (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('flows: create, save the draft, save a version, delete — each noted in the audit log by its actor', async () => {
      const ctx = contextOver(await backend.open());
      await createFlow(ctx, 'cli', paymentsFlow());
      const saved = await saveDraft(ctx, 'ann', { flowId: 'payments', document: paymentsFlow({ factor: 2 }), revision: 1 });
      expect(saved.revision).toBe(2);
      const version = await saveVersion(ctx, 'ann', 'payments', 'first');
      expect(version).toMatchObject({ version: 1, testsPassed: true });
      expect((await flowSummaries(ctx, [saved]))[0]).toMatchObject({ id: 'payments', latestVersion: 1, deployments: { dev: null, test: null, prod: null } });

      // A stale revision: 409 carrying the current draft, and nothing saved or audited.
      const stale = await saveDraft(ctx, 'bob', { flowId: 'payments', document: paymentsFlow({ factor: 3 }), revision: 1 }).catch((e) => e);
      expect(stale).toBeInstanceOf(AppProblem);
      expect(stale).toMatchObject({ status: 409, extra: { revision: 2, updatedBy: 'ann' } });

      await deleteFlow(ctx, 'admin', 'payments');
      expect(await ctx.store.getFlow('payments')).toBeNull();
      expect(await ctx.store.listVersions('payments')).toEqual([]);
      expect((await ctx.repos.flowAdmin.latestVersions()).has('payments')).toBe(false);
      expect(await auditOf(ctx, 'payments')).toEqual([['cli', 'flow.created'], ['ann', 'flow.draft.saved'], ['admin', 'flow.deleted']]);
      expect(await auditOf(ctx, 'payments@1')).toEqual([['ann', 'version.saved']]);
    });

    it('deploy and roll back: the deployment and its audit entry together; a refused one leaves neither', async () => {
      const ctx = contextOver(await backend.open());
      await createFlow(ctx, 'ann', paymentsFlow());
      await saveVersion(ctx, 'ann', 'payments', 'v1');
      await saveDraft(ctx, 'ann', { flowId: 'payments', document: paymentsFlow({ factor: 2 }) });
      await saveVersion(ctx, 'ann', 'payments', 'v2');
      const analyst = { id: 'u1', username: 'ann', role: 'analyst' as const, displayName: 'Ann', via: 'token' as const };
      await deployVersion(ctx, analyst, { flowId: 'payments', environment: 'dev', version: 1, kind: 'deploy' });
      await deployVersion(ctx, analyst, { flowId: 'payments', environment: 'dev', version: 2, kind: 'deploy' });
      await deployVersion(ctx, analyst, { flowId: 'payments', environment: 'dev', version: 1, kind: 'rollback' });
      // Prod takes a promotion, not a direct deploy: refused, nothing written.
      await expect(deployVersion(ctx, analyst, { flowId: 'payments', environment: 'prod', version: 2, kind: 'deploy' })).rejects.toBeInstanceOf(AppProblem);
      expect(await ctx.repos.deployments.getDeployment('payments', 'prod')).toBeNull();
      expect(await auditOf(ctx, 'payments/dev')).toEqual([['ann', 'deployment.deployed'], ['ann', 'deployment.deployed'], ['ann', 'deployment.rolled-back']]);
      expect(await auditOf(ctx, 'payments/prod')).toEqual([]);
    });

    it('users from the CLI keep the API\'s rules: a strong password, never no active admin', async () => {
      const ctx = contextOver(await backend.open());
      await expect(createUser(ctx, 'cli', { username: 'root', password: 'short', role: 'admin' })).rejects.toMatchObject({ status: 422 });
      const root = await createUser(ctx, 'cli', { username: 'root', password: 'correct horse battery', role: 'admin' });
      await expect(createUser(ctx, 'cli', { username: 'root', password: 'correct horse battery', role: 'operator' })).rejects.toMatchObject({ status: 409 });
      await expect(updateUser(ctx, 'cli', root.id, { disabled: true })).rejects.toMatchObject({ status: 409 });
      expect((await ctx.repos.users.getUser(root.id))?.disabled).toBe(false);
      expect(await auditOf(ctx, root.id)).toEqual([['cli', 'user.created']]);
    });

    it('retention notes its pass in the audit log of the database it pruned', async () => {
      const ctx = contextOver(await backend.open());
      const result = await applyRetention({ store: ctx.store, audit: ctx.repos.audit }, { snapshotDays: 90, lineageDays: 3650 }, { actor: 'cli' });
      expect(result).toEqual({ snapshotsPruned: 0, tracesDeleted: 0 });
      const [entry] = (await ctx.repos.audit.list({ entity: 'retention' }, { limit: 5 })).items;
      expect(entry).toMatchObject({ actor: 'cli', action: 'retention.applied', entityId: 'traces', after: { snapshotDays: 90, lineageDays: 3650, snapshotsPruned: 0, tracesDeleted: 0 } });
    });
  });
}
