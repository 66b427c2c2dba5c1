import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_DOCS, standardFunctions } from '../../../nodes/expression/functions.ts';
import { EMPTY_REFERENCE_DATA } from '../../../nodes/reference-data.ts';
import { evaluator, flowErrorOf, run } from './fixtures.ts';

describe('reference data functions', () => {
  it.each([
    ["$ref('suppliers', 'NO123456789MVA').name", 'Salescompany ltd.'],
    ["$ref('suppliers', '  NO123456789MVA ').name", 'Salescompany ltd.'],
    ["$ref('suppliers', 'DK16356706').name", 'SubscriptionSeller'],
    ["$ref('costCentres', 100).code", 100],
    ["$ref('costCentres', 200).code", '200'],
    ["$inRef('suppliers', 'NL8200.98.395.B.01')", true],
    ["$inRef('suppliers', 'XX')", false],
    ["$inRef('suppliers', nothing)", false],
    ["$inRef('costCentres', ['100', 200, 'CC-300'])", true],
    ["$inRef('costCentres', ['100', 'CC-999'])", false],
    ["$inRef('costCentres', [])", false],
  ])('%s → %j', async (expr, expected) => {
    expect(await run(expr, {})).toEqual(expected);
  });

  it.each(["$ref('suppliers', 'XX')", "$ref('suppliers', nothing)"])('%s → undefined', async (expr) => {
    expect(await run(expr, {})).toBeUndefined();
  });

  it('looks up values taken from the record', async () => {
    const invoice = { seller: { vatId: 'NL8200.98.395.B.01' } };
    expect(await run("$ref('suppliers', seller.vatId).name", invoice)).toBe('De Koksmaat');
  });

  it('names the unknown set, and says when no reference data is loaded at all', async () => {
    const known = await flowErrorOf(() => run("$inRef('vendors', 'x')", {}));
    expect(known.errorClass).toBe('mapping');
    expect(known.message).toBe('$inRef: reference data set "vendors" is not loaded (the loaded sets are "costCentres", "suppliers")');

    const none = evaluator.compile("$ref('vendors', 'x')", { functions: standardFunctions(EMPTY_REFERENCE_DATA) });
    const err = await flowErrorOf(() => none.evaluate({}));
    expect(err.message).toBe('$ref: reference data set "vendors" is not loaded (this flow loads no reference data)');
  });
});

describe('FUNCTION_DOCS', () => {
  it('documents every JSONata built-in and every custom function, once each', () => {
    // The built-ins are read from the jsonata package itself, so an upgrade that adds one fails this test.
    const source = readFileSync(new URL('../../../node_modules/jsonata/jsonata.js', import.meta.url), 'utf8');
    const builtIns = [...source.matchAll(/staticFrame\.bind\('(\w+)'/g)].map((m) => `$${m[1]}`);
    expect(builtIns.length).toBeGreaterThan(60);
    const custom = Object.keys(standardFunctions(EMPTY_REFERENCE_DATA)).map((n) => `$${n}`);
    const documented = FUNCTION_DOCS.map((d) => d.name);

    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...new Set([...builtIns, '$now', '$millis', ...custom])].sort());
    for (const doc of FUNCTION_DOCS) {
      expect(doc.signature.startsWith(`${doc.name}(`)).toBe(true);
      expect(doc.description.length).toBeGreaterThan(10);
      expect(doc.custom).toBe(custom.includes(doc.name));
    }
  });
});
