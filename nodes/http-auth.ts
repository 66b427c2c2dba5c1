/**
 * Applies an HTTP connection's `auth` to a request: an API key (header or
 * query parameter), a bearer token, basic credentials, or an OAuth2 access
 * token obtained with the client-credentials grant (RFC 6749 §4.4).
 *
 * OAuth2 tokens are cached per token endpoint, client and scope in this
 * process until shortly before they expire (`expires_in`), so runs and pages
 * share one token; concurrent callers wait for the same token request. When
 * the API answers 401, `renew()` drops the cached token and the caller retries
 * once with a fresh one. Browser-safe: every request goes through the fetch
 * handed in (the runtime's, bound by its outbound policy).
 */
import type { HttpAuth } from './define-node.ts';
import { FlowError } from './errors.ts';
import { redact } from './secret-redaction.ts';
import { bodyExcerpt, describeRequest, isTransientStatus, transportError } from './target/http-errors.ts';

export interface AuthorizedRequest {
  url: string;
  headers: Record<string, string>;
}

export interface HttpAuthorizer {
  /** The request with the credentials added; fetches an OAuth2 token when none is cached. */
  apply(request: AuthorizedRequest, signal: AbortSignal): Promise<AuthorizedRequest>;
  /**
   * After a 401 to `rejected` (the request as `apply` returned it): forgets the
   * cached token if it is the one that request carried, so several requests
   * refused at once fetch one new token, not one each. True when a retry with a
   * new token may help (OAuth2).
   */
  renew(rejected: AuthorizedRequest): boolean;
  /** The credential values, to hide from every message. */
  readonly secrets: string[];
}

interface CachedToken {
  token: string;
  /** Milliseconds since the epoch after which the token is fetched again; Infinity when the server gave no lifetime. */
  renewAt: number;
}

type OAuth2 = Extract<HttpAuth, { type: 'oauth2-client-credentials' }>;

/** OAuth2 tokens of this process, by token endpoint, client, scope and audience. */
export interface TokenCache {
  tokens: Map<string, CachedToken>;
  pending: Map<string, Promise<CachedToken>>;
}

export const sharedTokenCache: TokenCache = { tokens: new Map(), pending: new Map() };

