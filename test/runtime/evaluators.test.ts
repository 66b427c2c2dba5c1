import { describe, expect, it } from 'vitest';
import * as evaluators from '../../runtime/evaluators.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';

describe('evaluator registries', () => {
  it('take their default when made, and a flow\'s own switch wins over it', () => {
    const reference = createEvaluatorRegistry({ default: 'reference' });
    const compiled = createEvaluatorRegistry();
    expect(reference.for({}).name).toBe(reference.byName('reference').name);
    expect(compiled.for({}).name).toBe(compiled.byName('compiled').name);
    expect(reference.for({}).name).not.toBe(compiled.for({}).name);
    expect(reference.for({ evaluator: 'compiled' })).toBe(reference.byName('compiled'));
    // One registry's choice is its own: a registry made afterwards still runs compiled.
    expect(createEvaluatorRegistry().for({}).name).toBe(compiled.for({}).name);
  });

  it('keep one evaluator of each kind, so compiled expressions are reused across runs', () => {
    const registry = createEvaluatorRegistry();
    expect(registry.for({})).toBe(registry.byName('compiled'));
    expect(registry.byName('reference')).toBe(registry.byName('reference'));
  });

  it('offer no process-wide setting or registry: only the way to make one', () => {
    expect(Object.keys(evaluators)).toEqual(['createEvaluatorRegistry']);
  });
});
