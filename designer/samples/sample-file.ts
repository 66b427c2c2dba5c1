/** A file picked in the browser as the API's Sample: text when it is UTF-8 text, else base64 (the server decodes). */
import type { Sample } from '../../runtime/api/contract/schemas.ts';

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Text when the bytes are valid UTF-8, else null. */
function safeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The sample of `name` with `bytes`: text formats as text, anything else (or text that is not UTF-8) as base64. */
export function sampleOfBytes(name: string, bytes: Uint8Array): Sample {
  const text = /\.(csv|tsv|json|jsonl|ndjson|xml|txt)$/i.test(name) ? safeUtf8(bytes) : null;
  return text !== null ? { name, content: text } : { name, contentBase64: toBase64(bytes) };
}
