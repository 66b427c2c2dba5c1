import { describe, expect, it } from 'vitest';
import { compactSteps, expandSteps } from '../../../runtime/store/trace-rows.ts';

describe('trace steps storage', () => {
  it('stores the last step once when it is the record output, and restores it', () => {
    const mapped = { invoiceNumber: 'INV-1', lines: [{ amount: '10.00' }] };
    const steps = [{ node: 'enrich', data: { a: 1 } }, { node: 'map', data: mapped }];
    const compact = compactSteps(steps, mapped);
    expect(compact).toEqual([{ node: 'enrich', data: { a: 1 } }, { node: 'map', sameAsOutput: true }]);
    expect(expandSteps(JSON.parse(JSON.stringify(compact)), JSON.parse(JSON.stringify(mapped)))).toEqual(steps);
  });

  it('keeps every step when the output is another object (e.g. masked separately)', () => {
    const steps = [{ node: 'map', data: { iban: 'DE89…' } }];
    expect(compactSteps(steps, { iban: '***' })).toBe(steps);
    expect(compactSteps([], {})).toEqual([]);
    expect(expandSteps(null, {})).toEqual([]);
  });
});
