import { describe, expect, it } from 'vitest';
import { compileFieldPath, fieldPathProblem } from '../../nodes/field-path.ts';
import { FlowError } from '../../nodes/errors.ts';

const record = {
  invoiceNumber: 'INV-1',
  supplier: { id: 'S1', address: { city: 'Oslo' } },
  lines: [{ amount: '10.00' }, { amount: '2.50', tax: { code: 'S' } }],
  zero: 0,
};

describe('compileFieldPath', () => {
  it.each([
    ['invoiceNumber', 'INV-1'],
    ['supplier.id', 'S1'],
    ['supplier.address.city', 'Oslo'],
    ['lines.1.amount', '2.50'],
    ['lines.1.tax.code', 'S'],
    ['lines.0', { amount: '10.00' }],
    ['zero', 0],
    ['lines.5.amount', undefined],
    ['supplier.id.length', undefined],
    ['missing.deep.path', undefined],
    ['', record],
  ])('%s', (path, expected) => {
    expect(compileFieldPath(path)(record)).toEqual(expected);
  });

  it('reads own properties only', () => {
    expect(compileFieldPath('toString')({})).toBeUndefined();
    expect(compileFieldPath('a.hasOwnProperty')({ a: {} })).toBeUndefined();
    const parsed = JSON.parse('{"a":{"polluted":1}}');
    expect(compileFieldPath('a.polluted')(parsed)).toBe(1);
  });

  it('refuses prototype segments and empty segments', () => {
    for (const path of ['__proto__', 'a.constructor', 'a.prototype.x', 'a..b', '.a', 'a.']) {
      expect(fieldPathProblem(path)).not.toBeNull();
      expect(() => compileFieldPath(path)).toThrow(FlowError);
    }
    expect(fieldPathProblem('lines.0.amount')).toBeNull();
  });

  it('returns undefined for non-object inputs', () => {
    expect(compileFieldPath('a.b')(null)).toBeUndefined();
    expect(compileFieldPath('a')('text')).toBeUndefined();
    expect(compileFieldPath('a.b.c.d')(42)).toBeUndefined();
  });
});
