/**
 * Secrets never leave in what is stored or shown: the values of a
 * connection's credential headers and of its `{{secret:…}}` references are
 * replaced by `***` in error messages (a target that echoes the request's
 * `Authorization` header in its error body must not put the token in a
 * trace or a dead letter). Browser-safe.
 */

/** What a secret is replaced with. */
export const REDACTED = '***';

// Names of headers that carry credentials, in any letter case.
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api[-_]?key|apikey|[-_]key$|password|passwd|signature|session|credential|auth/i;

// Shorter values would replace ordinary words; real credentials are longer.
const MIN_SECRET_CHARS = 4;

/** True for a header name that carries credentials (Authorization, X-API-Key, X-Auth-Token…). */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

function decodeBasic(token: string): string[] {
  try {
    const text = atob(token);
    return [text, ...text.split(':').slice(1)];
  } catch {
    return [];
  }
}

/**
 * The strings to hide: each credential header's value, the credential in it
 * without its scheme (`Bearer`, `Basic`; a Basic one also decoded, and its
 * password), and every secret value given.
 */
export function sensitiveValues(headers: Record<string, string> = {}, secrets: readonly string[] = []): string[] {
  const values = new Set<string>(secrets);
  for (const [name, value] of Object.entries(headers)) {
    if (!isCredentialHeader(name)) continue;
    values.add(value);
    const [scheme, ...rest] = value.trim().split(/\s+/);
    if (rest.length) {
      const credential = rest.join(' ');
      values.add(credential);
      if (/^basic$/i.test(scheme)) for (const v of decodeBasic(credential)) values.add(v);
    }
  }
  // Longest first, so a token inside a longer header value is not left half-hidden.
  return [...values].filter((v) => v.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of `values` (plain, URL-encoded or JSON-escaped) replaced by `***`. */
export function redact(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) {
    for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}
