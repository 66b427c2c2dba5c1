import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { outputPorts } from '../../../nodes/define-node.ts';
import { routeNode, type RouteConfig } from '../../../nodes/route/condition.ts';
import { evaluator, flowErrorOf, setup } from '../expression/fixtures.ts';

const byEntity: RouteConfig = {
  routes: [
    { port: 'de', label: 'Germany (SAP)', condition: "header.legalEntity = 'DE01'" },
    { port: 'nl', label: 'Netherlands (Exact)', condition: "$substring(header.legalEntity, 0, 2) = 'NL'" },
    { port: 'big', condition: "$decCmp(total, '10000') >= 0" },
  ],
  defaultPort: 'default',
};

interface Case {
  name: string;
  config: RouteConfig;
  data: unknown;
  /** The port taken, or null for no emission. */
  port: string | null;
}

const cases: Case[] = [
  { name: 'first route (fast path)', config: byEntity, data: { header: { legalEntity: 'DE01' }, total: '5' }, port: 'de' },
  { name: 'second route (jsonata)', config: byEntity, data: { header: { legalEntity: 'NL02' }, total: '5' }, port: 'nl' },
  { name: 'first match wins over a later one', config: byEntity, data: { header: { legalEntity: 'DE01' }, total: '20000' }, port: 'de' },
  { name: 'a later route when earlier ones do not hold', config: byEntity, data: { header: { legalEntity: 'FR01' }, total: '10000.00' }, port: 'big' },
  { name: 'default when nothing matches', config: byEntity, data: { header: { legalEntity: 'FR01' }, total: '1' }, port: 'default' },
  { name: 'missing fields match nothing', config: byEntity, data: {}, port: 'default' },
  { name: 'no default: dropped', config: { ...byEntity, defaultPort: null }, data: { header: { legalEntity: 'FR01' }, total: '1' }, port: null },
  { name: 'JSONata truthiness: a non-empty string holds', config: { routes: [{ port: 'flag', condition: 'approvedBy' }], defaultPort: null }, data: { approvedBy: 'anna' }, port: 'flag' },
  { name: 'JSONata truthiness: an empty list does not', config: { routes: [{ port: 'flag', condition: 'lines' }], defaultPort: 'default' }, data: { lines: [] }, port: 'default' },
  { name: 'bindings reach conditions', config: { routes: [{ port: 'replay', condition: '$replay' }], defaultPort: 'default' }, data: {}, port: 'default' },
];

describe('route.condition', () => {
  it.each(cases)('$name', async ({ config, data, port }) => {
    const emissions = await routeNode.create(config, setup('route')).process(data, {});
    expect(emissions).toEqual(port === null ? [] : [{ port, data }]);
  });

  it('passes per-record bindings to conditions', async () => {
    const node = routeNode.create({ routes: [{ port: 'replay', condition: '$replay = true' }], defaultPort: 'default' }, setup());
    expect(await node.process({}, { replay: true })).toEqual([{ port: 'replay', data: {} }]);
  });

  it('answers synchronously while conditions are fast paths', () => {
    const node = routeNode.create(byEntity, setup());
    expect(node.process({ header: { legalEntity: 'DE01' } }, {})).toEqual([{ port: 'de', data: { header: { legalEntity: 'DE01' } } }]);
  });

  it('a condition stopped by an evaluation limit keeps its class (permanent) and code', async () => {
    const node = routeNode.create({ routes: [{ port: 'x', condition: '$length($pad("x", 400000000)) > 0' }], defaultPort: 'default' }, setup('route-limit'));
    const err = await flowErrorOf(() => node.process({}, {}));
    expect(err.errorClass).toBe('permanent');
    expect(err.details).toMatchObject({ code: 'U1003', nodeId: 'route-limit' });
  });

  it('a failing condition is a mapping error naming node and route', async () => {
    const node = routeNode.create(byEntity, setup('route-entity'));
    const err = await flowErrorOf(() => node.process({ header: { legalEntity: 'FR01' }, total: 'n/a' }, {}));
    expect(err.errorClass).toBe('mapping');
    expect(err.message).toBe('Condition of route "big" could not be evaluated: $decCmp: argument 1 is "n/a", not a number or decimal string');
    expect(err.details.nodeId).toBe('route-entity');
  });

  it('computes output ports from the config', () => {
    expect(outputPorts(routeNode, byEntity)).toEqual([
      { id: 'de', title: 'Germany (SAP)' },
      { id: 'nl', title: 'Netherlands (Exact)' },
      { id: 'big', title: 'big' },
      { id: 'default', title: 'Default' },
    ]);
    expect(outputPorts(routeNode, { ...byEntity, defaultPort: null }).map((p) => p.id)).toEqual(['de', 'nl', 'big']);
    expect(routeNode.summary!(byEntity)).toBe('→ de | nl | big | default');
  });

  it('check() reports bad conditions and port ids with their paths', () => {
    const problems = routeNode.check!(
      {
        routes: [
          { port: 'de', condition: "header.legalEntity = 'DE01'" },
          { port: 'de', condition: 'x' },
          { port: '1st', condition: 'a and' },
          { port: 'default', condition: '' },
        ],
        defaultPort: 'default',
      },
      evaluator,
    );
    expect(problems).toEqual([
      { path: '/routes/1/port', message: 'Two routes use the port "de"; each route needs its own' },
      { path: '/routes/2/port', message: 'Port id "1st" must start with a letter and use only letters, digits, "-" and "_"' },
      { path: '/routes/3/port', message: 'The port "default" is the default port; give this route another id' },
      { path: '/routes/2/condition', message: 'Unexpected end of expression', position: 5, code: 'S0207' },
      { path: '/routes/3/condition', message: 'The expression is empty' },
    ]);
    expect(routeNode.check!({ routes: [], defaultPort: null }, evaluator)).toEqual([
      { path: '/routes', message: 'With no routes and no default port every record would be dropped' },
    ]);
    expect(routeNode.check!(byEntity, evaluator)).toEqual([]);
  });

  it('has a config schema its defaults and examples satisfy', () => {
    const validate = new Ajv2020({ strict: true }).compile(routeNode.configSchema);
    expect(validate(routeNode.defaults)).toBe(true);
    expect(validate(byEntity)).toBe(true);
    expect(validate({ ...byEntity, defaultPort: 'other' })).toBe(false);
    expect(validate({ routes: [{ port: 'de' }], defaultPort: null })).toBe(false);
    expect(routeNode.expressionFields).toEqual(['/routes/*/condition']);
  });
});
