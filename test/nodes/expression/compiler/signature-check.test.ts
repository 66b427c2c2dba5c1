import { describe, expect, it, vi } from 'vitest';
import { parseSignature } from '../../../../nodes/expression/compiler/jsonata-internals.ts';
import { validateArguments } from '../../../../nodes/expression/compiler/runtime/signature-check.ts';

function counted(definition: string) {
  const signature = parseSignature(definition);
  const validate = vi.spyOn(signature, 'validate');
  return { signature, validate };
}

describe('validateArguments', () => {
  it('skips validate for kinds it has seen pass through unchanged, and hands back the same arguments', () => {
    const { signature, validate } = counted('<s-nn?:s>');
    const first = ['abc', 1, 2];
    expect(validateArguments(signature, first, null)).toEqual(first);
    const second = ['xyz', 0, 1];
    expect(validateArguments(signature, second, null)).toBe(second);
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('keeps validating kinds that change the arguments (context substitution), with the same result as jsonata', () => {
    const { signature, validate } = counted('<s-nn?:s>');
    expect(validateArguments(signature, [1, 2], 'ctx')).toEqual(['ctx', 1, 2]);
    expect(validateArguments(signature, [3, 4], 'other')).toEqual(['other', 3, 4]);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it("keeps validating kinds that fail, so every call raises jsonata's error", () => {
    const { signature, validate } = counted('<s-nn?:s>');
    expect(() => validateArguments(signature, [{}, 1], null)).toThrow();
    expect(() => validateArguments(signature, [{}, 1], null)).toThrow();
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it('wraps a single value for an array parameter each time (the result differs from the arguments)', () => {
    const { signature, validate } = counted('<a:n>');
    expect(validateArguments(signature, [5], null)).toEqual([[5]]);
    expect(validateArguments(signature, [6], null)).toEqual([[6]]);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it('always validates a signature with typed arrays: their items decide', () => {
    const { signature, validate } = counted('<a<n>:n>');
    const numbers = [[1, 2]];
    expect(validateArguments(signature, numbers, null)).toEqual(numbers);
    expect(() => validateArguments(signature, [[1, 'x']], null)).toThrow();
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it('validates every call with more arguments than it remembers kinds for', () => {
    const { signature, validate } = counted('<n+:n>');
    const many = Array.from({ length: 17 }, (_, i) => i);
    expect(validateArguments(signature, many, null)).toEqual(many);
    expect(validateArguments(signature, many, null)).toEqual(many);
    expect(validate).toHaveBeenCalledTimes(2);
    const sixteen = many.slice(1);
    validateArguments(signature, sixteen, null);
    validateArguments(signature, sixteen, null);
    expect(validate).toHaveBeenCalledTimes(3);
  });

  it('tells a missing value in front apart from fewer arguments', () => {
    const { signature, validate } = counted('<s?s?:s>');
    validateArguments(signature, ['a'], null);
    validateArguments(signature, [undefined, 'a'], null);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it('tells functions, null, missing values and objects apart as jsonata does', () => {
    const { signature, validate } = counted('<x-:x>');
    for (const value of [() => 1, null, undefined, { a: 1 }, true, 'a', 1, []]) validateArguments(signature, [value], null);
    expect(validate).toHaveBeenCalledTimes(8);
  });
});
