import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../nodes/errors.ts';
import {
  checkConfigExpressions,
  compileConfigExpression,
  compileConfigTemplate,
  nodeError,
} from '../../../nodes/expression/config-expressions.ts';
import { checkTemplate, parseTemplate, templateText } from '../../../nodes/expression/message-template.ts';
import { evaluator, setup } from './fixtures.ts';

describe('checkConfigExpressions', () => {
  it('reports each problem with its config path and position', () => {
    const problems = checkConfigExpressions(
      [
        { path: '/expression', source: 'a.b' },
        { path: '/rules/0/expression', source: 'a +' },
        { path: '/rules/1/expression', source: '  ' },
        { path: '/rules/2/expression', source: '', optional: true },
        { path: '/rules/0/message', source: 'Amount {{amount}} of {{ seller.( }} is wrong', template: true },
      ],
      evaluator,
    );
    expect(problems).toEqual([
      { path: '/rules/0/expression', message: 'Unexpected end of expression', position: 3, code: 'S0207' },
      { path: '/rules/1/expression', message: 'The expression is empty' },
      // Counted from the start of the message: the placeholder's text starts at 23, and ends 10 later.
      { path: '/rules/0/message', message: 'In a {{…}} placeholder: Expected ")" before end of expression', position: 33, code: 'S0203' },
    ]);
  });
});

describe('compileConfigExpression', () => {
  it('names node and field on a syntax error', () => {
    let thrown: unknown;
    try {
      compileConfigExpression(setup('map-po'), '/expression', 'a.b]');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FlowError);
    const err = thrown as FlowError;
    expect(err.errorClass).toBe('mapping');
    expect(err.message).toBe('Node "map-po", expression at /expression: Expression syntax error at character 4: unexpected "]"');
    expect(err.details).toMatchObject({ nodeId: 'map-po', field: '/expression', position: 3, code: 'S0201' });
  });

  it('refuses an empty expression', () => {
    expect(() => compileConfigExpression(setup('x'), '/routes/0/condition', ' ')).toThrow('Node "x": the expression at /routes/0/condition is empty');
  });

  it('compiles with the run functions', async () => {
    expect(await compileConfigExpression(setup(), '/e', '$decAdd(a, b)').evaluate({ a: 0.1, b: 0.2 })).toBe('0.3');
  });

  it('nodeError keeps class and code and adds the node', () => {
    const err = nodeError(new FlowError('mapping', 'boom', { code: 'T2002' }), 'n9');
    expect(err.details).toMatchObject({ nodeId: 'n9', code: 'T2002' });
    expect(nodeError(new Error('plain'), 'n9').errorClass).toBe('mapping');
  });
});

describe('message templates', () => {
  it('parses text and placeholders with offsets', () => {
    expect(parseTemplate('A {{x}} b {{ y.z }}')).toEqual({
      texts: ['A ', ' b ', ''],
      placeholders: [
        { source: 'x', offset: 4 },
        { source: ' y.z ', offset: 12 },
      ],
    });
    expect(parseTemplate('no placeholders')).toEqual({ texts: ['no placeholders'], placeholders: [] });
  });

  it('renders values the way an analyst reads them', async () => {
    const template = compileConfigTemplate(setup(), '/m', 'Supplier {{supplier.vatId}} ({{$count(lines)}} lines, {{missing}}, {{lines[0]}}) {{$uppercase(1)}}');
    const text = await template.render({ supplier: { vatId: 'XX1' }, lines: [{ a: 1 }, { a: 2 }] });
    expect(text).toBe('Supplier XX1 (2 lines, (missing), {"a":1}) (error: Expression error at character 1: Argument 1 of function "uppercase" does not match function signature)');
  });

  it('renders synchronously when every placeholder is a fast path', () => {
    const template = compileConfigTemplate(setup(), '/m', 'PO {{poNumber}} for {{header.entity}}');
    expect(template.render({ poNumber: 'PO-1', header: { entity: 'DE01' } })).toBe('PO PO-1 for DE01');
  });

  it('points a placeholder syntax error at its place in the message', () => {
    expect(checkTemplate('ok {{a]}}', (s) => evaluator.check(s))).toEqual([{ message: 'unexpected "]"', position: 6, code: 'S0201' }]);
    let thrown: FlowError | undefined;
    try {
      compileConfigTemplate(setup('v1'), '/rules/0/message', 'ok {{a]}}');
    } catch (err) {
      thrown = err as FlowError;
    }
    expect(thrown?.details).toMatchObject({ nodeId: 'v1', field: '/rules/0/message', position: 6 });
  });

  it.each([
    [undefined, '(missing)'],
    ['t', 't'],
    [1.5, '1.5'],
    [null, 'null'],
    [false, 'false'],
    [[1, 'a'], '1, a'],
    [[{ a: 1 }], '[{"a":1}]'],
    [{ a: [1] }, '{"a":[1]}'],
  ])('templateText(%j) → %s', (value, text) => {
    expect(templateText(value)).toBe(text);
  });
});
