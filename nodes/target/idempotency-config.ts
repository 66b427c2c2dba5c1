/**
 * The `idempotencyKey` field every target config has. The engine evaluates it
 * per record (read through the declaration: `targetIdempotencyKey`) and keeps
 * the ledger; targets only receive the result as `item.key`. Declared here once
 * so all targets describe it the same way.
 */
import { checkExpressionFields, Expression, plainSchema } from '../config-schema.ts';
import type { ConfigProblem, JsonSchema } from '../define-node.ts';
import type { ExpressionEvaluator } from '../expression/evaluator.ts';

/** The `idempotencyKey` config property: a JSONata expression, `$sourceKey` by default. */
export const IdempotencyKey = Expression({
  title: 'Idempotency key',
  description:
    'JSONata giving the key that makes a delivery happen once; $sourceKey (the source record identity) by default',
  minLength: 1,
  default: '$sourceKey',
});

/**
 * @deprecated For targets still declared the older way (`configSchema` written by hand): the same property as
 * plain JSON Schema. Declared with `config`, a target uses `IdempotencyKey` (see define-node.ts).
 */
export const IDEMPOTENCY_KEY_SCHEMA: JsonSchema = plainSchema(IdempotencyKey);

/**
 * @deprecated For targets still declared the older way: problems with the key expression (missing or not
 * parseable). Declared with `config`, the key is checked as an expression field without this.
 */
export function checkIdempotencyKey(source: unknown, evaluator: ExpressionEvaluator): ConfigProblem[] {
  if (typeof source !== 'string' || source.trim() === '') {
    return [{ path: '/idempotencyKey', message: 'an idempotency key is required (use $sourceKey when unsure)' }];
  }
  return checkExpressionFields(['/idempotencyKey'], { idempotencyKey: source }, evaluator);
}
