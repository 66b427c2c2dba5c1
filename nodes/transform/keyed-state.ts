/**
 * Keyed state (`transform.state`): reads or changes a value kept per key across records, chunks,
 * runs and workers, e.g. the open balance of each invoice during cash application. A change is
 * computed by an expression from the current value (`$state`) and the record, under a lock on the
 * key, and applied at most once per apply key: two instalments of one invoice both apply, a retry
 * or a replay gets the recorded result back. The record goes on with `{ key, before, after }`
 * (read: `{ key, value }`) in a field, so its trace shows the change.
 */
import { Expression, StringEnum, Type, type Static } from '../config-schema.ts';
import { defineNode, type Emission, type StateChange } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { compileConfigExpression, nodeError } from '../expression/config-expressions.ts';
import { recordKey, withField } from './record-key.ts';

const config = Type.Object({
  name: Type.String({
    title: 'State name',
    description: 'Names the state, e.g. ar-open-balance; flows naming the same state in one environment share it.',
    minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', default: '',
  }),
  mode: StringEnum(['update', 'read'], { title: 'Mode', description: 'Update: change the value of the record\'s key. Read: only read it.', default: 'update' }),
  key: Expression({ title: 'Key', description: 'JSONata on the record giving its key, e.g. invoiceNo. A record whose key gives nothing is quarantined.', default: '' }),
  initial: Type.Optional(Expression({
    title: 'Initial value',
    description: 'JSONata on the record giving the value of a key that has none yet, e.g. openItem.amount.',
  })),
  update: Type.Optional(Expression({
    title: 'New value',
    description: 'JSONata giving the new value; $state is the current value (or the initial one), $ the record. Use the money functions for amounts: $decSub($state, amount).',
  })),
  applyKey: Expression({
    title: 'Change key',
    description: 'JSONata naming the change: a change already applied under this key is not applied again (a retry, a replay). E.g. the payment\'s bank reference.',
    default: '$sourceKey',
  }),
  into: Type.String({ title: 'Into field', description: 'Field of the record that receives { key, before, after } (read: { key, value }).', minLength: 1, default: 'state' }),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Keyed state', additionalProperties: false });

export type KeyedStateConfig = Static<typeof config>;

const OUT = 'out';

/** `transform.state`: reads or changes keyed state (see the module comment). */
export const keyedStateNode = defineNode({
  type: 'transform.state',
  version: 1,
  title: 'Keyed state',
  description: 'Reads or updates a value kept per key across records, runs and workers (e.g. the open balance of each invoice). Each change applies once, serialised per key; the record carries the value before and after.',
  category: 'transform',
  inputs: [{ id: 'in', title: 'In' }],
  outputs: [{ id: OUT, title: 'Out' }],
  config,
  check(config) {
    if (config.mode === 'update' && !config.update?.trim()) return [{ path: '/update', message: 'An update needs the new value (an expression using $state)' }];
    return [];
  },
  summary(config) {
    return `${config.mode} ${config.name}[${config.key}]`;
  },
  create(config, setup) {
    const nodeId = setup.nodeId;
    const key = compileConfigExpression(setup, '/key', config.key);
    const applyKey = compileConfigExpression(setup, '/applyKey', config.applyKey);
    const initial = config.initial?.trim() ? compileConfigExpression(setup, '/initial', config.initial) : undefined;
    const update = config.mode === 'update' ? compileConfigExpression(setup, '/update', config.update ?? '') : undefined;
    const scope = `${setup.environment ?? 'local'}/${config.name}`;
    const emit = (data: unknown, value: unknown): Emission[] => [{ port: OUT, data: withField(data, config.into, value, nodeId) }];
    return {
      process() {
        throw new FlowError('permanent', `Node "${nodeId}" (keyed state) runs on whole chunks only`, { nodeId });
      },
      async processBatch(records, ctx) {
        const answers: (Emission[] | FlowError)[] = new Array(records.length);
        const keys: (string | undefined)[] = [];
        for (const [i, r] of records.entries()) {
          const k = await recordKey(key, config.key, r.data, r.bindings, { nodeId, field: '/key' });
          if (k instanceof FlowError) answers[i] = k;
          else keys[i] = k;
        }
        if (!update) {
          const values = await ctx.state.read(scope, keys.filter((k): k is string => k !== undefined));
          for (const [i, r] of records.entries()) {
            if (keys[i] === undefined) continue;
            answers[i] = await answer(nodeId, async () => emit(r.data, { key: keys[i], value: values.has(keys[i]!) ? values.get(keys[i]!) : await initial?.evaluate(r.data, r.bindings) }));
          }
          return answers;
        }
        const changes: StateChange[] = [];
        const of: number[] = [];
        for (const [i, r] of records.entries()) {
          if (keys[i] === undefined) continue;
          const a = await recordKey(applyKey, config.applyKey, r.data, r.bindings, { nodeId, field: '/applyKey' });
          if (a instanceof FlowError) {
            answers[i] = a;
            continue;
          }
          let start: unknown;
          try {
            start = initial ? await initial.evaluate(r.data, r.bindings) : undefined;
          } catch (err) {
            answers[i] = nodeError(err, nodeId, '/initial');
            continue;
          }
          changes.push({ key: keys[i]!, applyKey: a, initial: start });
          of.push(i);
        }
        // A record whose new value cannot be computed fails alone; its key keeps its value and nothing is recorded.
        const applied = await ctx.state.apply(scope, changes, async (c, current) => {
          const r = records[of[c]];
          const next = await update.evaluate(r.data, { ...r.bindings, state: current });
          if (next === undefined) throw new FlowError('mapping', `Node "${nodeId}": the new value (/update) gave nothing for key '${changes[c].key}'`, { nodeId, field: '/update' });
          return next;
        }, { runId: ctx.runId, nodeId });
        for (const [c, result] of applied.entries()) {
          const i = of[c];
          answers[i] = result.error !== undefined
            ? nodeError(result.error, nodeId, '/update')
            : await answer(nodeId, () => emit(records[i].data, { key: changes[c].key, before: result.before ?? null, after: result.after ?? null }));
        }
        return answers;
      },
    };
  },
});

async function answer(nodeId: string, fn: () => Promise<Emission[]> | Emission[]): Promise<Emission[] | FlowError> {
  try {
    return await fn();
  } catch (err) {
    return nodeError(err, nodeId);
  }
}
