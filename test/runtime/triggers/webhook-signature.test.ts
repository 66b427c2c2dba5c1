import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../runtime/triggers/webhook-signature.ts';

const secret = 'whsec_test';
const body = new TextEncoder().encode('{"event":"po.approved","id":42}');
const now = Date.parse('2026-11-20T10:00:00Z');
const ts = String(now / 1000);

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<raw body>", hex', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.${new TextDecoder().decode(body)}`).digest('hex');
    expect(signWebhook(secret, ts, body)).toBe(`sha256=${expected}`);
  });

  it('accepts a good signature and gives a stable hash for replay detection', () => {
    const a = verifyWebhookSignature({ secret, timestamp: ts, signature: signWebhook(secret, ts, body), rawBody: body, now });
    const b = verifyWebhookSignature({ secret, timestamp: ts, signature: signWebhook(secret, ts, body).toUpperCase().replace('SHA256=', 'sha256='), rawBody: body, now });
    expect(a).toMatchObject({ ok: true, timestamp: now / 1000 });
    expect(b.ok && a.ok && b.signatureHash === a.signatureHash).toBe(true);
  });

  it.each([
    ['missing timestamp', { timestamp: undefined }, /Timestamp header is missing/],
    ['missing signature', { signature: undefined }, /Signature header is missing/],
    ['non-numeric timestamp', { timestamp: '2026-11-20' }, /unix seconds/],
    ['stale by 301 s', { timestamp: String(now / 1000 - 301) }, /301 s away/],
    ['from the future by 301 s', { timestamp: String(now / 1000 + 301) }, /301 s away/],
    ['malformed signature', { signature: 'md5=abc' }, /sha256=<64 hex digits>/],
    ['wrong signature', { signature: `sha256=${'a'.repeat(64)}` }, /does not match/],
  ])('refuses: %s', (_name, patch, reason) => {
    const input = { secret, timestamp: ts as string | undefined, signature: signWebhook(secret, ts, body) as string | undefined, rawBody: body, now, ...patch };
    const result = verifyWebhookSignature(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('accepts the edges of the window (±300 s)', () => {
    for (const t of [now / 1000 - 300, now / 1000 + 300]) {
      expect(verifyWebhookSignature({ secret, timestamp: String(t), signature: signWebhook(secret, t, body), rawBody: body, now }).ok).toBe(true);
    }
  });

  it('a changed body or timestamp breaks the signature', () => {
    const sig = signWebhook(secret, ts, body);
    expect(verifyWebhookSignature({ secret, timestamp: ts, signature: sig, rawBody: new TextEncoder().encode('{"event":"po.approved","id":43}'), now }).ok).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp: String(now / 1000 - 1), signature: sig, rawBody: body, now }).ok).toBe(false);
  });
});
