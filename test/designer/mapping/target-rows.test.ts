import { describe, expect, it } from 'vitest';
import { fieldsFromSchema } from '../../../designer/editor/field-paths.ts';
import { parseMapping, type MappingEntry } from '../../../designer/mapping/expression-mapping.ts';
import { applyMappingFunction, MAPPING_FUNCTIONS } from '../../../designer/mapping/mapping-functions.ts';
import { producesValue, targetRows, valuesAt } from '../../../designer/mapping/target-rows.ts';
import { readTargetStructure, schemaFromSample } from '../../../designer/mapping/target-structure.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { standardFunctions } from '../../../nodes/expression/functions.ts';
import { EMPTY_REFERENCE_DATA } from '../../../nodes/reference-data.ts';

const fieldsOf = (expr: string): MappingEntry[] => {
  const r = parseMapping(expr);
  if (!r.ok) throw new Error(r.reason);
  return r.mapping.fields;
};

const targetSample = { statementId: 'S-1', entries: [{ amount: '10.00', details: [{ reference: 'R-1' }] }] };

describe('target rows', () => {
  const declared = fieldsFromSchema(schemaFromSample(targetSample));

  it('shows a declared list as a list row whose fields wait until a repeating element is mapped onto it', () => {
    const rows = targetRows(declared, []);
    expect(rows.map((r) => [r.path.join('.'), r.kind, r.waitingForLoop])).toEqual([
      ['statementId', 'field', false],
      ['entries', 'list', false],
      ['entries.amount', 'field', true],
      ['entries.details', 'list', true],
      ['entries.details.reference', 'field', true],
    ]);
  });

  it('gives fields inside loops the chain of loop sources, and lists mapped fields nothing declares', () => {
    const rows = targetRows(declared, fieldsOf('{ "entries": [Ntry.{ "amount": Amt, "details": [NtryDtls.TxDtls.{ "reference": Refs.EndToEndId }] }], "extra": [X.{ "y": Y }] }'));
    const byPath = new Map(rows.map((r) => [r.path.join('.'), r]));
    expect(byPath.get('entries')).toMatchObject({ kind: 'list', loop: 'Ntry', loops: [], declared: true });
    expect(byPath.get('entries.details.reference')).toMatchObject({ expression: 'Refs.EndToEndId', loops: ['Ntry', 'NtryDtls.TxDtls'], waitingForLoop: false });
    expect(byPath.get('extra')).toMatchObject({ kind: 'list', loop: 'X', declared: false });
    expect(byPath.get('extra.y')).toMatchObject({ kind: 'field', expression: 'Y', loops: ['X'] });
  });

  it('reads values through lists and counts only fields that produce something', () => {
    const out = { statementId: null, entries: [{ amount: '1.00', details: [{ reference: 'a' }, { reference: null }] }, { amount: '2.00' }] };
    expect(valuesAt(out, ['entries', 'amount'])).toEqual(['1.00', '2.00']);
    expect(valuesAt(out, ['entries', 'details', 'reference'])).toEqual(['a', null]);
    expect(producesValue(valuesAt(out, ['statementId']))).toBe(false);
    expect(producesValue(valuesAt(out, ['entries', 'details', 'reference']))).toBe(true);
    expect(producesValue(valuesAt(out, ['missing']))).toBe(false);
    expect(producesValue([[null, null]])).toBe(false);
  });
});

describe('target structure from a schema or a sample', () => {
  it('turns a sample into the schema it implies, lists of objects included', () => {
    expect(schemaFromSample(targetSample)).toEqual({
      type: 'object',
      properties: {
        statementId: { type: 'string' },
        entries: { type: 'array', items: { type: 'object', properties: { amount: { type: 'string' }, details: { type: 'array', items: { type: 'object', properties: { reference: { type: 'string' } } } } } } },
      },
    });
  });

  it('keeps a JSON Schema as given and refuses what is not an object', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    expect(readTargetStructure(JSON.stringify(schema))).toEqual({ ok: true, schema });
    expect(readTargetStructure('[1, 2]')).toMatchObject({ ok: false, message: expect.stringMatching(/must be an object/) });
    expect(readTargetStructure('{ nope')).toMatchObject({ ok: false, message: expect.stringMatching(/Not valid JSON/) });
  });
});

describe('functions on a mapper row', () => {
  const item = { Amt: { '#text': '2000.10' }, CdtDbtInd: 'CRDT', Dt: '2009-10-29', Nm: ' ACME  Oy ', list: ['1.10', '2.205'] };
  it.each([
    ['decAdd', 'Amt.`#text`', '2000.10'],
    ['decMul', 'Amt.`#text`', '2000.10'],
    ['decRound', '"2.345"', '2.34'],
    ['decSum', 'list', '3.305'],
    ['decNeg', 'Amt.`#text`', '-2000.10'],
    ['dmyDate', 'Dt', '29.10.2009'],
    ['isoDate', '"2009-10-30T21:01:45+02:00"', '2009-10-30'],
    ['trim', 'Nm', 'ACME Oy'],
    ['ifElse', 'CdtDbtInd', 'CRDT'],
    ['concat', 'CdtDbtInd', 'CRDT CRDT'],
    ['default', 'Missing', 'default'],
    ['count', 'list', 2],
  ])('%s applied to %s gives %j', async (id, expr, expected) => {
    const compiled = createReferenceEvaluator().compile(applyMappingFunction(id, expr), { functions: standardFunctions(EMPTY_REFERENCE_DATA) });
    expect(await compiled.evaluate(item)).toEqual(expected);
  });

  it('parenthesises an operand that is not a plain path, and every function has a distinct id', () => {
    expect(applyMappingFunction('concat', 'a & b')).toBe('(a & b) & " " & (a & b)');
    expect(applyMappingFunction('decAdd', '')).toBe('$decAdd(value, "0.00")');
    expect(new Set(MAPPING_FUNCTIONS.map((f) => f.id)).size).toBe(MAPPING_FUNCTIONS.length);
  });
});
