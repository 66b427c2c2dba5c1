/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value. The key
 * comes from LEDGERFLOW_SECRET_KEY (base64, 32 bytes) or a key file made once
 * in the data folder (mode 0600). Each value is bound to where it is used
 * (associated data), so a ciphertext copied to another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface SecretBox {
  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
  encrypt(plain: string, context: string): string;
  /** Throws when the value was changed, moved to another context or made with another key. */
  decrypt(boxed: string, context: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error(`The secret key must be 32 bytes (got ${key.length}).`);
  return {
    encrypt(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    decrypt(boxed, context) {
      const parts = boxed.split('.');
      if (parts.length !== 4 || parts[0] !== 'v1') throw new Error('This stored secret is not in a format this version can read.');
      const [iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(`The stored secret for ${context} cannot be decrypted: the secret key changed (LEDGERFLOW_SECRET_KEY or secret.key) or the value was tampered with.`);
      }
    },
  };
}

/** Parses LEDGERFLOW_SECRET_KEY; throws a message naming the variable. */
export function parseSecretKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`LEDGERFLOW_SECRET_KEY must be 32 bytes in base64 (it decodes to ${key.length} bytes); make one with: openssl rand -base64 32`);
  return key;
}

/**
 * The key from `envKey` when set, else `<dataDir>/secret.key`, created with
 * mode 0600 on first use. `created` tells the caller to say where it is.
 */
export async function loadSecretKey(envKey: string | undefined, dataDir: string): Promise<{ key: Buffer; source: string; created: boolean }> {
  if (envKey) return { key: parseSecretKey(envKey), source: 'LEDGERFLOW_SECRET_KEY', created: false };
  const path = join(dataDir, 'secret.key');
  try {
    return { key: parseSecretKey(await readFile(path, 'utf8')), source: path, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the secret key file ${path}: ${(err as Error).message}`);
  }
  await mkdir(dirname(path), { recursive: true });
  const key = randomBytes(32);
  // 'wx': never overwrite a key another process just wrote (its secrets would become unreadable).
  try {
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: parseSecretKey(await readFile(path, 'utf8')), source: path, created: false };
    throw err;
  }
  await chmod(path, 0o600);
  return { key, source: path, created: true };
}
