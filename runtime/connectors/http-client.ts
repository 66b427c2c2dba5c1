/**
 * The runtime's HTTP client: a fetch-compatible function on `node:http` and
 * `node:https` with keep-alive sockets. Node's built-in fetch (undici) spends
 * most of a small POST's CPU on web streams, AbortSignal plumbing and Blob
 * handling that the HTTP target never needs; this client buffers bodies and
 * talks to the sockets directly.
 *
 * It covers what targets send: string, byte and URLSearchParams bodies,
 * headers as an object, a `Headers` or pairs, an AbortSignal, redirects
 * (`follow` and `manual`). Anything else (other schemes, `Request` objects,
 * stream/Blob/FormData bodies, `redirect: 'error'`, credentials in the URL,
 * methods fetch forbids) goes to the built-in fetch, which answers or
 * refuses it exactly as before. It does not ask for compressed answers (fetch
 * sends `Accept-Encoding: gzip, deflate`) but decodes one a server sends anyway.
 *
 * Idle sockets are unref'd (they never keep a process alive) and closed after
 * `idleSocketMs`, or a second before the server's `Keep-Alive: timeout`.
 *
 * Failures look like fetch's, so `transportError` reads them the same way:
 * an aborted signal rejects with `signal.reason` (a DOMException
 * `AbortError`/`TimeoutError` unless the caller gave its own), and a failed
 * connection rejects with `TypeError('fetch failed')` whose `cause` is the
 * system error (`code` ECONNREFUSED, ENOTFOUND, ECONNRESET…). A connection
 * lost while the body arrives rejects `text()` with `TypeError('terminated')`.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { guardFetch, guardedLookup, hostProblem, outboundPolicy, outboundRefused, type OutboundPolicy } from './outbound-policy.ts';

const builtinFetch = globalThis.fetch;

export interface HttpClientOptions {
  /** Sockets open at once to one origin (scheme, host, port); further requests queue. Default: no limit, as fetch. */
  maxSocketsPerOrigin?: number;
  /** Milliseconds an idle keep-alive socket is kept; a server's shorter `Keep-Alive: timeout` wins. Default 4000. */
  idleSocketMs?: number;
  /** Fails a connection attempt that takes longer (fetch's is 10 s). Default 10000. */
  connectTimeoutMs?: number;
  /** Fails a request whose socket stays silent this long (fetch's header/body timeouts are 300 s). Default 300000. */
  silenceTimeoutMs?: number;
  /** Handles what this client does not; default the built-in fetch (checked against `outbound` before it is called). */
  fallback?: typeof fetch;
  /** Hosts it may reach; default any host except link-local and cloud-metadata addresses (see outbound-policy.ts). */
  outbound?: OutboundPolicy;
}

/** A fetch function with sockets of its own. */
export interface HttpClient {
  fetch: typeof fetch;
  /** Closes every socket, idle or busy; requests in flight fail. */
  destroy(): void;
}

const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// fetch upper-cases only these (PATCH keeps the caller's spelling) and refuses CONNECT, TRACE, TRACK.
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

// Like fetch: a body with no content (HEAD, 204, 205, 304) is not decoded, and a truncated
// compressed body yields what it holds instead of failing.
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const LENIENT = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_LENIENT = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };
const gunzip = promisify((buf: Buffer, cb: (err: Error | null, out: Buffer) => void) => zlib.gunzip(buf, LENIENT, cb));
const inflate = promisify((buf: Buffer, cb: (err: Error | null, out: Buffer) => void) => zlib.inflate(buf, LENIENT, cb));
const inflateRaw = promisify((buf: Buffer, cb: (err: Error | null, out: Buffer) => void) => zlib.inflateRaw(buf, LENIENT, cb));
const brotli = promisify((buf: Buffer, cb: (err: Error | null, out: Buffer) => void) => zlib.brotliDecompress(buf, BROTLI_LENIENT, cb));

interface PreparedRequest {
  method: string;
  headers: Record<string, string>;
  body: Buffer | string | null;
  signal: AbortSignal | null;
  redirect: 'follow' | 'manual';
}

