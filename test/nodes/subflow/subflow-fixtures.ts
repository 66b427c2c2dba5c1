/** A sub-flow that checks a VAT id and normalises the amount, and flows that use it. */
import type { FlowDocument, FlowEdge, FlowNode } from '../../../nodes/flow-document.ts';
import type { SubflowConfig, SubflowDefinition } from '../../../nodes/subflow/subflow.ts';

export const n = (id: string, type: string, config: Record<string, unknown> = {}, position = { x: 0, y: 0 }): FlowNode => ({ id, type, typeVersion: 1, position, config });
export const e = (source: string, target: string, sourceHandle?: string, targetHandle?: string): FlowEdge =>
  ({ id: `${source}>${target}${sourceHandle ? `:${sourceHandle}` : ''}`, source, target, ...(sourceHandle ? { sourceHandle } : {}), ...(targetHandle ? { targetHandle } : {}) });

/** Version 1: amounts to two decimals; records without a VAT id leave by `rejected`. */
export function vatCheckDefinition(amountExpression = '$string($round($number(amount), 2))'): SubflowDefinition {
  return {
    description: 'Rounds the amount and sorts out records without a VAT id',
    inputs: [{ id: 'in', title: 'Invoices', targets: [{ node: 'normalise' }] }],
    outputs: [
      { id: 'ok', title: 'With VAT id', sources: [{ node: 'has-vat', port: 'ok' }] },
      { id: 'rejected', title: 'Without VAT id', sources: [{ node: 'has-vat', port: 'default' }] },
    ],
    nodes: [
      n('normalise', 'transform.jsonata', { expression: `$merge([$, { "amount": ${amountExpression} }])` }, { x: 0, y: 0 }),
      n('has-vat', 'route.condition', { routes: [{ port: 'ok', condition: '$exists(vatId) and vatId != ""' }], defaultPort: 'default' }, { x: 240, y: 0 }),
    ],
    edges: [e('normalise', 'has-vat')],
  };
}

export const subflowConfig = (name: string, version: number, def: SubflowDefinition): SubflowConfig => ({ name, version, ...def });

/** JSON file → sub-flow → ok: Postgres table `invoices`, rejected: `rejects`. */
export function flowUsing(id: string, version: number, def: SubflowDefinition = vatCheckDefinition()): FlowDocument {
  return {
    id, name: id, businessKey: 'id', connections: { ledger: { kind: 'postgres' } },
    amount: { value: 'amount', currency: "'EUR'" },
    nodes: [
      n('in', 'source.file', { format: 'json' }),
      n('vat', 'subflow', subflowConfig('vat-check', version, def) as unknown as Record<string, unknown>, { x: 240, y: 0 }),
      n('post', 'target.postgres', { connection: 'ledger', table: 'invoices', mode: 'insert', keyColumns: ['id'], columns: { id: 'id', amount: 'amount', flow: `='${id}'` }, idempotencyKey: 'id' }, { x: 480, y: 0 }),
      n('reject', 'target.postgres', { connection: 'ledger', table: 'rejects', mode: 'insert', keyColumns: ['id'], columns: { id: 'id', flow: `='${id}'` }, idempotencyKey: 'id' }, { x: 480, y: 160 }),
    ],
    edges: [e('in', 'vat'), e('vat', 'post', 'ok'), e('vat', 'reject', 'rejected')],
  };
}

/** `invoice-intake` v1: stamps the record, then uses `vat-check` (at `vatVersion`), whose outputs it passes on. */
export function intakeDefinition(vatVersion = 1, vat: SubflowDefinition = vatCheckDefinition()): SubflowDefinition {
  return {
    inputs: [{ id: 'in', targets: [{ node: 'stamp' }] }],
    outputs: [
      { id: 'ok', sources: [{ node: 'vat', port: 'ok' }] },
      { id: 'rejected', sources: [{ node: 'vat', port: 'rejected' }] },
    ],
    nodes: [
      n('stamp', 'transform.jsonata', { expression: '$merge([$, { "intake": true }])' }),
      n('vat', 'subflow', subflowConfig('vat-check', vatVersion, vat) as unknown as Record<string, unknown>, { x: 240, y: 0 }),
    ],
    edges: [e('stamp', 'vat')],
  };
}

/** flowUsing's flow, its sub-flow node using `invoice-intake` (which uses `vat-check`). */
export function flowNesting(intake: SubflowDefinition = intakeDefinition(), id = 'f', version = 1): FlowDocument {
  const doc = flowUsing(id, 1);
  doc.nodes[1] = { ...doc.nodes[1], id: 'vat', config: subflowConfig('invoice-intake', version, intake) as unknown as Record<string, unknown> };
  return doc;
}
