import { describe, expect, it } from 'vitest';
import { createReferenceData, referenceKey } from '../../nodes/reference-data.ts';

describe('createReferenceData', () => {
  const data = createReferenceData({
    taxCodes: {
      key: 'code',
      rows: [
        { code: 'S', rate: '21' },
        { code: ' E ', rate: '0' },
        { code: 'S', rate: 'duplicate' },
        { code: null, rate: 'no key' },
        { rate: 'missing key' },
        { code: '', rate: 'empty key' },
      ],
    },
    accounts: { key: 'no', rows: [{ no: 4000 }, { no: '4100' }] },
  });

  it('lists set names sorted', () => {
    expect(data.names()).toEqual(['accounts', 'taxCodes']);
    expect(data.get('nope')).toBeUndefined();
  });

  it('keys rows by trimmed text, keeping the first of duplicates and leaving out rows without a key', () => {
    const taxCodes = data.get('taxCodes')!;
    expect([...taxCodes.keys()]).toEqual(['S', 'E']);
    expect(taxCodes.get('S')).toEqual({ code: 'S', rate: '21' });
    expect(taxCodes.get('E')).toEqual({ code: ' E ', rate: '0' });
  });

  it('compares numeric keys as text', () => {
    const accounts = data.get('accounts')!;
    expect(accounts.get(referenceKey(4100)!)).toEqual({ no: '4100' });
    expect(accounts.get(referenceKey(' 4000 ')!)).toEqual({ no: 4000 });
  });

  it.each([
    [' a ', 'a'],
    [12, '12'],
    [true, 'true'],
    [null, undefined],
    [undefined, undefined],
    [{ a: 1 }, undefined],
  ])('referenceKey(%j) → %j', (value, expected) => {
    expect(referenceKey(value)).toBe(expected);
  });
});
