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

let lastTime = '';
let lastRandom = '';

/** The next id in base32 order after `s` (same length), as monotonic ULIDs do. */
function increment(s: string): string {
  const chars = s.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const v = ALPHABET.indexOf(chars[i]);
    if (v < 31) {
      chars[i] = ALPHABET[v + 1];
      return chars.join('');
    }
    chars[i] = ALPHABET[0];
  }
  return randomPart(s.length);
}

/**
 * `run_` + 10 chars of epoch ms + 16 random chars: sorts by creation time.
 * Ids made in the same millisecond by this process still sort in creation
 * order (the random part is incremented), so runs lists never reorder them.
 */
export function newRunId(now: number = Date.now()): string {
  const time = timePart(now);
  lastRandom = time === lastTime ? increment(lastRandom) : randomPart(16);
  lastTime = time;
  return `run_${time}${lastRandom}`;
}
