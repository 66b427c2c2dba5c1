/**
 * The idempotency scope of a target: the one place that says which writes
 * count as "the same record in the same place". It belongs to the receiving
 * system, not to the flow: the environment, the connection bound there, and
 * the object written (table, endpoint, file). The idempotency ledger and the
 * delivery markers in a target database are both keyed by (scope, key), so a
 * node renamed, moved, copied into another flow, or a flow split in two,
 * finds the records already delivered and writes none of them again.
 *
 * Migration 0008 (runtime/store/migrations) computes the same strings in SQL
 * for ledgers written before; change both together.
 */
import type { AnyNodeDeclaration } from '../define-node.ts';

/** The environment of runs that name none (CLI runs); watermarks use the same name. */
export const LOCAL_SCOPE_ENVIRONMENT = 'local';

/**
 * `<environment>/<connection>/<object>`, e.g. `prod/erp_eu/table:erp.po_commitment`.
 * Throws for a target type that does not say what it writes into.
 */
export function idempotencyScope(decl: AnyNodeDeclaration, config: unknown, environment: string | null | undefined): string {
  if (!decl.deliveryTarget) throw new Error(`target type '${decl.type}' does not declare what it writes into (deliveryTarget)`);
  const { connection, object } = decl.deliveryTarget(config);
  return `${environment || LOCAL_SCOPE_ENVIRONMENT}/${connection}/${object}`;
}

/** The scope of ledgers and markers before migration 0008: per flow and node. */
export function legacyNodeScope(flowId: string, nodeId: string): string {
  return `${flowId}/${nodeId}`;
}
