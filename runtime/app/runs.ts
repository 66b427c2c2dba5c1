/** Runs started and stopped by hand: the same rules and the same queue whoever asks (API or CLI). */
import type { AuthUser } from '../auth/roles.ts';
import { isTerminal } from '../engine/run-types.ts';
import type { EnvironmentConfig } from '../promotion/environments.ts';
import { canStartRun } from '../promotion/rules.ts';
import type { RunRow } from '../store/store.ts';
import { AppProblem } from './problem.ts';
import { AppError } from './app-error.ts';
import type { UseCaseDeps } from './app-deps.ts';

export interface StartRunRequest {
  flowId: string;
  environment: EnvironmentConfig;
  /** A document for the flow's source; absent, the source reads by itself (a query, an API). */
  input?: { name: string; bytes: Uint8Array };
  /** Who starts it: analysts only in the first environment (runtime/promotion/rules.ts). */
  actor: Pick<AuthUser, 'username' | 'role'>;
}

/** Queues a run of the version deployed in the environment; resolves once it is durably queued. */
export async function startRun(deps: UseCaseDeps, req: StartRunRequest): Promise<RunRow> {
  const env = req.environment;
  const allowed = canStartRun(req.actor.role, env);
  if (!allowed.ok) throw new AppProblem(allowed.status, allowed.reason, { requiredRole: allowed.requiredRole });
  const deployed = await deps.database.service.deployments.getDeployment(req.flowId, env.name);
  if (!deployed) throw new AppError('conflict', `Flow '${req.flowId}' is not deployed to ${env.name}; deploy a version first.`);
  return startVersionRun(deps, {
    flowId: req.flowId, version: deployed.version, environment: env.name, input: req.input, actor: req.actor.username, triggerRef: req.input?.name ?? null,
  });
}

export interface StartVersionRunRequest {
  flowId: string;
  version: number;
  /** Null: a run of no environment (the CLI's run of a flow file). */
  environment: string | null;
  /** A document for the flow's source; absent, the source reads by itself (a query, an API). */
  input?: { name: string; bytes: Uint8Array };
  /** Who starts it (a user name, or `cli`); the caller has checked that they may. */
  actor: string;
  /** What the run list shows as its origin (default: the input's name). */
  triggerRef?: string | null;
  /** The source node that reads (default: the flow's first). */
  sourceNodeId?: string;
  /** Targets are not written and watermarks not moved; traces and figures are stored. */
  dryRun?: boolean;
}

/** Queues a run of one stored version, as `startRun` does for the deployed one; the CLI's `run`. */
export async function startVersionRun(deps: UseCaseDeps, req: StartVersionRunRequest): Promise<RunRow> {
  return deps.launcher.enqueue({
    flowId: req.flowId, version: req.version, environment: req.environment, trigger: 'manual',
    triggerRef: req.triggerRef ?? req.input?.name ?? null,
    input: req.input ? { kind: 'document', name: req.input.name, bytes: req.input.bytes } : { kind: 'source' },
    requestedBy: req.actor, sourceNodeId: req.sourceNodeId ?? null, dryRun: req.dryRun ?? false,
  });
}

/** Cancels a queued or running run; chunks not yet processed are skipped. */
export async function cancelRun(deps: UseCaseDeps, req: { runId: string; actor: string }): Promise<RunRow> {
  const run = await deps.database.store.getRun(req.runId);
  if (!run) throw new AppError('not-found', `Run ${req.runId} does not exist.`);
  if (isTerminal(run.status)) throw new AppError('conflict', `Run ${run.id} already finished (${run.status}).`);
  const cancelled = await deps.launcher.cancel(run.id, req.actor);
  return cancelled ?? (await deps.database.store.getRun(run.id)) ?? run;
}
