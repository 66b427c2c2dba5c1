/**
 * A key computed from a record (a lookup key, a keyed-state key): a string or a number, else the
 * record is quarantined naming the node, the config field and the expression.
 */
import { FlowError } from '../errors.ts';
import type { Bindings, CompiledExpression } from '../expression/evaluator.ts';
import { nodeError } from '../expression/config-expressions.ts';

/** The key as text, or the FlowError that fails the record (validation when it gave nothing, mapping when it failed). */
export async function recordKey(expr: CompiledExpression, source: string, data: unknown, bindings: Bindings, at: { nodeId: string; field: string }): Promise<string | FlowError> {
  let value: unknown;
  try {
    value = await expr.evaluate(data, bindings);
  } catch (err) {
    return nodeError(err, at.nodeId, at.field);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value;
  const gave = value === undefined ? 'nothing' : value === null || value === '' ? JSON.stringify(value) : `${Array.isArray(value) ? 'a list' : typeof value}, not a text or number`;
  return new FlowError('validation', `Node "${at.nodeId}": the key expression ${at.field} (${source}) gave ${gave} for this record`, { nodeId: at.nodeId, field: at.field });
}

/** The record with `field` set (a copy); a record that is not an object cannot take one. */
export function withField(data: unknown, field: string, value: unknown, nodeId: string): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new FlowError('mapping', `Node "${nodeId}": the record is not an object, so field '${field}' cannot be added to it`, { nodeId, field });
  }
  return { ...(data as Record<string, unknown>), [field]: value };
}
