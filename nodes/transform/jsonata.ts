/**
 * Map (JSONata): one expression turns each record into the output record, or
 * into several (an array result fans out into one record per item).
 */
import { defineNode, type Emission } from '../define-node.ts';
import { checkConfigExpressions, compileConfigExpression, nodeError } from '../expression/config-expressions.ts';

export interface JsonataTransformConfig {
  /** JSONata evaluated on each record; `$` is the record. */
  expression: string;
  /** An array result becomes one record per item (true) or one record holding the array (false). */
  fanOut: boolean;
}

const OUT = 'out';

function emissions(result: unknown, fanOut: boolean): Emission[] {
  // Undefined means "nothing to map": no emission, and the engine counts the record as filtered.
  if (result === undefined) return [];
  if (fanOut && Array.isArray(result)) {
    const out: Emission[] = [];
    for (const item of result) if (item !== undefined) out.push({ port: OUT, data: item });
    return out;
  }
  return [{ port: OUT, data: result }];
}

function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `transform.jsonata`: maps each record with a JSONata expression. */
export const jsonataTransform = defineNode<JsonataTransformConfig, 'transform'>({
  type: 'transform.jsonata',
  version: 1,
  title: 'Map (JSONata)',
  description: 'Transforms each record with a JSONata expression. An array result can fan out into one record per item; an empty result drops the record.',
  category: 'transform',
  inputs: [{ id: 'in', title: 'In' }],
  outputs: [{ id: OUT, title: 'Out' }],
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    title: 'Map (JSONata)',
    properties: {
      expression: {
        type: 'string',
        title: 'Expression',
        description: 'JSONata evaluated on each record ($ is the record). Money functions ($decAdd, $decSum …) and reference look-ups ($ref, $inRef) are available.',
        minLength: 1,
      },
      fanOut: {
        type: 'boolean',
        title: 'One record per array item',
        description: 'When the result is an array, send each item on as its own record. Turn off to send the array as one record.',
        default: true,
      },
    },
    required: ['expression'],
    additionalProperties: false,
  },
  defaults: { expression: '$', fanOut: true },
  expressionFields: ['/expression'],
  check(config, evaluator) {
    return checkConfigExpressions([{ path: '/expression', source: config.expression }], evaluator);
  },
  summary(config) {
    return oneLine(config.expression ?? '');
  },
  create(config, setup) {
    const compiled = compileConfigExpression(setup, '/expression', config.expression);
    const fanOut = config.fanOut !== false;
    const fail = (err: unknown): never => {
      throw nodeError(err, setup.nodeId);
    };
    return {
      process(data, bindings) {
        let result: unknown;
        try {
          result = compiled.evaluate(data, bindings);
        } catch (err) {
          fail(err);
        }
        if (result instanceof Promise) return result.then((value) => emissions(value, fanOut), fail);
        return emissions(result, fanOut);
      },
    };
  },
});
