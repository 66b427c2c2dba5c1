/**
 * The `idempotencyKey` field every target config has. The engine evaluates it
 * per record and keeps the ledger; targets only receive the result as
 * `item.key`. Declared here once so all targets describe it the same way.
 */
import type { ConfigProblem, JsonSchema } from '../define-node.ts';
import type { ExpressionEvaluator } from '../expression/evaluator.ts';

/** JSON Schema of the `idempotencyKey` config field. */
export const IDEMPOTENCY_KEY_SCHEMA: JsonSchema = {
  type: 'string',
  title: 'Idempotency key',
  description:
    'JSONata giving the key that makes a delivery happen once; $sourceKey (the source record identity) by default',
  minLength: 1,
  default: '$sourceKey',
};

/** Problems with the idempotency key expression: missing or not parseable. */
export function checkIdempotencyKey(source: unknown, evaluator: ExpressionEvaluator): ConfigProblem[] {
  if (typeof source !== 'string' || source.trim() === '') {
    return [{ path: '/idempotencyKey', message: 'an idempotency key is required (use $sourceKey when unsure)' }];
  }
  const problem = evaluator.check(source);
  return problem
    ? [{ path: '/idempotencyKey', message: problem.message, ...(problem.position !== undefined ? { position: problem.position } : {}), ...(problem.code ? { code: problem.code } : {}) }]
    : [];
}
