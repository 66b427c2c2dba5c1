import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { coresOption, helperArgs } from '../../../runtime/cli/worker-processes.ts';

describe('worker --cores', () => {
  it('reads a whole number or all', () => {
    expect(coresOption(undefined)).toBe(1);
    expect(coresOption('3')).toBe(3);
    expect(coresOption('all')).toBe(availableParallelism());
    for (const bad of ['0', '-1', '1.5', 'many', true]) expect(() => coresOption(bad)).toThrow(/--cores must be a whole number ≥ 1 or 'all'/);
  });

  it('starts helpers with the same command line, without --cores and --metrics-port', () => {
    expect(helperArgs(['worker', '--cores', '2', '--concurrency', '3', '--metrics-port', '9464', '--chunk-size=250', '--out', 'o']))
      .toEqual(['worker', '--concurrency', '3', '--chunk-size=250', '--out', 'o']);
    expect(helperArgs(['worker', '--cores=all', '--metrics-port=9', '--out', 'o'])).toEqual(['worker', '--out', 'o']);
  });
});
