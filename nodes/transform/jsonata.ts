/**
 * Map (JSONata): one expression turns each record into the output record, or
 * into several (an array result fans out into one record per item).
 */
import { AnyObject, Expression, Type, type Static } from '../config-schema.ts';
import { defineNode, type Emission, type EmittedItem } from '../define-node.ts';
import { compileConfigExpression, nodeError } from '../expression/config-expressions.ts';
import type { Bindings, CompiledExpression } from '../expression/evaluator.ts';

const config = Type.Object({
  /** JSONata evaluated on each record; `$` is the record. */
  expression: Expression({
    title: 'Expression',
    description: 'JSONata evaluated on each record ($ is the record). Money functions ($decAdd, $decSum …) and reference look-ups ($ref, $inRef) are available.',
    minLength: 1,
    default: '$',
  }),
  /** An array result becomes one record per item (true) or one record holding the array (false). */
  fanOut: Type.Boolean({
    title: 'One record per array item',
    description: 'When the result is an array, send each item on as its own record. Turn off to send the array as one record.',
    default: true,
  }),
  /** JSONata on each item (`$` is the item) giving its key, e.g. the entry reference: replays and lineage name items by it. */
  itemKey: Type.Optional(Expression({
    title: 'Item key',
    description: 'JSONata on each item ($ is the item) naming it, e.g. the entry reference. Lineage, dead letters and replays name items by it; otherwise by position.',
  })),
  /** JSONata on each item giving its own amount, for item-level control totals. */
  itemAmount: Type.Optional(Expression({
    title: 'Item amount',
    description: 'JSONata on each item giving its own amount (a number or decimal string), for control totals per item.',
  })),
  /** JSONata on each item giving the currency of its amount, or a quoted literal. */
  itemCurrency: Type.Optional(Expression({
    title: 'Item currency',
    description: 'JSONata on each item giving the ISO currency of its amount, or a quoted literal such as \'EUR\'.',
  })),
  /** The shape of the output (a JSON Schema), set in the visual mapper from a schema or a sample of the target. */
  targetSchema: Type.Optional(AnyObject({
    title: 'Target structure',
    description: 'JSON Schema of the output this mapping builds; the visual mapper lists its fields (and lists) as targets. Set it in the mapper from a schema or a sample of the target.',
  })),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Map (JSONata)', additionalProperties: false });

export type JsonataTransformConfig = Static<typeof config>;

interface ItemExpressions {
  key?: CompiledExpression;
  amount?: CompiledExpression;
  currency?: CompiledExpression;
}

const ITEM_FIELDS = [['/itemKey', 'itemKey'], ['/itemAmount', 'itemAmount'], ['/itemCurrency', 'itemCurrency']] as const;

function quietly(expr: CompiledExpression | undefined, data: unknown, bindings: Bindings): unknown {
  if (!expr) return undefined;
  try {
    return expr.evaluate(data, bindings);
  } catch {
    // An item whose key or amount cannot be computed still goes on; the run names the gap.
    return undefined;
  }
}

/** Evaluates the item declarations on each emitted item (in place). */
async function declareItems(out: Emission[], items: ItemExpressions, bindings: Bindings): Promise<Emission[]> {
  const declares = { key: !!items.key, amount: !!items.amount, currency: !!items.currency };
  for (const em of out) {
    const settle = async (v: unknown) => (v instanceof Promise ? v.catch(() => undefined) : v);
    const item: EmittedItem = {
      key: await settle(quietly(items.key, em.data, bindings)),
      amount: await settle(quietly(items.amount, em.data, bindings)),
      currency: await settle(quietly(items.currency, em.data, bindings)),
      declares,
    };
    em.item = item;
  }
  return out;
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
export const jsonataTransform = defineNode({
  type: 'transform.jsonata',
  version: 1,
  title: 'Map (JSONata)',
  description: 'Transforms each record with a JSONata expression. An array result can fan out into one record per item; an empty result drops the record.',
  category: 'transform',
  inputs: [{ id: 'in', title: 'In' }],
  outputs: [{ id: OUT, title: 'Out' }],
  config,
  check(config) {
    return config.itemCurrency && !config.itemAmount ? [{ path: '/itemCurrency', message: 'An item currency needs an item amount' }] : [];
  },
  summary(config) {
    return oneLine(config.expression ?? '');
  },
  create(config, setup) {
    const compiled = compileConfigExpression(setup, '/expression', config.expression);
    const fanOut = config.fanOut !== false;
    const items: ItemExpressions = {};
    for (const [path, field] of ITEM_FIELDS) {
      if (config[field]) items[field === 'itemKey' ? 'key' : field === 'itemAmount' ? 'amount' : 'currency'] = compileConfigExpression(setup, path, config[field]);
    }
    const declaresItems = !!(items.key || items.amount);
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
        if (result instanceof Promise) {
          return result.then((value) => emissions(value, fanOut), fail).then((out) => (declaresItems ? declareItems(out, items, bindings) : out));
        }
        const out = emissions(result, fanOut);
        return declaresItems ? declareItems(out, items, bindings) : out;
      },
    };
  },
});