export interface AuthorizerOptions {
  /** The connection's name, for messages. */
  connection: string;
  nodeId: string;
  fetch: typeof fetch;
  timeoutMs: number;
  cache?: TokenCache;
  now?: () => number;
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const basic = (user: string, password: string) => `Basic ${base64(`${user}:${password}`)}`;
// RFC 6749 §2.3.1: a client's id and secret are form-encoded before they are joined.
const clientBasic = (auth: OAuth2) => basic(encodeURIComponent(auth.clientId), encodeURIComponent(auth.clientSecret));

/** Secrets of an auth setting (everything but names, URLs and the client id). */
export function authSecrets(auth: HttpAuth | undefined): string[] {
  if (!auth) return [];
  switch (auth.type) {
    case 'api-key':
      return [auth.value];
    case 'bearer':
      return [auth.token];
    case 'basic':
      return [auth.password, basic(auth.username, auth.password).slice(6)];
    case 'oauth2-client-credentials':
      return [auth.clientSecret, encodeURIComponent(auth.clientSecret), clientBasic(auth).slice(6)];
  }
}

/** An authorizer for `auth` (none: requests pass unchanged). */
export function createHttpAuthorizer(auth: HttpAuth | undefined, options: AuthorizerOptions): HttpAuthorizer {
  const secrets = authSecrets(auth);
  if (auth?.type !== 'oauth2-client-credentials') {
    return {
      secrets,
      renew: () => false,
      async apply(request) {
        if (!auth) return request;
        if (auth.type === 'bearer') return { ...request, headers: { ...request.headers, Authorization: `Bearer ${auth.token}` } };
        if (auth.type === 'basic') return { ...request, headers: { ...request.headers, Authorization: basic(auth.username, auth.password) } };
        if (auth.in === 'query') {
          const url = new URL(request.url);
          url.searchParams.set(auth.name, auth.value);
          return { ...request, url: url.href };
        }
        return { ...request, headers: { ...request.headers, [auth.name]: auth.value } };
      },
    };
  }
  const cache = options.cache ?? sharedTokenCache;
  const now = options.now ?? Date.now;
  const key = JSON.stringify([auth.tokenUrl, auth.clientId, auth.clientSecret, auth.scope ?? '', auth.audience ?? '']);
  const tokenSecrets: string[] = [];
  const hidden = () => [...tokenSecrets, ...secrets];

  async function token(signal: AbortSignal): Promise<string> {
    const cached = cache.tokens.get(key);
    if (cached && now() < cached.renewAt) return remember(cached.token);
    let pending = cache.pending.get(key);
    if (!pending) {
      pending = requestToken(auth as OAuth2, options, signal, now, hidden).finally(() => cache.pending.delete(key));
      cache.pending.set(key, pending);
    }
    const fresh = await pending;
    cache.tokens.set(key, fresh);
    return remember(fresh.token);
  }

  function remember(value: string): string {
    if (!tokenSecrets.includes(value)) tokenSecrets.push(value);
    return value;
  }

  return {
    get secrets() {
      return hidden();
    },
    renew(rejected) {
      const cached = cache.tokens.get(key);
      if (cached && rejected.headers.Authorization === `Bearer ${cached.token}`) cache.tokens.delete(key);
      return true;
    },
    async apply(request, signal) {
      return { ...request, headers: { ...request.headers, Authorization: `Bearer ${await token(signal)}` } };
    },
  };
}

async function requestToken(auth: OAuth2, options: AuthorizerOptions, signal: AbortSignal, now: () => number, hidden: () => string[]): Promise<CachedToken> {
  const { connection, nodeId } = options;
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) form.set('scope', auth.scope);
  if (auth.audience) form.set('audience', auth.audience);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
  if (auth.clientAuth === 'body') {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  } else {
    headers.Authorization = clientBasic(auth);
  }
  const request = `the token endpoint of connection '${connection}' (${describeRequest('POST', auth.tokenUrl)})`;
  const started = now();
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]);
  let status: number;
  let statusText: string;
  let text: string;
  try {
    const response = await options.fetch(auth.tokenUrl, { method: 'POST', headers, body: form.toString(), signal: timeout });
    status = response.status;
    statusText = response.statusText;
    text = await response.text();
  } catch (err) {
    const e = transportError(request, err, nodeId, !signal.aborted && timeout.aborted, options.timeoutMs);
    throw new FlowError(e.errorClass, redact(e.message, hidden()), { nodeId, ...(e.details.code ? { code: e.details.code } : {}) });
  }
  const said = bodyExcerpt(redact(text, hidden()));
  if (status < 200 || status >= 300) {
    const errorClass = isTransientStatus(status) ? 'transient' : 'permanent';
    const verb = status === 400 || status === 401 ? 'refused the client credentials' : 'answered';
    throw new FlowError(errorClass, `${request} ${verb} with ${status}${statusText ? ` ${statusText}` : ''}${said ? `: ${said}` : ''}`, { nodeId, status });
  }
  let body: { access_token?: unknown; expires_in?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    throw new FlowError('permanent', `${request} did not answer with JSON: ${said}`, { nodeId, status });
  }
  if (typeof body?.access_token !== 'string' || body.access_token === '') {
    throw new FlowError('permanent', `${request} answered without an access_token`, { nodeId, status });
  }
  const lifetime = Number(body.expires_in);
  // Renew a little before the server's expiry (a tenth of the lifetime, at most 30 s), so a token does not lapse mid-request.
  const renewAt = Number.isFinite(lifetime) && lifetime > 0 ? started + (lifetime - Math.min(30, lifetime / 10)) * 1000 : Number.POSITIVE_INFINITY;
  return { token: body.access_token, renewAt };
}
