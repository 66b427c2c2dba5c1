/**
 * Hostile expressions and hostile input: compiled code reaches nothing but its
 * input, bindings and registered functions — no globals, no `process` or
 * `require`, no prototype chains — and keys such as `__proto__` and
 * `constructor` are data, as in the reference.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compileExpression } from '../../../../nodes/expression/compiler/compile.ts';
import { createCompiledEvaluator } from '../../../../nodes/expression/compiler/index.ts';
import { createReferenceEvaluator } from '../../../../nodes/expression/jsonata-evaluator.ts';
import { outcome } from './differential-support.ts';

const reference = createReferenceEvaluator();
const compiled = createCompiledEvaluator({ fallback: reference });

const hostileInput = () =>
  JSON.parse(
    '{"__proto__": {"polluted": "yes"}, "constructor": {"name": "c"}, "prototype": 1, "a": {"b": 1},' +
      ' "items": [{"k": "__proto__", "v": 1}, {"k": "constructor", "v": 2}, {"k": "toString", "v": 3}, {"k": "hasOwnProperty", "v": 4}]}',
  );

const PROBES = [
  '__proto__',
  '__proto__.polluted',
  '`__proto__`.polluted',
  'constructor.name',
  'a.constructor',
  'a.__proto__',
  'a.toString',
  'a.hasOwnProperty',
  'items{ k: v }',
  'items.{ k: v }',
  '{ "__proto__": 5, "constructor": 6 }',
  '$merge(items.{ k: v })',
  '$spread(items)',
  '$lookup($, "constructor")',
  '$lookup(a, "constructor")',
  '$keys(a)',
  'a@$__proto__.$__proto__',
  '($__proto__ := 3; $constructor := 4; $__proto__ + $constructor)',
  'function($__proto__, $constructor) { $__proto__ & $constructor }("x", "y")',
  '$constructor',
  '$process',
  '$globalThis',
  '$require',
  '$this',
  '$Function',
  '$require("fs")',
  '$process.exit(1)',
  'constructor.constructor("return process")()',
  '$string.constructor',
  '$sum.implementation',
  '$string["implementation"]',
  '$toString()',
  '$hasOwnProperty("x")',
  '$valueOf()',
  '$eval("$process")',
  '$eval("constructor.constructor")',
  '$eval("__proto__.polluted")',
  '"\\"); globalThis.pwned = 1; (\\""',
  '`a"); globalThis.pwned = 1; ("`',
  '$replace("a\\"b", /["a]/, "-")',
  '$map([1], function($v) { $v ~> $eval("globalThis") })',
];

describe('compiled evaluator under hostile expressions and input', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('p');
  });

  for (const source of PROBES) {
    it(`gives the reference outcome: ${source}`, async () => {
      const expr = compiled.compile(source);
      expect(expr.engine).toBe('compiled');
      const ours = await outcome(compiled, source, hostileInput(), {});
      const theirs = await outcome(reference, source, hostileInput(), {});
      expect(ours).toEqual(theirs);
    });
  }

  it('keeps __proto__ in a transform update as data instead of replacing a prototype', () => {
    const result = compiled.compile('$ ~> |a|{"__proto__": {"p": 1}}|').evaluate(hostileInput()) as { a: object };
    expect(Object.getPrototypeOf(result.a)).toBe(Object.prototype);
    expect(Object.keys(result.a)).toEqual(['b', '__proto__']);
  });

  it('does not read inherited properties of input objects, nor run their getters', () => {
    let ran = false;
    class Account {
      id = 'A1';
      get secret() {
        ran = true;
        return 'hidden';
      }
    }
    const expr = compiled.compile('[id, secret, $lookup($, "secret"), $keys($)]');
    expect(JSON.parse(JSON.stringify(expr.evaluate(new Account())))).toEqual(['A1', 'id']);
    expect(ran).toBe(false);
  });

  it('sees only own properties of bindings', () => {
    const bindings = Object.create({ inherited: 'from the prototype' });
    bindings.own = 'own';
    expect(compiled.compile('[$own, $inherited, $constructor]').evaluate({}, bindings)).toEqual(['own']);
  });

  it('never turns expression text into JavaScript identifiers', () => {
    const names = ['process', 'require', 'globalThis', 'constructor', '__proto__', 'Function', 'pwned', 'window'];
    for (const source of [...PROBES, '$window := 1', 'Function.prototype', '$x.window.process']) {
      const result = compileExpression(source);
      if (!result.ok) continue;
      // String literals (JSON-quoted) are where expression text may appear; nowhere else.
      const code = result.source.replace(/"(?:[^"\\]|\\.)*"/g, '""');
      for (const name of names) expect(code, `${name} in the code of ${source}`).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('hands generated code a frozen runtime', () => {
    const result = compileExpression('a');
    expect(result.ok).toBe(true);
    // the runtime object is the program's only capability besides its arguments
    expect(result.ok && result.source).toMatch(/^"use strict";/);
  });
});
