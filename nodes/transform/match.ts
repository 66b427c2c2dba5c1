/**
 * Match (`transform.match`): keyed matching of order lines, receipts and invoices (a three-way
 * match), or of two of them. During a run each record is folded into its key's group, whichever
 * port, chunk or worker it came by (as aggregate does); once every record is read, each group is
 * resolved against the key's keyed state (match-lines.ts): orders and receipts are added, invoices
 * held for a missing side are judged again, then the run's invoices in read order. Each invoice
 * leaves by `matched`, `exception` (every failed rule named) or `unmatched` (held until the missing
 * side arrives in a later run).
 */
import { Expression, Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type Emission, type GroupingBehaviour, type StateChange } from '../define-node.ts';
import { FlowError, type RuleFailure } from '../errors.ts';
import { checkConfigExpressions, compileConfigExpression, compileConfigTemplate, nodeError } from '../expression/config-expressions.ts';
import type { Bindings, ExpressionEvaluator } from '../expression/evaluator.ts';
import { isTruthy } from '../expression/truthy.ts';
import { isDecimalValue } from './exact-sum.ts';
import { addToGroup, groupRecord, loadGroup, newGroup, type MeasureSpec } from './aggregate-groups.ts';
import { invoiceOutcomes, resolveLine, type Judge, type LineState, type MatchGroup, type MatchSide, type SideRecord } from './match-lines.ts';
import { recordKey, withField } from './record-key.ts';

const key = (example: string) => Type.Array(Expression({ title: 'Key part' }), {
  title: 'Match key',
  description: `JSONata per part of the key the sides meet on, e.g. ${example}; every side lists as many parts, in the same order. A record whose key part gives nothing is quarantined.`,
  minItems: 1,
});
const changeKey = (what: string) => Expression({ title: 'Change key', description: `JSONata naming the ${what}: it counts once, however often it arrives (a re-sent file, a replay).`, default: '$sourceKey' });
const quantity = (what: string) => Expression({ title: 'Quantity', description: `JSONata giving the quantity ${what} (a number or decimal text).` });

