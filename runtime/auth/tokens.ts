/**
 * Session and API tokens: 32 random bytes shown to the client once; only
 * their sha-256 is stored, so a database leak gives no usable token.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new token with a recognisable prefix (`lfs_` session, `lft_` API token). */
export function newToken(prefix: 'lfs' | 'lft'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Hex sha-256 of a token, as stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
