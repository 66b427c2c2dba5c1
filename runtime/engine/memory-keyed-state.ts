/**
 * Keyed state held in memory, for dry runs and designer previews: changes apply in order and
 * once per apply key, exactly as in the store, but start from nothing and vanish with the run.
 */
import type { KeyedStateStore, StateApplication } from '../../nodes/define-node.ts';
import { applyChangesInOrder } from '../../nodes/state/apply-changes.ts';

export function createMemoryKeyedState(): KeyedStateStore {
  const scopes = new Map<string, { values: Map<string, unknown>; done: Map<string, StateApplication> }>();
  const scopeOf = (scope: string) => {
    let s = scopes.get(scope);
    if (!s) scopes.set(scope, (s = { values: new Map(), done: new Map() }));
    return s;
  };
  return {
    async read(scope, keys) {
      const { values } = scopeOf(scope);
      return new Map(keys.filter((k) => values.get(k) !== undefined).map((k) => [k, values.get(k)]));
    },
    async apply(scope, changes, compute) {
      const { values, done } = scopeOf(scope);
      return (await applyChangesInOrder(changes, compute, values, done)).results;
    },
  };
}
