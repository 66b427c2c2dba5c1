/**
 * Schedules and polls fire from inside `serve`; with several processes on one
 * database each occurrence fires once (compare-and-set on the next time).
 * Runs against PGlite, and Postgres when TEST_DATABASE_URL is set.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunLauncher, RunRequest } from '../../../runtime/queue/run-launcher.ts';
import { startScheduler } from '../../../runtime/triggers/scheduler.ts';
import { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { storeBackends } from '../store/store-backends.ts';
import { paymentsFlow } from '../api/harness.ts';

function recordingLauncher(store: Store): RunLauncher & { requests: RunRequest[] } {
  const requests: RunRequest[] = [];
  return {
    requests,
    async enqueue(req) {
      requests.push(req);
      return store.createRun({ flowId: req.flowId, version: req.version, environment: req.environment, trigger: req.trigger, triggerRef: req.triggerRef });
    },
    cancel: async () => null,
    stats: async () => ({ queued: 0, active: 0, workers: [] }),
  };
}

for (const backend of storeBackends().filter((b) => b.name !== 'pglite-disk')) {
  describe(`scheduler (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    async function setUp() {
      const store = await backend.open();
      const repos = createServiceRepos(store.sql);
      await store.saveVersion('payments', paymentsFlow(), 'ann', 'v1');
      await repos.deployments.deploy({ flowId: 'payments', environment: 'dev', version: 1, by: 'ann', kind: 'deploy' });
      return { store, repos };
    }

    it('fires a due schedule once, with the deployed version, and moves it to the next time in its zone', async () => {
      const { store, repos } = await setUp();
      const now = new Date('2026-03-27T08:00:00.000Z'); // 09:00 in Oslo (CET)
      await repos.triggers.putSchedule({ flowId: 'payments', environment: 'dev', cron: '0 9 * * 1-5', timezone: 'Europe/Oslo', enabled: true, nextFireAt: now, by: 'ann' });
      const launcher = recordingLauncher(store);
      const scheduler = startScheduler({ store, repos, launcher, now: () => now }, false);
      const fired = await scheduler.tick();
      expect(fired.schedules).toHaveLength(1);
      expect(launcher.requests[0]).toMatchObject({ flowId: 'payments', version: 1, environment: 'dev', trigger: 'schedule', input: { kind: 'source' }, requestedBy: 'scheduler' });
      const s = await repos.triggers.getSchedule('payments', 'dev');
      expect(s).toMatchObject({ nextFireAt: '2026-03-30T07:00:00.000Z', lastRunId: fired.schedules[0], lastError: null });
      expect((await scheduler.tick()).schedules).toEqual([]);
      await scheduler.stop();
    });

    it('two schedulers on one database fire an occurrence once', async () => {
      const { store, repos } = await setUp();
      const sibling = await backend.openSibling(store);
      const now = new Date('2026-06-01T12:00:00.000Z');
      await repos.triggers.putSchedule({ flowId: 'payments', environment: 'dev', cron: '* * * * *', timezone: 'UTC', enabled: true, nextFireAt: now, by: 'ann' });
      const a = recordingLauncher(store);
      const b = recordingLauncher(sibling);
      const sa = startScheduler({ store, repos, launcher: a, now: () => now }, false);
      const sb = startScheduler({ store: sibling, repos: createServiceRepos(sibling.sql), launcher: b, now: () => now }, false);
      const results = await Promise.all([sa.tick(), sb.tick(), sa.tick(), sb.tick()]);
      expect(results.flatMap((r) => r.schedules)).toHaveLength(1);
      expect(a.requests.length + b.requests.length).toBe(1);
    });

    it('records an error instead of firing when nothing is deployed', async () => {
      const { store, repos } = await setUp();
      const now = new Date('2026-06-01T12:00:00.000Z');
      await repos.triggers.putSchedule({ flowId: 'payments', environment: 'prod', cron: '0 * * * *', timezone: 'UTC', enabled: true, nextFireAt: now, by: 'ann' });
      const launcher = recordingLauncher(store);
      await startScheduler({ store, repos, launcher, now: () => now }, false).tick();
      expect(launcher.requests).toEqual([]);
      expect((await repos.triggers.getSchedule('payments', 'prod'))!.lastError).toMatch(/not deployed/);
    });

    it('polls on its interval and never overlaps a poll still running', async () => {
      const { store, repos } = await setUp();
      let now = new Date('2026-06-01T12:00:00.000Z');
      await repos.triggers.putPoller({ flowId: 'payments', environment: 'dev', intervalSeconds: 30, enabled: true, nextPollAt: now, by: 'ann' });
      const launcher = recordingLauncher(store);
      const scheduler = startScheduler({ store, repos, launcher, now: () => now }, false);
      expect((await scheduler.tick()).polls).toHaveLength(1);
      expect(launcher.requests[0]).toMatchObject({ trigger: 'poll', input: { kind: 'source' } });
      now = new Date(now.getTime() + 15_000);
      expect((await scheduler.tick()).polls).toHaveLength(0); // not due yet
      now = new Date(now.getTime() + 15_000);
      expect((await scheduler.tick()).polls).toHaveLength(0); // due, but the first poll is still queued
      const firstPoll = (await repos.triggers.getPoller('payments', 'dev'))!.lastRunId!;
      await store.finishRun(firstPoll, { status: 'succeeded', counts: { read: 0, delivered: 0, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 }, reconciliation: null });
      now = new Date(now.getTime() + 30_000);
      expect((await scheduler.tick()).polls).toHaveLength(1);
    });
  });
}
