import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { outputPorts } from '../../../nodes/define-node.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { validateNode, type ValidateConfig } from '../../../nodes/validate/record.ts';
import { evaluator, flowErrorOf, setup } from '../expression/fixtures.ts';

const invoice = JSON.parse(
  readFileSync(new URL('../../../../shared/data/real/json/json-fakturoid-invoice-czk-two-lines-vat21.json', import.meta.url), 'utf8').replace(/^\uFEFF/, ''),
);

const reference = createReferenceData({
  customers: { key: 'vatNo', rows: [{ vatNo: 'CZ28444501', name: 'Microsoft a. s.' }] },
  vatRates: { key: 'rate', rows: [{ rate: 21 }, { rate: 15 }, { rate: 0 }] },
});

const config: ValidateConfig = {
  schema: {
    type: 'object',
    required: ['number', 'currency', 'total', 'lines'],
    properties: {
      number: { type: 'string', minLength: 1 },
      currency: { enum: ['CZK', 'EUR'] },
      total: { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' },
      due_on: { type: 'string', format: 'date' },
      lines: { type: 'array', minItems: 1, items: { type: 'object', required: ['quantity', 'unit_price'] } },
    },
  },
  rules: [
    {
      id: 'total-matches-lines',
      expression: '$decEq(total, $decSum(lines.$decMul($decMul(quantity, unit_price), $decAdd(1, $decDiv(vat_rate, 100)))))',
      message: 'Total {{total}} does not equal the lines plus VAT ({{$decSum(lines.$decMul($decMul(quantity, unit_price), $decAdd(1, $decDiv(vat_rate, 100))))}})',
      severity: 'error',
      field: 'total',
    },
    { id: 'due-after-issue', expression: 'due_on >= issued_on', message: 'Due date {{due_on}} is before the issue date {{issued_on}}', severity: 'error', field: 'due_on' },
    { id: 'not-paid-yet', expression: "status != 'paid'", message: 'Invoice {{number}} is already paid', severity: 'warning', field: 'status' },
  ],
  references: [
    { id: 'known-customer', set: 'customers', value: 'client_vat_no', message: 'Customer {{client_vat_no}} is not in the customer master', severity: 'error', field: 'client_vat_no' },
    { id: 'vat-rates', set: 'vatRates', value: 'lines.vat_rate', message: '', severity: 'error', field: 'lines.vat_rate' },
  ],
};

const node = () => validateNode.create(config, setup('check-invoice', reference));

describe('validate.record', () => {
  it('lets the real invoice through, with its warning attached', async () => {
    const emissions = await node().process(invoice, {});
    expect(emissions).toEqual([
      {
        port: 'valid',
        data: invoice,
        failures: [{ rule: 'not-paid-yet', message: 'Invoice 2012-0004 is already paid', severity: 'warning', field: 'status' }],
      },
    ]);
  });

  it('emits a clean record to valid without failures', async () => {
    const emissions = await node().process({ ...invoice, status: 'open' }, {});
    expect(emissions).toEqual([{ port: 'valid', data: { ...invoice, status: 'open' } }]);
  });

  it('sends a broken record to invalid listing every failure: schema, rules, reference data', async () => {
    const broken = {
      ...invoice,
      number: '',
      currency: 'USD',
      due_on: '2011-10-32',
      issued_on: '2011-11-01',
      total: '48400.01',
      client_vat_no: 'CZ00000000',
      lines: [...invoice.lines, { quantity: '1', unit_price: '10', vat_rate: 19 }],
    };
    delete (broken as Record<string, unknown>).status;
    const [emission] = await node().process(broken, {});
    expect(emission.port).toBe('invalid');
    expect(emission.data).toBe(broken);
    expect(emission.failures).toEqual([
      { rule: 'schema', message: 'number must NOT have fewer than 1 characters', severity: 'error', field: '/number' },
      { rule: 'schema', message: 'currency must be one of "CZK", "EUR"', severity: 'error', field: '/currency' },
      { rule: 'schema', message: 'due_on must match format "date"', severity: 'error', field: '/due_on' },
      { rule: 'total-matches-lines', message: 'Total 48400.01 does not equal the lines plus VAT (48411.9000)', severity: 'error', field: 'total' },
      { rule: 'due-after-issue', message: 'Due date 2011-10-32 is before the issue date 2011-11-01', severity: 'error', field: 'due_on' },
      // status is missing: `status != 'paid'` is false in JSONata, so the warning fires too.
      { rule: 'not-paid-yet', message: 'Invoice  is already paid', severity: 'warning', field: 'status' },
      { rule: 'known-customer', message: 'Customer CZ00000000 is not in the customer master', severity: 'error', field: 'client_vat_no' },
      { rule: 'vat-rates', message: 'Value 19 not found in reference data "vatRates"', severity: 'error', field: 'lines.vat_rate' },
    ]);
  });

  it('reports required fields and disallowed fields at their own path', async () => {
    const strict = validateNode.create(
      { schema: { type: 'object', required: ['supplier'], properties: { supplier: { type: 'object', required: ['vatId'] } }, additionalProperties: false }, rules: [], references: [] },
      setup(),
    );
    const [emission] = await strict.process({ supplier: {}, extra: 1 }, {});
    expect(emission.port).toBe('invalid');
    expect(emission.failures).toEqual([
      { rule: 'schema', message: 'extra is not an allowed field', severity: 'error', field: '/extra' },
      { rule: 'schema', message: 'supplier.vatId is required', severity: 'error', field: '/supplier/vatId' },
    ]);
  });

  it('counts a rule whose expression fails as a failure carrying that error', async () => {
    const v = validateNode.create(
      { rules: [{ id: 'amount-positive', expression: "$decCmp(amount, 0) > 0", message: 'Amount must be positive', severity: 'error' }], references: [] },
      setup(),
    );
    const [emission] = await v.process({ amount: 'twelve' }, {});
    expect(emission).toMatchObject({ port: 'invalid' });
    expect(emission.failures).toEqual([
      {
        rule: 'amount-positive',
        message: 'Rule "amount-positive" could not be checked: $decCmp: argument 1 is "twelve", not a number or decimal string',
        severity: 'error',
      },
    ]);
  });

  it('a rule or reference check stopped by an evaluation limit fails the record (dead letter), it is no verdict on it', async () => {
    const bomb = '$length($pad("x", 400000000)) > 0';
    const v = validateNode.create(
      {
        rules: [{ id: 'bomb', expression: bomb, message: 'never', severity: 'warning' }],
        references: [{ id: 'cc', set: 'costCentres', value: `${bomb} ? "100" : "100"`, message: '', severity: 'error' }],
      },
      setup('check-limits'),
    );
    const err = await flowErrorOf(() => v.process({}, {}));
    expect(err.errorClass).toBe('permanent');
    expect(err.details).toMatchObject({ code: 'U1003', nodeId: 'check-limits', field: '/rules/0/expression' });
    const refOnly = validateNode.create({ rules: [], references: [{ id: 'cc', set: 'costCentres', value: `${bomb} ? "100" : "100"`, message: '', severity: 'error' }] }, setup('check-limits'));
    expect((await flowErrorOf(() => refOnly.process({}, {}))).details).toMatchObject({ code: 'U1003', field: '/references/0/value' });
  });

  it('where code generation is refused (the designer\'s CSP), leaves the schema to the server with a warning', () => {
    const script = `
      import { validateNode } from ${JSON.stringify(new URL('../../../nodes/validate/record.ts', import.meta.url).href)};
      import { createReferenceEvaluator } from ${JSON.stringify(new URL('../../../nodes/expression/jsonata-evaluator.ts', import.meta.url).href)};
      const evaluator = createReferenceEvaluator();
      const config = { schema: { type: 'object', required: ['a'] }, rules: [], references: [] };
      const node = validateNode.create(config, { nodeId: 'v', evaluator, reference: { get: () => undefined, names: () => [] }, functions: {} });
      console.log(JSON.stringify({ problems: validateNode.check(config, evaluator), out: await node.process({}, {}) }));`;
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      problems: [],
      out: [{ port: 'valid', data: {}, failures: [{ rule: 'schema', message: 'The JSON Schema is checked by the server (on save and in runs), not in the designer', severity: 'warning' }] }],
    });
  });

  it('a missing reference value fails the check; an explicit empty list passes it', async () => {
    const v = validateNode.create(
      { rules: [], references: [{ id: 'cc', set: 'costCentres', value: 'lines.costCentre', message: 'Unknown cost centre in {{lines.costCentre}}', severity: 'error' }] },
      setup(),
    );
    expect((await v.process({}, {}))[0].port).toBe('invalid');
    expect((await v.process({ lines: [] }, {}))[0].port).toBe('invalid');
    // Wrapped in [ ], no lines is an empty list: nothing to look up, so the check passes.
    const optional = validateNode.create(
      { rules: [], references: [{ id: 'cc', set: 'costCentres', value: '[lines.costCentre]', message: '', severity: 'error' }] },
      setup(),
    );
    expect((await optional.process({ lines: [] }, {}))[0]).toEqual({ port: 'valid', data: { lines: [] } });
    expect((await optional.process({ lines: [{ costCentre: 'x' }] }, {}))[0].failures).toEqual([
      { rule: 'cc', message: 'Value "x" not found in reference data "costCentres"', severity: 'error' },
    ]);
    expect((await v.process({ lines: [{ costCentre: 100 }, { costCentre: ' CC-300 ' }] }, {}))[0]).toEqual({
      port: 'valid',
      data: { lines: [{ costCentre: 100 }, { costCentre: ' CC-300 ' }] },
    });
    const [bad] = await v.process({ lines: [{ costCentre: 100 }, { costCentre: 'CC-999' }] }, {});
    expect(bad.failures).toEqual([{ rule: 'cc', message: 'Unknown cost centre in 100, CC-999', severity: 'error' }]);
  });

  it('refuses to start when a reference data set is not loaded', async () => {
    const err = await flowErrorOf(() =>
      validateNode.create({ rules: [], references: [{ id: 'sup', set: 'vendors', value: 'vatId', message: '', severity: 'error' }] }, setup('check-po')),
    );
    expect(err.errorClass).toBe('mapping');
    expect(err.message).toBe('Node "check-po", reference check "sup": reference data set "vendors" is not loaded (loaded: costCentres, suppliers)');
    expect(err.details).toMatchObject({ nodeId: 'check-po', field: '/references/0/set' });
  });

  it('check() reports every problem with its path', () => {
    const problems = validateNode.check!(
      {
        schema: { type: 'nonsense' },
        rules: [
          { id: 'a', expression: 'amount >', message: 'ok', severity: 'error' },
          { id: 'a', expression: 'amount > 0', message: 'Amount {{amount ]}} is wrong', severity: 'warning' },
        ],
        references: [{ id: 'r', set: '', value: '', message: '', severity: 'error' }],
      },
      evaluator,
    );
    expect(problems).toEqual([
      { path: '/rules/1/id', message: 'The id "a" is used twice; failures would be ambiguous' },
      { path: '/references/0/set', message: 'Name the reference data set to look the value up in' },
      { path: '/schema', message: expect.stringContaining('The JSON Schema is not valid: schema is invalid: data/type must be equal to one of the allowed values') },
      { path: '/rules/1/message', message: 'In a {{…}} placeholder: unexpected "]"', position: 16, code: 'S0201' },
      // The conditions and values are expression fields of the schema: checked after the node's own checks.
      { path: '/rules/0/expression', message: 'Unexpected end of expression', position: 8, code: 'S0207' },
      { path: '/references/0/value', message: 'The expression is empty' },
    ]);
    expect(validateNode.check!(config, evaluator)).toEqual([]);
  });

  it('declares ports, expression fields, a summary and a config schema its configs satisfy', () => {
    expect(outputPorts(validateNode, config).map((p) => p.id)).toEqual(['valid', 'invalid']);
    expect(validateNode.expressionFields).toEqual(['/rules/*/expression', '/references/*/value', '/references/*/at']);
    expect(validateNode.summary!(config)).toBe('schema, 3 rules, 2 reference checks');
    expect(validateNode.summary!(validateNode.defaults)).toBe('no checks');
    const validate = new Ajv2020({ strict: true }).compile(validateNode.configSchema);
    expect(validate(validateNode.defaults)).toBe(true);
    expect(validate(config)).toBe(true);
    expect(validate({ ...config, rules: [{ id: 'x', expression: 'a', message: 'm', severity: 'fatal' }] })).toBe(false);
  });

  it('accepts a draft-07 schema too', async () => {
    const v = validateNode.create(
      { schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['id'] }, rules: [], references: [] },
      setup(),
    );
    expect((await v.process({ id: 1 }, {}))[0].port).toBe('valid');
    expect((await v.process({}, {}))[0].failures).toEqual([{ rule: 'schema', message: 'id is required', severity: 'error', field: '/id' }]);
  });
});
