/**
 * The direct routes for common built-ins (fast-builtins.ts) against jsonata's
 * own validated functions: same results, same error codes, for any argument
 * types — including the faster $round, $substring and $fromMillis.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtins } from '../../../../nodes/expression/compiler/runtime/builtins.ts';
import { FAST_BUILTINS } from '../../../../nodes/expression/compiler/runtime/fast-builtins.ts';
import { createState } from '../../../../nodes/expression/compiler/runtime/state.ts';
import { jsonataBuiltins } from '../../../../nodes/expression/compiler/jsonata-internals.ts';

type Result = { value: string } | { code: unknown };

function capture(run: () => unknown): Result {
  try {
    return { value: JSON.stringify(run()) ?? 'undefined' };
  } catch (err) {
    return { code: (err as { code?: unknown }).code ?? String(err) };
  }
}

/** jsonata's way: validate against the signature, then call with the focus. */
function viaSignature(name: string, args: unknown[], ctx: unknown): Result {
  const st = createState(500, 1000, false);
  const def = builtins()[name];
  return capture(() => {
    const validated = def.signature!.validate(args, ctx);
    st.focus.input = ctx;
    return def.implementation.apply(st.focus, validated);
  });
}

const anyValue = fc.oneof(
  fc.integer({ min: -50, max: 50 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('2026-03-14T09:21:33.000Z', '2026-03-14', '[Y0001]-[M01]-[D01]', '12.5', 'a😀b', '', 'abc'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 3 }),
  fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

describe('direct routes of common built-ins', () => {
  for (const [name, { arities, fn }] of Object.entries(FAST_BUILTINS)) {
    it(`$${name} gives what the validated call gives`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...arities), fc.array(anyValue, { minLength: 3, maxLength: 3 }), anyValue, (arity, values, ctx) => {
          const args = values.slice(0, arity);
          const st = createState(500, 1000, false);
          expect(capture(() => fn(...args, ctx, st))).toEqual(viaSignature(name, args, ctx));
        }),
        { numRuns: 400, seed: 11 },
      );
    });
  }

  it('$round(x, p) equals jsonata for values near and at .5 ties', () => {
    const round = jsonataBuiltins().round.implementation;
    const fast = FAST_BUILTINS.round.fn;
    const st = createState(500, 1000, false);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 3 }), (p, digits, extra) => {
        // decimals with one more digit than the precision (many exact .5 cases), and random doubles
        const x = digits / 10 ** (p + extra);
        expect(Object.is(fast(x, p, undefined, st), round(x, p))).toBe(true);
        const y = x * 1.000000001 + 0.0049;
        expect(Object.is(fast(y, p, undefined, st), round(y, p))).toBe(true);
      }),
      { numRuns: 20000, seed: 3 },
    );
  });

  it('$substring equals jsonata on text with and without surrogate pairs', () => {
    const substring = jsonataBuiltins().substring.implementation;
    const fast = FAST_BUILTINS.substring.fn;
    const st = createState(500, 1000, false);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), fc.integer({ min: -20, max: 20 }), fc.option(fc.integer({ min: -5, max: 20 }), { nil: undefined }), (s, start, length) => {
        const expected = substring(s, start, length);
        const actual = length === undefined ? fast(s, start, undefined, st) : fast(s, start, length, undefined, st);
        expect(actual).toBe(expected);
      }),
      { numRuns: 5000, seed: 5 },
    );
  });

  it('$fromMillis with ISO pictures equals jsonata', () => {
    const fromMillis = jsonataBuiltins().fromMillis.implementation;
    const fast = FAST_BUILTINS.fromMillis.fn;
    const st = createState(500, 1000, false);
    const pictures = [undefined, '[Y0001]-[M01]-[D01]', '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]', '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001]Z', '[D01]/[M01]/[Y0001]'];
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000 - 5000, max: 253402300800000 + 5000 }), fc.constantFrom(...pictures), (millis, picture) => {
        const expected = fromMillis.call(st.focus, millis, picture);
        const actual = picture === undefined ? fast(millis, undefined, st) : fast(millis, picture, undefined, st);
        expect(actual).toBe(expected);
      }),
      { numRuns: 5000, seed: 8 },
    );
  });
});
