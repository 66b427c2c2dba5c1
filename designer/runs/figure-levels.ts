/**
 * A run's figures at the two levels it counts: source records (what the
 * source read) and items (what a fan-out made of them, e.g. the six entries
 * of one bank notification). Every place that shows counts says which.
 */
import type { OutcomeCounts, Reconciliation } from '../../runtime/api/contract/schemas.ts';

export interface FigureLevels {
  records: OutcomeCounts;
  /** Item counts, when the run counted items and they differ from the records (a fan-out happened). */
  items: OutcomeCounts | null;
}

export function figureLevels(counts: OutcomeCounts, reconciliation: Reconciliation | null | undefined): FigureLevels {
  const items = reconciliation?.items?.counts ?? null;
  const same = items !== null && (Object.keys(counts) as (keyof OutcomeCounts)[]).every((k) => counts[k] === items[k]);
  return { records: counts, items: same ? null : items };
}
