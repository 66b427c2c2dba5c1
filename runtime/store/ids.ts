/** Time-sortable ids (ULID-like, lower-case Crockford base32). */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function timePart(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function randomPart(chars: number): string {
  const bytes = randomBytes(chars);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

/** `run_` + 10 chars of epoch ms + 16 random chars: sorts by creation time. */
export function newRunId(now: number = Date.now()): string {
  return `run_${timePart(now)}${randomPart(16)}`;
}
