/**
 * The one rule for applying keyed-state changes, shared by the store (under row locks) and the
 * in-memory state of dry runs: in order, each once per apply key, each seeing the changes before it.
 */
import type { StateApplication, StateChange } from '../define-node.ts';

/** A change this call applied (to be written), with the value before and after. */
export interface AppliedChange extends StateChange {
  before: unknown;
  after: unknown;
}

/**
 * Applies `changes` to `values` (key → current value, updated in place) unless `done` (apply key →
 * recorded result, updated in place) has them. Returns each change's result and the new changes.
 */
export async function applyChangesInOrder(
  changes: StateChange[], compute: (index: number, current: unknown) => unknown,
  values: Map<string, unknown>, done: Map<string, StateApplication>,
): Promise<{ results: StateApplication[]; applied: AppliedChange[] }> {
  const results: StateApplication[] = [];
  const applied: AppliedChange[] = [];
  for (const [index, change] of changes.entries()) {
    const earlier = done.get(change.applyKey);
    if (earlier) {
      results.push({ ...earlier, earlier: true });
      continue;
    }
    const before = values.get(change.key) ?? change.initial;
    let after: unknown;
    try {
      after = await compute(index, before);
    } catch (error) {
      results.push({ before, after: before, earlier: false, error });
      continue;
    }
    values.set(change.key, after);
    const result = { before, after, earlier: false };
    done.set(change.applyKey, result);
    results.push(result);
    applied.push({ ...change, before, after });
  }
  return { results, applied };
}
