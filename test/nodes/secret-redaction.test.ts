/** Issue 12 point 8: credential values are replaced by *** wherever a message might carry them. */
import { describe, expect, it } from 'vitest';
import { isCredentialHeader, redact, sensitiveValues } from '../../nodes/secret-redaction.ts';

describe('secret redaction', () => {
  it('knows credential headers by name', () => {
    for (const h of ['Authorization', 'proxy-authorization', 'Cookie', 'X-API-Key', 'api_key', 'X-Auth-Token', 'X-Client-Secret', 'Ocp-Apim-Subscription-Key']) expect(isCredentialHeader(h), h).toBe(true);
    for (const h of ['Accept', 'X-Tenant', 'Content-Type', 'X-Request-Id']) expect(isCredentialHeader(h), h).toBe(false);
  });

  it('hides header values, the token without its scheme, decoded Basic credentials and given secrets, in plain, URL and JSON forms', () => {
    const basic = btoa('erp-user:pa"ss/word');
    const hidden = sensitiveValues({ Authorization: 'Bearer s3cr3t-t0ken', 'X-Api-Key': 'k-123456', 'Proxy-Authorization': `Basic ${basic}`, 'X-Tenant': 'acme' }, ['db-password-xyz', 'ab']);
    const text = `echo: Authorization: Bearer s3cr3t-t0ken; token=s3cr3t-t0ken; key k-123456; ${basic}; user erp-user:pa"ss/word; pw ${encodeURIComponent('pa"ss/word')}; json "pa\\"ss/word"; db-password-xyz; tenant acme; ab`;
    const out = redact(text, hidden);
    for (const secret of ['s3cr3t-t0ken', 'k-123456', basic, 'pa"ss/word', encodeURIComponent('pa"ss/word'), 'pa\\"ss/word', 'db-password-xyz']) expect(out).not.toContain(secret);
    expect(out).toContain('tenant acme');
    expect(out).toMatch(/ab$/); // too short to be a credential: left alone
  });
});
