/**
 * Trace retention: record snapshots (input, output, steps) are dropped after
 * `snapshotDays`, the lineage skeleton (keys, path, outcome, version) after
 * `lineageDays`. `serve` applies it once a day; `ledgerflow retention` applies
 * it on demand. Pruning goes in batches (see retention-repo), so running flows
 * keep writing meanwhile, and applying it twice is harmless. Each pass writes
 * an audit entry (`retention.applied`), whoever starts it.
 */
import type { Store } from '../store/store.ts';
import type { AuditRepo } from '../store/service-audit.ts';
import type { Logger } from '../observability/logger.ts';

const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  snapshotDays: number;
  lineageDays: number;
}

/** The policy from explicit values (command options), else `defaults` (the settings LEDGERFLOW_SNAPSHOT_DAYS / LEDGERFLOW_LINEAGE_DAYS). */
export function retentionPolicy(defaults: RetentionPolicy, given: { snapshotDays?: string; lineageDays?: string } = {}): RetentionPolicy {
  const snapshotDays = given.snapshotDays !== undefined ? Number(given.snapshotDays) : defaults.snapshotDays;
  const lineageDays = given.lineageDays !== undefined ? Number(given.lineageDays) : defaults.lineageDays;
  if (!(snapshotDays > 0) || !(lineageDays >= snapshotDays)) {
    throw new Error(`retention: snapshot days must be > 0 and lineage days ≥ snapshot days (got ${snapshotDays} and ${lineageDays})`);
  }
  return { snapshotDays, lineageDays };
}

export interface RetentionDeps {
  store: Pick<Store, 'pruneTraces'>;
  audit: Pick<AuditRepo, 'append'>;
}

/** Prunes what the policy no longer keeps, as of `now`, and notes it in the audit log as done by `actor`. */
export async function applyRetention(deps: RetentionDeps, policy: RetentionPolicy, options: { actor: string; now?: number }) {
  const now = options.now ?? Date.now();
  const snapshotsBefore = new Date(now - policy.snapshotDays * DAY_MS);
  const lineageBefore = new Date(now - policy.lineageDays * DAY_MS);
  const result = await deps.store.pruneTraces({ snapshotsBefore, lineageBefore });
  await deps.audit.append({
    actor: options.actor, action: 'retention.applied', entity: 'retention', entityId: 'traces',
    after: { ...policy, snapshotsBefore: snapshotsBefore.toISOString(), lineageBefore: lineageBefore.toISOString(), ...result },
  });
  return result;
}

export interface RetentionJobOptions {
  store: Store;
  /** Where each pass is noted: the audit log of the database handle (`database.service.audit`). */
  audit: RetentionDeps['audit'];
  policy: RetentionPolicy;
  /** First pass this long after start (default 1 minute), then every `everyMs` (default a day). */
  firstAfterMs?: number;
  everyMs?: number;
  logger?: Logger;
}

/** The daily job inside `serve`; never keeps the process alive, never runs two passes at once. */
export function startRetentionJob(options: RetentionJobOptions): { stop(): Promise<void> } {
  const { logger } = options;
  const deps: RetentionDeps = { store: options.store, audit: options.audit };
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout;
  const pass = () => {
    running ??= applyRetention(deps, options.policy, { actor: 'system' }).then(
      (r) => { if (r.snapshotsPruned || r.tracesDeleted) logger?.info(r, `retention: removed the snapshots of ${r.snapshotsPruned} trace(s) and ${r.tracesDeleted} trace(s)`); },
      (err) => logger?.error({ err }, `retention failed: ${(err as Error).message}`),
    ).finally(() => { running = null; });
    timer = setTimeout(pass, options.everyMs ?? DAY_MS);
    timer.unref();
  };
  timer = setTimeout(pass, options.firstAfterMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearTimeout(timer);
      await running;
    },
  };
}
