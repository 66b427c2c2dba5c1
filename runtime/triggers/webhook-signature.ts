/**
 * Signed webhooks: `X-Ledgerflow-Signature: sha256=<hex HMAC-SHA256(secret,
 * timestamp + "." + rawBody)>` with `X-Ledgerflow-Timestamp: <unix seconds>`.
 * A timestamp more than the window away (either direction) is refused, and a
 * signature seen before within the window is refused by the caller, who
 * stores `signatureHash`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-ledgerflow-signature';
export const TIMESTAMP_HEADER = 'x-ledgerflow-timestamp';
export const DEFAULT_WINDOW_SECONDS = 300;

/** The header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number | string, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number; signatureHash: string }
  | { ok: false; reason: string };

/** Checks headers and body; `now` in ms. Never throws. */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined | null;
  signature: string | undefined | null;
  rawBody: Uint8Array;
  now: number;
  windowSeconds?: number;
}): SignatureCheck {
  const window = input.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  if (!input.timestamp) return { ok: false, reason: 'The X-Ledgerflow-Timestamp header is missing.' };
  if (!input.signature) return { ok: false, reason: 'The X-Ledgerflow-Signature header is missing.' };
  if (!/^\d{1,12}$/.test(input.timestamp)) return { ok: false, reason: 'X-Ledgerflow-Timestamp must be unix seconds.' };
  const timestamp = Number(input.timestamp);
  const skew = Math.abs(input.now / 1000 - timestamp);
  if (skew > window) return { ok: false, reason: `The timestamp is ${Math.round(skew)} s away from the server's clock; the window is ${window} s (stale or replayed request).` };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(input.signature.trim());
  if (!m) return { ok: false, reason: 'X-Ledgerflow-Signature must be sha256=<64 hex digits>.' };
  const expected = Buffer.from(signWebhook(input.secret, input.timestamp, input.rawBody).slice(7), 'hex');
  const given = Buffer.from(m[1].toLowerCase(), 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'The signature does not match the body and timestamp.' };
  return { ok: true, timestamp, signatureHash: createHash('sha256').update(`${input.timestamp}.${m[1].toLowerCase()}`).digest('hex') };
}
