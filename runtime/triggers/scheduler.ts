/**
 * Fires cron schedules and polls inside `serve`. Every due schedule or poll
 * is claimed by a compare-and-set on its next time (see service-triggers), so
 * any number of `serve` processes on one database fire each occurrence once.
 * Missed occurrences (the server was down) are not replayed: the next fire is
 * computed from now.
 */
import { isTerminal } from '../engine/run-types.ts';
import type { RunLauncher } from '../queue/run-launcher.ts';
import type { Store } from '../store/store.ts';
import type { ServiceRepos } from '../store/service-repos.ts';
import { nextFireTime } from './cron.ts';
import { DEFAULT_WINDOW_SECONDS } from './webhook-signature.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';

export interface SchedulerOptions {
  store: Store;
  /** The database handle's service repositories (`database.service`). */
  repos: Pick<ServiceRepos, 'triggers' | 'deployments' | 'users'>;
  launcher: RunLauncher;
  /** Milliseconds between checks; default 1000. */
  tickMs?: number;
  now?: () => Date;
  logger?: Logger;
}

export interface Scheduler {
  /** One pass: fires what is due; returns the runs started. */
  tick(): Promise<{ schedules: string[]; polls: string[] }>;
  stop(): Promise<void>;
}

export function startScheduler(options: SchedulerOptions, autoStart = true): Scheduler {
  const { triggers, deployments, users } = options.repos;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger();
  let ticks = 0;

  async function deployedVersion(flowId: string, environment: string): Promise<number | null> {
    return (await deployments.getDeployment(flowId, environment))?.version ?? null;
  }

  async function tick() {
    const at = now();
    const started = { schedules: [] as string[], polls: [] as string[] };
    for (const s of await triggers.dueSchedules(at)) {
      let next: Date | null = null;
      try { next = nextFireTime(s.cron, s.timezone, at); } catch { next = null; }
      if (!(await triggers.claimSchedule(s, next, at))) continue;
      const version = await deployedVersion(s.flowId, s.environment);
      if (version === null) {
        await triggers.recordScheduleOutcome(s.flowId, s.environment, { error: `not deployed to ${s.environment}; nothing ran` });
        continue;
      }
      try {
        const run = await options.launcher.enqueue({
          flowId: s.flowId, version, environment: s.environment, trigger: 'schedule', triggerRef: `${s.cron} (${s.timezone}) due ${s.nextFireAt}`,
          input: { kind: 'source' }, requestedBy: 'scheduler',
        });
        await triggers.recordScheduleOutcome(s.flowId, s.environment, { runId: run.id });
        started.schedules.push(run.id);
      } catch (err) {
        await triggers.recordScheduleOutcome(s.flowId, s.environment, { error: (err as Error).message });
      }
    }
    for (const p of await triggers.duePollers(at)) {
      if (!(await triggers.claimPoller(p, new Date(at.getTime() + p.intervalSeconds * 1000), at))) continue;
      // Polls of one flow never overlap: the watermark moves only when a run finishes.
      if (p.lastRunId) {
        const last = await options.store.getRun(p.lastRunId);
        if (last && !isTerminal(last.status)) continue;
      }
      const version = await deployedVersion(p.flowId, p.environment);
      if (version === null) {
        await triggers.recordPollOutcome(p.flowId, p.environment, { error: `not deployed to ${p.environment}; nothing polled` });
        continue;
      }
      try {
        const run = await options.launcher.enqueue({
          flowId: p.flowId, version, environment: p.environment, trigger: 'poll', triggerRef: `every ${p.intervalSeconds} s`,
          input: { kind: 'source' }, requestedBy: 'scheduler',
        });
        await triggers.recordPollOutcome(p.flowId, p.environment, { runId: run.id });
        started.polls.push(run.id);
      } catch (err) {
        await triggers.recordPollOutcome(p.flowId, p.environment, { error: (err as Error).message });
      }
    }
    if (ticks++ % 60 === 0) {
      await triggers.pruneSignatures(new Date(at.getTime() - 2 * DEFAULT_WINDOW_SECONDS * 1000));
      await users.deleteExpiredSessions(at);
    }
    return started;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    running = tick().catch((err) => logger.error({ err }, `scheduler: ${(err as Error).message}`)).finally(() => {
      if (!stopped) timer = setTimeout(loop, options.tickMs ?? 1000);
    });
  };
  if (autoStart) timer = setTimeout(loop, 0);
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
