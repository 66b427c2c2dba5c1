import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../../runtime/auth/passwords.ts';
import { hashToken, newToken } from '../../../runtime/auth/tokens.ts';
import { describeRoles, isRole } from '../../../runtime/auth/roles.ts';

describe('passwords (scrypt)', () => {
  it('hashes with N=2^15, r=8, p=1 and a random salt; verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies hashes made with other parameters (they travel in the hash)', async () => {
    const cheap = await hashPassword('pw-12345678', { N: 1024, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('pw-12345678', cheap)).toBe(true);
  });

  it('refuses malformed or absurd hashes instead of throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$x$8$1$a$b', 'bcrypt$1$2$3$4$5', 'scrypt$4194304$8$1$AAAA$AAAA']) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });

  it('checks length; generates long random passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 8/);
    expect(passwordProblem('long enough')).toBeNull();
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(p);
  });
});

describe('tokens and roles', () => {
  it('makes 32-byte random tokens and stores their sha-256', () => {
    const t = newToken('lfs');
    expect(t).toMatch(/^lfs_[A-Za-z0-9_-]{43}$/);
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(t)).toBe(hashToken(t));
    expect(newToken('lfs')).not.toBe(t);
  });

  it('knows the three roles', () => {
    expect(['analyst', 'admin', 'operator'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(describeRoles(['analyst', 'admin'])).toBe('analyst or admin');
    expect(describeRoles(['admin'])).toBe('admin');
  });
});
