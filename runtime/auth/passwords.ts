/**
 * Password hashing with scrypt from node:crypto (no native dependency). The
 * parameters travel inside the stored hash, so they can be raised later and
 * old hashes still verify.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

export interface ScryptParams {
  /** CPU/memory cost, a power of two; default 2^15. */
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function maxmem(params: ScryptParams): number {
  // scrypt needs 128·N·r bytes; leave headroom above Node's 32 MiB default.
  return 256 * params.N * params.r + 1024 * 1024;
}

/** `scrypt$N$r$p$<salt b64>$<key b64>` */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...params, maxmem: maxmem(params) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Constant-time check of `password` against a hash made by `hashPassword`; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length === 0) return false;
  const actual = await scrypt(password, salt, expected.length, { N, r, p, maxmem: maxmem({ N, r, p }) });
  return timingSafeEqual(actual, expected);
}

/** A password problem an admin can act on, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'The password must be at least 8 characters long.';
  if (password.length > 1024) return 'The password must be at most 1024 characters long.';
  return null;
}

/** A readable random password (for the first admin when none is given). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
