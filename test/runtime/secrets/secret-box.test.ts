import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretBox, loadSecretKey, parseSecretKey } from '../../../runtime/secrets/secret-box.ts';

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

describe('secret box (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips, with a fresh IV each time', () => {
    const a = box.encrypt('s3cr3t', 'connection:prod:erp:token');
    const b = box.encrypt('s3cr3t', 'connection:prod:erp:token');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr3t');
    expect(box.decrypt(a, 'connection:prod:erp:token')).toBe('s3cr3t');
  });

  it('refuses a value moved to another context, tampered with, or read with another key', () => {
    const boxed = box.encrypt('s3cr3t', 'connection:prod:erp:token');
    expect(() => box.decrypt(boxed, 'connection:dev:erp:token')).toThrow(/cannot be decrypted/);
    const parts = boxed.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0] ^= 1;
    expect(() => box.decrypt([...parts.slice(0, 3), ct.toString('base64url')].join('.'), 'connection:prod:erp:token')).toThrow(/tampered/);
    expect(() => createSecretBox(randomBytes(32)).decrypt(boxed, 'connection:prod:erp:token')).toThrow(/secret key changed/);
    expect(() => box.decrypt('plain', 'x')).toThrow(/format/);
  });

  it('takes LEDGERFLOW_SECRET_KEY (32 bytes base64) or makes a 0600 key file once', async () => {
    const key = randomBytes(32);
    expect((await loadSecretKey(key.toString('base64'), '/nonexistent')).key.equals(key)).toBe(true);
    expect(() => parseSecretKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    const dir = await mkdtemp(join(tmpdir(), 'lf-key-'));
    dirs.push(dir);
    const first = await loadSecretKey(undefined, dir);
    expect(first.created).toBe(true);
    expect((await stat(join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    const second = await loadSecretKey(undefined, dir);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    await writeFile(join(dir, 'secret.key'), 'bad');
    await expect(loadSecretKey(undefined, dir)).rejects.toThrow(/32 bytes/);
    expect(await readFile(join(dir, 'secret.key'), 'utf8')).toBe('bad');
  });
});
