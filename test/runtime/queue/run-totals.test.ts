/** A queued run's figures and status come from its chunks alone, added up exactly. */
import { describe, expect, it } from 'vitest';
import { ReconciliationBuilder } from '../../../runtime/engine/reconcile.ts';
import type { RecordOutcome } from '../../../runtime/engine/run-types.ts';
import { finishedStatus, readSide, runTotals, withTargetSide } from '../../../runtime/queue/run-totals.ts';
import type { ChunkSummary } from '../../../runtime/store/queue-repo.ts';

type Root = { amount: string | null; currency: string | null; outcome: RecordOutcome };

function chunk(status: ChunkSummary['status'], roots: Root[]): Pick<ChunkSummary, 'status' | 'read' | 'outcome'> {
  const outcome = new ReconciliationBuilder();
  for (const r of roots) outcome.addOutcome(r.outcome, r.amount, r.currency);
  return { status, read: readSide(roots), outcome: status === 'done' ? { reconciliation: outcome.toReconciliation(), traces: roots.length, deadLetters: 0 } : null };
}

const eur = (amount: string, outcome: RecordOutcome = 'delivered'): Root => ({ amount, currency: 'EUR', outcome });

describe('run totals from chunks', () => {
  it('adds read and outcome sides of done chunks exactly, in any order', () => {
    const chunks = [
      chunk('done', [eur('0.1'), eur('0.2'), eur('5', 'quarantined')]),
      chunk('done', [eur('0.3', 'duplicate'), { amount: '7', currency: 'USD', outcome: 'delivered' }, { amount: null, currency: null, outcome: 'filtered' }]),
    ];
    const forward = runTotals(chunks);
    const backward = runTotals([...chunks].reverse());
    expect(forward).toEqual(backward);
    expect(forward.counts).toEqual({ read: 6, delivered: 3, quarantined: 1, deadLettered: 0, duplicate: 1, filtered: 1 });
    expect(forward.totals.read).toEqual({ EUR: '5.60', USD: '7.00' });
    expect(forward.totals.delivered).toEqual({ EUR: '0.30', USD: '7.00' });
    expect(forward.withoutAmount).toBe(1);
    expect(forward.closes).toBe(true);
  });

  it('counts skipped chunks as read but not accounted for, so the run does not close', () => {
    const totals = runTotals([chunk('done', [eur('1')]), chunk('skipped', [eur('2'), eur('3')])]);
    expect(totals.counts.read).toBe(3);
    expect(totals.counts.delivered).toBe(1);
    expect(totals.closes).toBe(false);
    expect(totals.differences.join('\n')).toMatch(/3 records read but 1 accounted for/);
  });

  it('derives the final status', () => {
    const clean = runTotals([chunk('done', [eur('1'), eur('2', 'duplicate'), eur('3', 'filtered')])]);
    expect(finishedStatus({ failed: false, reconciliation: clean })).toBe('succeeded');
    const quarantined = runTotals([chunk('done', [eur('1'), eur('2', 'quarantined')])]);
    expect(finishedStatus({ failed: false, reconciliation: quarantined })).toBe('completed_with_exceptions');
    const dead = runTotals([chunk('done', [eur('1', 'dead_lettered')])]);
    expect(finishedStatus({ failed: false, reconciliation: dead })).toBe('completed_with_exceptions');
    const open = runTotals([chunk('done', [eur('1')]), chunk('skipped', [eur('2')])]);
    expect(finishedStatus({ failed: false, reconciliation: open })).toBe('completed_with_exceptions');
    expect(finishedStatus({ failed: true, reconciliation: clean })).toBe('failed');
  });

  it('does not close when a target holds more or fewer of the run\'s records than its ledger says, naming the target', () => {
    const withTargets = (targets: Record<string, number>, status: ChunkSummary['status'] = 'done') => {
      const c = chunk(status, [eur('1'), eur('2')]);
      return c.outcome ? { ...c, outcome: { ...c.outcome, targets } } : c;
    };
    const chunks = [withTargets({ rows: 2, api: 2 }), withTargets({ rows: 2, api: 2 })];
    const clean = runTotals(chunks);
    expect(withTargetSide(clean, chunks, [{ nodeId: 'rows', label: "'rows' (insert erp.entries)", inTarget: 4 }])).toEqual(clean);

    const more = withTargetSide(clean, chunks, [{ nodeId: 'rows', label: "'rows' (insert erp.entries)", inTarget: 5 }]);
    expect(more.closes).toBe(false);
    expect(more.differences).toEqual(["target 'rows' (insert erp.entries): 4 records delivered by the run's ledger but 5 recorded as delivered in the target database"]);
    expect(finishedStatus({ failed: false, reconciliation: more })).toBe('completed_with_exceptions');

    // A chunk that did not finish counts for nothing on the ledger side, whatever it wrote.
    const unfinished = [chunks[0], withTargets({ rows: 2 }, 'skipped')];
    expect(withTargetSide(runTotals(unfinished), unfinished, [{ nodeId: 'rows', label: "'rows'", inTarget: 4 }]).differences)
      .toContain("target 'rows': 2 records delivered by the run's ledger but 4 recorded as delivered in the target database");
    const uncounted = withTargetSide(clean, chunks, [{ nodeId: 'rows', label: "'rows'", inTarget: null, error: 'connection refused' }]);
    expect(uncounted.closes).toBe(false);
    expect(uncounted.differences[0]).toMatch(/could not be counted in the target database \(connection refused\)/);
  });
});
