/**
 * Trace retention: record snapshots (input, output, steps) are dropped after
 * `snapshotDays`, the lineage skeleton (keys, path, outcome, version) after
 * `lineageDays`. `serve` applies it once a day; `ledgerflow retention` applies
 * it on demand. Pruning goes in batches (see retention-repo), so running flows
 * keep writing meanwhile, and applying it twice is harmless.
 */
import type { Store } from './store/store.ts';

const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  snapshotDays: number;
  lineageDays: number;
}

/** The policy from explicit values, else `LEDGERFLOW_SNAPSHOT_DAYS` / `LEDGERFLOW_LINEAGE_DAYS`, else 90 / 3650 days. */
export function retentionPolicy(env: Record<string, string | undefined>, given: { snapshotDays?: string; lineageDays?: string } = {}): RetentionPolicy {
  const snapshotDays = Number(given.snapshotDays ?? env.LEDGERFLOW_SNAPSHOT_DAYS ?? 90);
  const lineageDays = Number(given.lineageDays ?? env.LEDGERFLOW_LINEAGE_DAYS ?? 3650);
  if (!(snapshotDays > 0) || !(lineageDays >= snapshotDays)) {
    throw new Error(`retention: snapshot days must be > 0 and lineage days ≥ snapshot days (got ${snapshotDays} and ${lineageDays})`);
  }
  return { snapshotDays, lineageDays };
}

/** Prunes what the policy no longer keeps, as of `now`. */
export function applyRetention(store: Store, policy: RetentionPolicy, now = Date.now()) {
  return store.pruneTraces({
    snapshotsBefore: new Date(now - policy.snapshotDays * DAY_MS),
    lineageBefore: new Date(now - policy.lineageDays * DAY_MS),
  });
}

export interface RetentionJobOptions {
  store: Store;
  policy: RetentionPolicy;
  /** First pass this long after start (default 1 minute), then every `everyMs` (default a day). */
  firstAfterMs?: number;
  everyMs?: number;
  log?: (message: string) => void;
}

/** The daily job inside `serve`; never keeps the process alive, never runs two passes at once. */
export function startRetentionJob(options: RetentionJobOptions): { stop(): Promise<void> } {
  const log = options.log ?? ((m: string) => console.error(m));
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout;
  const pass = () => {
    running ??= applyRetention(options.store, options.policy).then(
      (r) => { if (r.snapshotsPruned || r.tracesDeleted) log(`retention: removed the snapshots of ${r.snapshotsPruned} trace(s) and ${r.tracesDeleted} trace(s)`); },
      (err) => log(`retention failed: ${(err as Error).message}`),
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
