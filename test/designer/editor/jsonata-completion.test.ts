import { describe, expect, it } from 'vitest';
import { EditorState } from '@codemirror/state';
import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { jsonataCompletion, pathNames } from '../../../designer/editor/jsonata-completion.ts';
import { inferFieldTree } from '../../../designer/editor/field-paths.ts';
import { diagnosticRange } from '../../../designer/editor/jsonata-lint.ts';

const fields = inferFieldTree([{ Invoice: { ID: 'A', LegalMonetaryTotal: { PayableAmount: { '#text': '1.00' } } }, lines: [{ amount: 1 }] }]);
const complete = (text: string, explicit = false) => {
  const state = EditorState.create({ doc: text });
  return jsonataCompletion(() => fields)(new CompletionContext(state, text.length, explicit)) as CompletionResult | null;
};

describe('jsonata completion', () => {
  it('offers the fields below the path typed so far', () => {
    const r = complete('Invoice.Leg')!;
    expect(r.from).toBe('Invoice.'.length);
    expect(r.options.map((o) => o.label)).toEqual(['ID', 'LegalMonetaryTotal']);
    expect(complete('Invoice.LegalMonetaryTotal.PayableAmount.')!.options.map((o) => o.label)).toEqual(['`#text`']);
  });
  it('offers top-level fields and functions with signatures', () => {
    expect(complete('Inv')!.options.map((o) => o.label)).toEqual(['Invoice', 'lines']);
    const fn = complete('$decS')!;
    const decSum = fn.options.find((o) => o.label === '$decSum')!;
    expect(decSum.detail).toBe('(list) → string');
    expect(fn.from).toBe(0);
  });
  it('stays quiet after a variable and on empty input unless asked', () => {
    expect(complete('$doc.Inv')).toBeNull();
    expect(complete('')).toBeNull();
    expect(complete('', true)!.options).toHaveLength(2);
  });
  it('reads back-quoted names in paths', () => {
    expect(pathNames('a.`#text`.b.')).toEqual(['a', '#text', 'b']);
  });
});

describe('diagnosticRange', () => {
  it('underlines the character at the position, or the last one at the end', () => {
    expect(diagnosticRange(3, 10)).toEqual({ from: 3, to: 4 });
    expect(diagnosticRange(10, 10)).toEqual({ from: 9, to: 10 });
    expect(diagnosticRange(undefined, 5)).toEqual({ from: 0, to: 1 });
  });
});