const config = Type.Object({
  stateName: Type.String({
    title: 'State name',
    description: 'Names the keyed state holding each key\'s open sides, e.g. three-way-match; flows naming the same state in one environment share it.',
    minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', default: '',
  }),
  order: Type.Optional(Type.Object({
    key: key('po, line'),
  }, { title: 'Order side (port "order", e.g. PO lines)', description: 'One record per key; the latest read is kept ($order in the rules).', additionalProperties: false })),
  receipt: Type.Optional(Type.Object({
    key: key('poNumber, poLine'),
    quantity: quantity('received'),
    id: changeKey('receipt line'),
  }, { title: 'Receipt side (port "receipt", e.g. goods receipts)', description: 'Several records per key, their quantities summed exactly ($received).', additionalProperties: false })),
  invoice: Type.Object({
    key: key('order.number, order.line'),
    quantity: quantity('invoiced'),
    id: changeKey('invoice line'),
  }, { title: 'Invoice side (port "invoice")', description: 'The records matched: each is judged once, against what is left on its key.', additionalProperties: false }),
  rules: Type.Array(Type.Object({
    name: Type.String({ title: 'Rule name', description: 'Named in each exception, e.g. quantity-received.', minLength: 1 }),
    expression: Expression({ title: 'Holds when', description: 'JSONata on the invoice line, true when it passes. $order, $received, $invoiced (matched before it), $receipts (count) and $quantity describe its key.' }),
    message: Type.String({ title: 'Message', description: 'Shown when the rule fails; {{expression}} placeholders, e.g. "{{$quantity}} invoiced, {{$decSub($received, $invoiced)}} left".' }),
  }, { additionalProperties: false }), {
    title: 'Tolerance rules',
    description: 'Every rule is checked; an invoice failing any leaves by exception with each failed rule.',
    default: [],
  }),
  into: Type.String({ title: 'Into field', description: 'Field of the invoice record that receives what the match found.', minLength: 1, default: 'match' }),
  maxGroupsInMemory: Type.Integer({ title: 'Keys kept in memory', description: 'Beyond this many keys a run in one process spills them to the store (a key holds its order and invoice records).', minimum: 100, default: 20000 }),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Match', additionalProperties: false });

export type MatchConfig = Static<typeof config>;

const SPECS: MeasureSpec[] = [{ name: 'records', op: 'collect' }];

function checkConfig(config: MatchConfig, evaluator: ExpressionEvaluator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!config.order && !config.receipt) problems.push({ path: '/order', message: 'A match needs an order side, a receipt side, or both, to match invoices against' });
  const parts = config.invoice.key.length;
  for (const side of ['order', 'receipt'] as const) {
    const k = config[side]?.key;
    if (k && k.length !== parts) problems.push({ path: `/${side}/key`, message: `The ${side} key has ${k.length} part${k.length === 1 ? '' : 's'}, the invoice key ${parts}: the sides must list the same parts` });
  }
  const names = new Set<string>();
  config.rules.forEach((r, i) => {
    if (names.has(r.name)) problems.push({ path: `/rules/${i}/name`, message: `Two rules are named "${r.name}"` });
    names.add(r.name);
  });
  return [...problems, ...checkConfigExpressions(config.rules.map((r, i) => ({ path: `/rules/${i}/message`, source: r.message, template: true })), evaluator)];
}

/** `transform.match`: see the module comment. */
export const matchNode = defineNode({
  type: 'transform.match',
  version: 1,
  title: 'Match',
  description: 'Matches invoice lines to order lines and receipts by a key (three-way match): receipts summed exactly, tolerance rules, invoices waiting for a missing side held in keyed state until it arrives in a later run.',
  category: 'transform',
  inputs: [{ id: 'order', title: 'Order lines' }, { id: 'receipt', title: 'Receipts' }, { id: 'invoice', title: 'Invoices' }],
  outputs: [
    { id: 'matched', title: 'Matched' },
    { id: 'exception', title: 'Exception', quarantine: true },
    { id: 'unmatched', title: 'Unmatched (held)' },
  ],
  config,
  check: checkConfig,
  summary(config) {
    const sides = [config.order && 'order', config.receipt && 'receipts', 'invoices'].filter(Boolean).join(' + ');
    return `${sides} in ${config.stateName}; ${config.rules.length} rule${config.rules.length === 1 ? '' : 's'}`;
  },
  create(config, setup) {
    const nodeId = setup.nodeId;
    const compile = (path: string, source: string) => compileConfigExpression(setup, path, source);
    const keyParts = (side: MatchSide, parts: string[]) => parts.map((source, i) => ({ source, path: `/${side}/key/${i}`, expr: compile(`/${side}/key/${i}`, source) }));
    const sides: Partial<Record<MatchSide, { key: ReturnType<typeof keyParts>; quantity?: ReturnType<typeof compile>; id?: ReturnType<typeof compile>; idSource?: string }>> = {};
    if (config.order) sides.order = { key: keyParts('order', config.order.key) };
    if (config.receipt) sides.receipt = { key: keyParts('receipt', config.receipt.key), quantity: compile('/receipt/quantity', config.receipt.quantity), id: compile('/receipt/id', config.receipt.id), idSource: config.receipt.id };
    sides.invoice = { key: keyParts('invoice', config.invoice.key), quantity: compile('/invoice/quantity', config.invoice.quantity), id: compile('/invoice/id', config.invoice.id), idSource: config.invoice.id };
    const rules = config.rules.map((r, i) => ({ name: r.name, expr: compile(`/rules/${i}/expression`, r.expression), message: compileConfigTemplate(setup, `/rules/${i}/message`, r.message) }));
    const expecting = { order: !!config.order, receipt: !!config.receipt };
    const scope = `${setup.environment ?? 'local'}/${config.stateName}`;

    const sideRecord = async (data: unknown, bindings: Bindings, port: string): Promise<{ key: string; record: SideRecord }> => {
      const side = sides[port as MatchSide];
      if (!side) throw new FlowError('validation', `Node "${nodeId}": a record came in by port "${port}", but the match has no ${port} side configured`, { nodeId, field: `/${port}` });
      const parts: string[] = [];
      for (const part of side.key) {
        const p = await recordKey(part.expr, part.source, data, bindings, { nodeId, field: part.path });
        if (p instanceof FlowError) throw p;
        parts.push(p);
      }
      // Parts joined by '|' (the key in keyed state, readable in traces); JSON when a part holds a '|'.
      const k = parts.some((p) => p.includes('|')) ? JSON.stringify(parts) : parts.join('|');
      // A receipt counts by its id and quantity only: its record is not kept (a run's groups stay small).
      const record: SideRecord = port === 'receipt' ? { side: 'receipt', id: '', data: null } : { side: port as MatchSide, id: '', data };
      if (side.id) {
        const id = await recordKey(side.id, side.idSource!, data, bindings, { nodeId, field: `/${port}/id` });
        if (id instanceof FlowError) throw id;
        record.id = id;
      }
      if (side.quantity) {
        let q: unknown;
        try {
          q = await side.quantity.evaluate(data, bindings);
        } catch (err) {
          throw nodeError(err, nodeId, `/${port}/quantity`);
        }
        if (!isDecimalValue(q)) throw new FlowError('validation', `Node "${nodeId}": the ${port} quantity (${side.quantity.source}) is ${q === undefined ? 'missing' : JSON.stringify(q)}, not a number`, { nodeId, field: `/${port}/quantity` });
        record.quantity = String(q);
      }
      return { key: k, record };
    };

    const judge: Judge = async (invoice, line) => {
      const bindings = { order: line.order, received: line.received, invoiced: line.invoiced, receipts: line.receipts, quantity: invoice.quantity };
      const failures: RuleFailure[] = [];
      for (const rule of rules) {
        try {
          if (isTruthy(await rule.expr.evaluate(invoice.data, bindings))) continue;
          failures.push({ rule: rule.name, message: await rule.message.render(invoice.data, bindings), severity: 'error' });
        } catch (err) {
          failures.push({ rule: rule.name, message: `could not be checked: ${nodeError(err, nodeId).message}`, severity: 'error' });
        }
      }
      return failures;
    };

    const grouping: GroupingBehaviour = {
      maxGroupsInMemory: config.maxGroupsInMemory,
      async add(table, data, bindings, lineageKey, inPort) {
        const { key: k, record } = await sideRecord(data, bindings, inPort);
        const text = JSON.stringify([k]);
        let group = table.get(text);
        if (!group) table.set(text, (group = newGroup([k], SPECS, false, table.lineage)));
        addToGroup(group, SPECS, [record], lineageKey);
        return text;
      },
      record: (group) => groupRecord(group, ['key'], SPECS),
      load: (stored) => loadGroup(stored, SPECS),
      async resolve(records, ctx) {
        const groups = records.map((r) => r.data as MatchGroup);
        // One change per key and run: a retried chunk gets the recorded line back and sends the same.
        const changes: StateChange[] = groups.map((g) => ({ key: g.key, applyKey: `${ctx.runId}:${g.key}` }));
        const results = await ctx.state.apply(scope, changes, (i, current) => resolveLine(current as LineState | undefined, groups[i], expecting, judge, records[i].replay), { runId: ctx.runId, nodeId });
        return results.map((result, i): Emission[] | FlowError => {
          if (result.error !== undefined) return nodeError(result.error, nodeId);
          const after = result.after as LineState;
          return invoiceOutcomes(result.before as LineState | undefined, after, groups[i]).map((o) => ({
            port: o.port,
            data: withField(o.data, config.into, {
              key: groups[i].key, outcome: o.port, order: after.order ?? null,
              ...(o.decision ? { quantity: o.decision.quantity, received: o.decision.received, invoicedBefore: o.decision.invoicedBefore } : { waitingFor: waitingFor(after, expecting) }),
            }, nodeId),
            ...(o.decision?.failures ? { failures: o.decision.failures } : {}),
            item: { key: o.id, declares: { key: true, amount: false, currency: false } },
          }));
        });
      },
    };
    return {
      grouping,
      // Outside a run (a preview of one record, whose port is not known): the record alone, as the
      // first side whose key it gives (invoice, receipt, order), which waits for the other sides.
      async process(data, bindings) {
        let firstError: unknown;
        for (const side of ['invoice', 'receipt', 'order'] as const) {
          if (!sides[side]) continue;
          try {
            const { key: k } = await sideRecord(data, bindings, side);
            const missing = side === 'invoice' ? waitingFor(undefined, expecting) : ['invoice'];
            return [{ port: 'unmatched', data: withField(data, config.into, { key: k, side, outcome: 'unmatched', order: null, waitingFor: missing }, nodeId) }];
          } catch (err) {
            firstError ??= err;
          }
        }
        throw firstError;
      },
    };
  },
});

function waitingFor(line: LineState | undefined, expecting: { order: boolean; receipt: boolean }): string[] {
  return [
    ...(expecting.order && line?.order === undefined ? ['order'] : []),
    ...(expecting.receipt && !Object.keys(line?.receipts ?? {}).length ? ['receipt'] : []),
  ];
}