/** Response headers, read like fetch's `Headers` (names in any case, repeated values joined with ", "). */
class ResponseHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  forEach(fn: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) fn(value, name);
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) yield [name, this.get(name)!];
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** The part of fetch's `Response` this client gives: status, headers and a buffered body. */
class BufferedResponse {
  readonly ok: boolean;
  readonly type = 'basic';
  readonly headers: ResponseHeaders;
  bodyUsed = false;
  constructor(
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders,
    readonly url: string,
    readonly redirected: boolean,
    private readonly body: Promise<Buffer>,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = new ResponseHeaders(headers);
  }
  private consume(): Promise<Buffer> {
    if (this.bodyUsed) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.bodyUsed = true;
    return this.body;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const buf = await this.consume();
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  async text(): Promise<string> {
    const text = (await this.consume()).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // fetch's UTF-8 decode drops a BOM
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function failure(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function headerList(headers: HeadersInit | undefined): Iterable<[string, unknown]> | null {
  if (headers === undefined || headers === null) return [];
  if (Array.isArray(headers)) return headers.every((h) => Array.isArray(h) && h.length === 2) ? (headers as [string, unknown][]) : null;
  if (typeof (headers as Headers).entries === 'function') return (headers as Headers).entries();
  if (typeof headers === 'object') return Object.entries(headers);
  return null;
}

/** Entries a client's small caches (parsed URLs, host checks) hold before they start again. */
const CACHE_ENTRIES = 256;

/** `key`'s entry of `cache`, made by `make` the first time (a full cache is emptied first). */
function cached<V>(cache: Map<string, V>, key: string, make: (key: string) => V): V {
  let value = cache.get(key);
  if (value === undefined && !cache.has(key)) {
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    value = make(key);
    cache.set(key, value);
  }
  return value as V;
}

/**
 * A target posts every record to the same URL: parsed once (per client), not per request. The parsed
 * URLs are only read (a redirect makes a new one); a string that is not a URL is not cached.
 */
function parseUrl(input: string | URL, parsed: Map<string, URL>): URL | null {
  if (typeof input === 'string') {
    const known = parsed.get(input);
    if (known) return known;
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null;
  }
  if (typeof input === 'string') cached(parsed, input, () => url);
  return url;
}

/** Fetch's arguments in the shape this client sends, or null for what it leaves to the fallback. */
function prepare(input: unknown, init: RequestInit | undefined, parsed: Map<string, URL>): { url: URL; request: PreparedRequest } | null {
  if (typeof input !== 'string' && !(input instanceof URL)) return null;
  const url = parseUrl(input, parsed);
  if (!url) return null;
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
  const redirect = init?.redirect ?? 'follow';
  if (redirect !== 'follow' && redirect !== 'manual') return null;
  let method = init?.method ?? 'GET';
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) return null;
  if (NORMALIZED_METHODS.has(upper)) method = upper;

  const list = headerList(init?.headers);
  if (!list) return null;
  const headers: Record<string, string> = {};
  for (const [name, value] of list) {
    const key = String(name).toLowerCase();
    const text = String(value).trim();
    headers[key] = key in headers ? `${headers[key]}, ${text}` : text;
  }

  let body: Buffer | string | null = null;
  const given = init?.body;
  if (given !== undefined && given !== null) {
    if (method === 'GET' || method === 'HEAD') return null; // fetch refuses; let it say so
    if (typeof given === 'string') {
      body = given;
      headers['content-type'] ??= 'text/plain;charset=UTF-8';
    } else if (given instanceof URLSearchParams) {
      body = given.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    } else if (given instanceof ArrayBuffer) {
      body = Buffer.from(given);
    } else if (ArrayBuffer.isView(given)) {
      body = Buffer.from(given.buffer, given.byteOffset, given.byteLength);
    } else {
      return null;
    }
  }
  headers['content-length'] = String(body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  if (body === null && (method === 'GET' || method === 'HEAD')) delete headers['content-length'];
  headers.accept ??= '*/*';
  headers['user-agent'] ??= 'node';
  return { url, request: { method, headers, body, signal: init?.signal ?? null, redirect } };
}

async function decodeOne(body: Buffer, coding: string): Promise<Buffer> {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return gunzip(body);
    case 'deflate':
      // Servers send zlib-wrapped or raw deflate under the same name; the first byte tells.
      return (body[0] & 0x0f) === 8 ? inflate(body) : inflateRaw(body);
    case 'br':
      return brotli(body);
    default:
      return body;
  }
}

/** Undoes `Content-Encoding` (codings listed in the order applied, so undone last first). */
async function decode(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  if (!encoding || body.length === 0) return body;
  const codings = encoding.toLowerCase().split(',').map((c) => c.trim()).filter(Boolean).reverse();
  for (const coding of codings) body = await decodeOne(body, coding);
  return body;
}

/** Creates a client with its own keep-alive agents (one per scheme; Node's agent pools sockets per host and port). */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSocketsPerOrigin ?? Infinity,
    maxFreeSockets: 64,
    timeout: options.idleSocketMs ?? 4000,
    scheduling: 'lifo' as const,
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const connectMs = options.connectTimeoutMs ?? 10_000;
  const silenceMs = options.silenceTimeoutMs ?? 300_000;
  const outbound = options.outbound ?? { allowedHosts: null };
  const fallback = guardFetch(options.fallback ?? builtinFetch, outbound);
  const parsedUrls = new Map<string, URL>();
  const hostChecks = new Map<string, string | null>();

  /** One request and its answer; the body is read at once (freeing the socket) and awaited through `body`. */
  function exchange(url: URL, req: PreparedRequest): Promise<{ res: IncomingMessage; body: Promise<Buffer> }> {
    const { signal } = req;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      // Before the response a failure rejects fetch() itself; after it, the body (text(), json()…), as in fetch.
      let fail: (err: unknown) => void = reject;
      let responded = false;
      let done = false;
      const settle = (err: unknown) => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        fail(err);
      };
      const onAbort = () => {
        settle(abortReason(signal!));
        outgoing.destroy();
      };
      const lost = (err: unknown) => {
        if (!done) settle(responded ? new TypeError('terminated', { cause: err }) : fetchFailed(err));
      };
      const secure = url.protocol === 'https:';
      let outgoing: http.ClientRequest;
      try {
        outgoing = (secure ? https : http).request({
          protocol: url.protocol,
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port || (secure ? 443 : 80),
          path: url.pathname + url.search,
          method: req.method,
          headers: req.headers as OutgoingHttpHeaders,
          agent: secure ? agents.https : agents.http,
          lookup: guardedLookup,
        });
      } catch (err) {
        // Invalid header names or values: fetch throws a TypeError with the reason and no cause.
        return reject(new TypeError((err as Error).message));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('error', lost);
      // A new socket starts with the agent's idle timeout; while it connects, the connect timeout applies
      // instead (the request's own silence timeout takes over once connected).
      outgoing.once('socket', (socket) => {
        if (socket.connecting) socket.setTimeout(connectMs);
      });
      outgoing.setTimeout(silenceMs, () => {
        const connecting = outgoing.socket?.connecting === true;
        outgoing.destroy(connecting
          ? failure(`could not connect within ${connectMs} ms`, 'ETIMEDOUT')
          : failure(`no data from the server for ${silenceMs} ms`, 'ETIMEDOUT'));
      });
      outgoing.on('response', (res) => {
        responded = true;
        const body = new Promise<Buffer>((resolveBody, rejectBody) => {
          fail = rejectBody;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            if (done) return;
            done = true;
            signal?.removeEventListener('abort', onAbort);
            const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            const encoding = req.method === 'HEAD' || NULL_BODY_STATUSES.has(status) ? undefined : res.headers['content-encoding'];
            decode(raw, encoding).then(resolveBody, (err) => rejectBody(new TypeError('terminated', { cause: err })));
          });
          res.on('error', lost);
          // 'close' follows every response; only one closing before 'end' is a failure (and worth an Error).
          res.on('close', () => { if (!done) lost(failure('the connection closed before the body ended', 'ECONNRESET')); });
        });
        body.catch(() => undefined); // a body nobody reads must not fail the process
        resolve({ res, body });
      });
      outgoing.end(req.body ?? undefined);
    });
  }

  async function send(url: URL, req: PreparedRequest): Promise<BufferedResponse> {
    for (let redirects = 0; ; redirects++) {
      // A function of the name and this client's policy alone: checked once per host.
      const refused = cached(hostChecks, url.hostname, (host) => hostProblem(host, outbound));
      if (refused) throw fetchFailed(outboundRefused(refused));
      const { res, body } = await exchange(url, req);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (req.redirect === 'manual' || !REDIRECT_STATUSES.has(status) || location === undefined) {
        return new BufferedResponse(status, res.statusMessage ?? '', res.headers, url.href, redirects > 0, body);
      }
      if (redirects === MAX_REDIRECTS) throw fetchFailed(new Error('redirect count exceeded'));
      let next: URL;
      try {
        next = new URL(location, url);
      } catch (err) {
        throw fetchFailed(err);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fetchFailed(new TypeError('URL scheme must be a HTTP(S) scheme'));
      await body.catch(() => undefined);
      const headers = { ...req.headers };
      let { method, body: payload } = req;
      if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
        method = 'GET';
        payload = null;
        for (const name of BODY_HEADERS) delete headers[name];
      }
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
      url = next;
      req = { ...req, method, headers, body: payload };
    }
  }

  const clientFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const prepared = prepare(input, init, parsedUrls);
    if (!prepared) return fallback(input, init);
    return send(prepared.url, prepared.request) as unknown as Promise<Response>;
  };

  return {
    fetch: clientFetch as typeof fetch,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

const shared = createHttpClient();

/** The runtime's default fetch: the shared client (see the module comment), with the default outbound policy. */
export const httpFetch: typeof fetch = shared.fetch;

const clientsByHosts = new Map<string, typeof fetch>();

/**
 * The fetch a composition root hands to runs: the shared client, or Node's
 * built-in fetch when `LEDGERFLOW_HTTP_CLIENT=fetch` (to tell a client fault
 * from a server fault); either bound by the installation's outbound policy
 * (`LEDGERFLOW_OUTBOUND_HOSTS`).
 */
export function runtimeFetch(options: { client?: 'keep-alive' | 'fetch'; outboundHosts?: readonly string[] } = {}): typeof fetch {
  const outbound = outboundPolicy(options.outboundHosts);
  if (options.client === 'fetch') return guardFetch(builtinFetch, outbound);
  if (!outbound.allowedHosts) return httpFetch;
  const key = outbound.allowedHosts.join(',');
  let client = clientsByHosts.get(key);
  if (!client) clientsByHosts.set(key, (client = createHttpClient({ outbound }).fetch));
  return client;
}
