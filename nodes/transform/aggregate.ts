/**
 * Aggregate: groups the run's records by key expressions and emits one record
 * per group (key fields plus exact-decimal measures) once the run's input is
 * done. The engine keeps the groups (see GroupingBehaviour); this module
 * computes each record's key and measure values.
 */
import { Expression, StringEnum, Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type GroupingBehaviour } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import { compileConfigExpression } from '../expression/config-expressions.ts';
import type { Bindings, CompiledExpression } from '../expression/evaluator.ts';
import { addToGroup, groupRecord, loadGroup, MEASURE_OPS, newGroup, sizeWindows, type MeasureSpec } from './aggregate-groups.ts';

const FieldName = (title: string) => Type.String({ title, minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

const config = Type.Object({
  groupBy: Type.Array(Type.Object({
    field: FieldName('Field'),
    expression: Expression({ title: 'Key expression', description: 'JSONata on each record giving this part of the group key.' }),
  }, { additionalProperties: false }), {
    title: 'Group by',
    description: 'The group key: each part becomes a field of the group record. A record whose key part gives nothing is quarantined.',
    minItems: 1,
    default: [{ field: 'key', expression: 'key' }],
  }),
  measures: Type.Array(Type.Object({
    field: FieldName('Field'),
    op: StringEnum(MEASURE_OPS, { title: 'Function' }),
    expression: Type.Optional(Expression({ title: 'Value', description: 'JSONata on each record giving the value (not needed for count).' })),
  }, { additionalProperties: false }), {
    title: 'Measures',
    description: 'sum, avg, min, max in exact decimals; count of records; first/last/collect in the order records were read.',
    default: [{ field: 'count', op: 'count' }],
  }),
  window: Type.Optional(Type.Object({
    eventTime: Expression({ title: 'Event time', description: 'JSONata giving the record\'s time (ISO text or epoch milliseconds).' }),
    minutes: Type.Integer({ title: 'Window (minutes)', minimum: 1 }),
  }, {
    title: 'Time window',
    description: 'Groups per tumbling time window as well (field windowStart). Windows close when the run ends, also for streaming sources.',
    additionalProperties: false,
  })),
  sizeWindow: Type.Optional(Type.Integer({
    title: 'Size window (records)',
    description: 'Each group closes after this many records, in read order, and the next records of its key start a new window (field windowNo: 1, 2, …). A window still open when the run ends closes then, with fewer records.',
    minimum: 1,
  })),
  maxGroupsInMemory: Type.Integer({
    title: 'Groups kept in memory',
    description: 'Beyond this many groups the run spills groups to the store instead of holding them.',
    minimum: 100,
    default: 100000,
  }),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Aggregate', additionalProperties: false });

export type AggregateConfig = Static<typeof config>;

export const WINDOW_FIELD = 'windowStart';
export const SIZE_WINDOW_FIELD = 'windowNo';

function checkConfig(config: AggregateConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>([...(config.window ? [WINDOW_FIELD] : []), ...(config.sizeWindow ? [SIZE_WINDOW_FIELD] : [])]);
  const named = (field: string, path: string) => {
    if (seen.has(field)) problems.push({ path, message: `The field "${field}" is named twice` });
    seen.add(field);
  };
  for (const [i, g] of config.groupBy.entries()) named(g.field, `/groupBy/${i}/field`);
  config.measures.forEach((m, i) => {
    named(m.field, `/measures/${i}/field`);
    if (m.op !== 'count' && !m.expression?.trim()) problems.push({ path: `/measures/${i}/expression`, message: `A ${m.op} needs a value expression` });
  });
  return problems;
}

const givesNothing = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

async function evaluated(expr: CompiledExpression, data: unknown, bindings: Bindings): Promise<unknown> {
  const r = expr.evaluate(data, bindings);
  return r instanceof Promise ? await r : r;
}

function windowStart(time: unknown, minutes: number): string | null {
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (!Number.isFinite(ms)) return null;
  const size = minutes * 60_000;
  return new Date(Math.floor(ms / size) * size).toISOString();
}

/** `transform.aggregate`: one record per group of the run's records. */
export const aggregateNode = defineNode({
  type: 'transform.aggregate',
  version: 1,
  title: 'Aggregate',
  description: 'Groups the records of a run by key expressions and sends on one record per group with exact sums, counts, min, max, averages, first/last and collected values, once all records are read.',
  category: 'transform',
  inputs: [{ id: 'in', title: 'In' }],
  outputs: [{ id: 'out', title: 'Groups' }],
  config,
  check: checkConfig,
  summary(config) {
    const every = config.sizeWindow ? `, every ${config.sizeWindow} records` : '';
    return `by ${config.groupBy.map((g) => g.field).join(', ')}${every}: ${config.measures.map((m) => `${m.op}→${m.field}`).join(', ')}`;
  },
  create(config, setup) {
    const keys = config.groupBy.map((g, i) => ({ field: g.field, path: `/groupBy/${i}/expression`, expr: compileConfigExpression(setup, `/groupBy/${i}/expression`, g.expression) }));
    const specs: MeasureSpec[] = config.measures.map((m) => ({ name: m.field, op: m.op }));
    const values = config.measures.map((m, i) => (m.expression?.trim() ? compileConfigExpression(setup, `/measures/${i}/expression`, m.expression) : undefined));
    const timeWindow = config.window ? { minutes: config.window.minutes, expr: compileConfigExpression(setup, '/window/eventTime', config.window.eventTime) } : undefined;
    const sized = config.sizeWindow !== undefined;
    const keyNames = [...(timeWindow ? [WINDOW_FIELD] : []), ...keys.map((k) => k.field), ...(sized ? [SIZE_WINDOW_FIELD] : [])];
    const fail = (message: string, field: string): never => {
      throw new FlowError('validation', `Node "${setup.nodeId}": ${message}`, { nodeId: setup.nodeId, field });
    };
    const evaluate = async (expr: CompiledExpression, data: unknown, bindings: Bindings, field: string) => {
      try {
        return await evaluated(expr, data, bindings);
      } catch (err) {
        const e = toFlowError(err, 'mapping');
        throw new FlowError(e.errorClass, `Node "${setup.nodeId}", expression at ${field}: ${e.message}`, { ...e.details, nodeId: setup.nodeId, field });
      }
    };
    const keyOf = async (data: unknown, bindings: Bindings): Promise<unknown[]> => {
      const key: unknown[] = [];
      if (timeWindow) {
        const start = windowStart(await evaluate(timeWindow.expr, data, bindings, '/window/eventTime'), timeWindow.minutes);
        if (start === null) fail(`the event time \`${timeWindow.expr.source}\` gave no time for this record, so it has no window`, '/window/eventTime');
        key.push(start);
      }
      for (const k of keys) {
        const v = await evaluate(k.expr, data, bindings, k.path);
        if (givesNothing(v)) fail(`the group key "${k.field}" (\`${k.expr.source}\`) gave nothing for this record`, k.path);
        key.push(v);
      }
      return key;
    };
    const measureValues = async (data: unknown, bindings: Bindings) => {
      const out: unknown[] = [];
      for (let i = 0; i < values.length; i++) out.push(values[i] ? await evaluate(values[i]!, data, bindings, `/measures/${i}/expression`) : undefined);
      return out;
    };
    const addRecord = (group: ReturnType<typeof newGroup>, vals: unknown[], lineageKey: string) => {
      try {
        addToGroup(group, specs, vals, lineageKey);
      } catch (err) {
        const e = toFlowError(err, 'validation');
        fail(e.message, e.details.field ?? '/measures');
      }
    };
    const grouping: GroupingBehaviour = {
      maxGroupsInMemory: config.maxGroupsInMemory,
      async add(table, data, bindings, lineageKey) {
        const key = await keyOf(data, bindings);
        const vals = await measureValues(data, bindings);
        const text = JSON.stringify(key);
        let group = table.get(text);
        const fresh = !group;
        group ??= newGroup(key, specs, sized, table.lineage);
        addRecord(group, vals, lineageKey);
        if (fresh) table.set(text, group);
        return text;
      },
      record: (group) => groupRecord(group, keyNames, specs),
      load: (stored) => loadGroup(stored, specs),
      ...(sized ? { windows: (group) => sizeWindows(group, specs, config.sizeWindow!) } : {}),
    };
    return {
      grouping,
      // Outside a run (a preview of one record): the group this record alone would make.
      async process(data, bindings) {
        const group = newGroup([...(await keyOf(data, bindings)), ...(sized ? [1] : [])], specs);
        addRecord(group, await measureValues(data, bindings), '1');
        return [{ port: 'out', data: grouping.record(group) }];
      },
    };
  },
});
