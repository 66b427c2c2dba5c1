/**
 * The `idempotencyKey` field every target config has. The engine evaluates it
 * per record (read through the declaration: `targetIdempotencyKey`) and keeps
 * the ledger; targets only receive the result as `item.key`. Declared here once
 * so all targets describe it the same way.
 */
import { Expression } from '../config-schema.ts';

/** The `idempotencyKey` config property: a JSONata expression, `$sourceKey` by default. */
export const IdempotencyKey = Expression({
  title: 'Idempotency key',
  description:
    'JSONata giving the key that makes a delivery happen once; $sourceKey (the source record identity) by default',
  minLength: 1,
  default: '$sourceKey',
});
