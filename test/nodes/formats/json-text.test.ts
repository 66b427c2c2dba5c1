import { describe, expect, it } from 'vitest';
import { jsonTextOf } from '../../../nodes/formats/json-text.ts';

describe('jsonTextOf', () => {
  it('gives JSON.stringify of any value', () => {
    for (const v of [null, 1, 'a', true, [1, { b: 2 }], { a: '€', n: null }]) expect(jsonTextOf(v)).toBe(JSON.stringify(v));
    expect(jsonTextOf(undefined)).toBeUndefined();
  });

  it('serialises one object once: the second call returns the same text without reading the object again', () => {
    let reads = 0;
    const record = { get amount() { reads++; return '12.50'; } };
    const first = jsonTextOf(record);
    const second = jsonTextOf(record);
    expect(first).toBe('{"amount":"12.50"}');
    expect(second).toBe(first);
    expect(reads).toBe(1);
    // A different object with the same content is its own entry.
    expect(jsonTextOf({ amount: '12.50' })).toBe(first);
  });
});
