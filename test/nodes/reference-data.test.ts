import { describe, expect, it } from 'vitest';
import { createReferenceData, referenceKey, referenceSetProblems } from '../../nodes/reference-data.ts';
import { standardFunctions } from '../../nodes/expression/functions.ts';

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

describe('composite keys, effective dates and one-to-many sets', () => {
  const data = createReferenceData({
    vat: {
      key: ['entity', 'code'], validFrom: 'from', validTo: 'to',
      rows: [
        { entity: 'NL01', code: 'S', rate: '21', from: '2020-01-01', to: '2025-12-31' },
        { entity: 'NL01', code: 'S', rate: '22', from: '2026-01-01', to: '' },
        { entity: 'DE01', code: 'S', rate: '19', from: '', to: '' },
      ],
    },
    contacts: { key: 'supplier', multiple: true, rows: [{ supplier: 'S1', mail: 'a@x' }, { supplier: 'S1', mail: 'b@x' }, { supplier: 'S2', mail: 'c@x' }] },
  });
  const fns = standardFunctions(data) as Record<string, (...a: unknown[]) => unknown>;

  it('looks a composite key up with a list of its parts, on the record\'s date (both ends included)', () => {
    expect(data.lookup('vat', ['NL01', 'S'], '2025-12-31')).toEqual([expect.objectContaining({ rate: '21' })]);
    expect(data.lookup('vat', [' NL01 ', 'S'], '2026-01-01T09:30:00Z')).toEqual([expect.objectContaining({ rate: '22' })]);
    expect(data.lookup('vat', ['DE01', 'S'], '1999-01-01')).toEqual([expect.objectContaining({ rate: '19' })]);
    expect(data.lookup('vat', ['FR01', 'S'], '2026-01-01')).toEqual([]);
    expect(fns.ref('vat', ['NL01', 'S'], '2024-05-01')).toMatchObject({ rate: '21' });
    expect(fns.inRef('vat', ['NL01', 'S'], '2024-05-01')).toBe(true);
    expect(fns.inRef('vat', [['NL01', 'S'], ['FR01', 'S']], '2024-05-01')).toBe(false);
  });

  it('says what is wrong with a look-up that cannot work', () => {
    expect(() => data.lookup('vat', 'NL01', '2026-01-01')).toThrow('Reference data set "vat" is keyed by entity + code: look it up with a list of 2 values, e.g. [$.entity, $.code]');
    expect(() => data.lookup('vat', ['NL01', 'S'])).toThrow('Reference data set "vat" has effective dates (from – to): look it up with the record\'s date (YYYY-MM-DD)');
    expect(() => data.lookup('vat', ['NL01', 'S'], 'yesterday')).toThrow('not "yesterday"');
    expect(() => fns.ref('nope', 'x')).toThrow('$ref: reference data set "nope" is not loaded (the loaded sets are "contacts", "vat")');
  });

  it('gives every row of a one-to-many key with $refAll, the first with $ref', () => {
    expect(fns.refAll('contacts', 'S1')).toEqual([{ supplier: 'S1', mail: 'a@x' }, { supplier: 'S1', mail: 'b@x' }]);
    expect(fns.ref('contacts', 'S1')).toEqual({ supplier: 'S1', mail: 'a@x' });
    expect(fns.refAll('contacts', 'S9')).toEqual([]);
  });

  it('names repeated keys (overlapping periods for a dated set), rows without a key and dates that are not dates', () => {
    expect(referenceSetProblems('vat', { key: ['entity', 'code'], validFrom: 'from', validTo: 'to', rows: [
      { entity: 'NL01', code: 'S', from: '2020-01-01', to: '2025-12-31' },
      { entity: 'NL01', code: 'S', from: '2025-06-01', to: '' },
      { entity: 'NL01', from: '2020-01-01' },
      { entity: 'DE01', code: 'S', from: '1.1.2020' },
    ] }).map((p) => p.message)).toEqual([
      'Reference data set "vat": rows 1 and 2 have the same entity + code "NL01 / S" for overlapping validity periods.',
      'Reference data set "vat": row 3 has no usable value in key fields entity, code.',
      'Reference data set "vat": row 4: from "1.1.2020" is not a date (YYYY-MM-DD).',
    ]);
    expect(referenceSetProblems('contacts', { key: 'supplier', multiple: true, rows: [{ supplier: 'S1' }, { supplier: 'S1' }] })).toEqual([]);
    expect(referenceSetProblems('codes', { key: 'code', rows: [{ code: 'A' }, { code: ' A' }] })[0].rows).toEqual([1, 2]);
  });
});
