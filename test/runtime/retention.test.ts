import { describe, expect, it } from 'vitest';
import { applyRetention, retentionPolicy, startRetentionJob } from '../../runtime/app/retention.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { AuditEntry } from '../../runtime/store/service-audit.ts';
import { parseSettings } from '../../runtime/settings.ts';
import { captureLogger } from './observability/capture-logger.ts';

type Prune = Store['pruneTraces'];

function storeWith(prune: Prune): Store {
  return { pruneTraces: prune } as unknown as Store;
}

/** An audit log that keeps its entries in memory. */
function auditLog() {
  const entries: AuditEntry[] = [];
  return { entries, append: async (e: AuditEntry | AuditEntry[]) => { entries.push(...(Array.isArray(e) ? e : [e])); } };
}

describe('retention policy', () => {
  it('keeps snapshots 90 days and lineage 10 years unless told otherwise', () => {
    const settings = (env: Record<string, string>) => parseSettings(env).retention;
    expect(retentionPolicy(settings({}))).toEqual({ snapshotDays: 90, lineageDays: 3650 });
    expect(retentionPolicy(settings({ LEDGERFLOW_SNAPSHOT_DAYS: '30', LEDGERFLOW_LINEAGE_DAYS: '400' }))).toEqual({ snapshotDays: 30, lineageDays: 400 });
    expect(retentionPolicy(settings({ LEDGERFLOW_SNAPSHOT_DAYS: '30' }), { snapshotDays: '7' })).toEqual({ snapshotDays: 7, lineageDays: 3650 });
  });

  it('refuses a policy that would drop lineage before snapshots, or nonsense', () => {
    const defaults = { snapshotDays: 90, lineageDays: 3650 };
    expect(() => retentionPolicy(defaults, { snapshotDays: '100', lineageDays: '50' })).toThrow(/lineage days ≥ snapshot days/);
    expect(() => retentionPolicy(defaults, { snapshotDays: 'ninety' })).toThrow(/snapshot days must be > 0/);
    expect(() => parseSettings({ LEDGERFLOW_SNAPSHOT_DAYS: '100', LEDGERFLOW_LINEAGE_DAYS: '50' })).toThrow(/LEDGERFLOW_LINEAGE_DAYS is '50'/);
    expect(() => parseSettings({ LEDGERFLOW_SNAPSHOT_DAYS: 'ninety' })).toThrow(/LEDGERFLOW_SNAPSHOT_DAYS is 'ninety'/);
  });

  it('prunes snapshots and lineage older than the policy', async () => {
    let asked: Parameters<Prune>[0] | undefined;
    const store = storeWith(async (request) => { asked = request; return { snapshotsPruned: 0, tracesDeleted: 0 }; });
    await applyRetention({ store, audit: auditLog() }, { snapshotDays: 90, lineageDays: 3650 }, { actor: 'cli', now: Date.UTC(2026, 11, 4) });
    expect(asked!.snapshotsBefore.toISOString()).toBe('2026-09-05T00:00:00.000Z');
    expect(asked!.lineageBefore.toISOString()).toBe('2016-12-06T00:00:00.000Z');
  });

  it('notes each pass in the audit log, with who applied it and what it removed', async () => {
    const audit = auditLog();
    const store = storeWith(async () => ({ snapshotsPruned: 4, tracesDeleted: 1 }));
    await applyRetention({ store, audit }, { snapshotDays: 90, lineageDays: 3650 }, { actor: 'cli', now: Date.UTC(2026, 11, 4) });
    expect(audit.entries).toEqual([{
      actor: 'cli', action: 'retention.applied', entity: 'retention', entityId: 'traces',
      after: { snapshotDays: 90, lineageDays: 3650, snapshotsBefore: '2026-09-05T00:00:00.000Z', lineageBefore: '2016-12-06T00:00:00.000Z', snapshotsPruned: 4, tracesDeleted: 1 },
    }]);
  });
});

describe('the retention job inside serve', () => {
  it('runs after start and then on every interval, one pass at a time, and stop waits for the pass in hand', async () => {
    let passes = 0;
    let inPass = 0;
    let overlapped = false;
    const { logger, lines: logged } = captureLogger();
    const store = storeWith(async () => {
      passes++;
      if (++inPass > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 30)); // longer than the interval
      inPass--;
      return { snapshotsPruned: 2, tracesDeleted: 1 };
    });
    const audit = auditLog();
    const job = startRetentionJob({ store, audit, policy: { snapshotDays: 90, lineageDays: 3650 }, firstAfterMs: 5, everyMs: 10, logger });
    await new Promise((r) => setTimeout(r, 120));
    await job.stop();
    const after = passes;
    await new Promise((r) => setTimeout(r, 40));
    expect(after).toBeGreaterThanOrEqual(2);
    expect(passes).toBe(after);
    expect(overlapped).toBe(false);
    expect(inPass).toBe(0);
    expect(logged[0]).toMatchObject({ level: 'info', msg: 'retention: removed the snapshots of 2 trace(s) and 1 trace(s)', snapshotsPruned: 2, tracesDeleted: 1 });
    expect(audit.entries.map((e) => [e.actor, e.action])).toEqual(Array.from({ length: after }, () => ['system', 'retention.applied']));
  });

  it('logs a failed pass and keeps going', async () => {
    let passes = 0;
    const { logger, lines: logged } = captureLogger();
    const job = startRetentionJob({
      store: storeWith(async () => { passes++; throw new Error('database unavailable'); }), audit: auditLog(),
      policy: { snapshotDays: 90, lineageDays: 3650 }, firstAfterMs: 1, everyMs: 5, logger,
    });
    await new Promise((r) => setTimeout(r, 60));
    await job.stop();
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(logged[0]).toMatchObject({ level: 'error', msg: 'retention failed: database unavailable', err: { message: 'database unavailable' } });
  });
});
