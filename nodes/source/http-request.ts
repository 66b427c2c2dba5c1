/**
 * One page request of the HTTP source, with what a flaky API needs: the
 * connection's rate limit, the connection's credentials (a fresh OAuth2
 * token once after a 401), retries with exponential back-off for network
 * errors, timeouts, 408/425/429 and 5xx, waiting as long as `Retry-After`
 * asks. Every message names the connection and the page, never a secret.
 * Browser-safe.
 */
import type { HttpConnection } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import type { AuthorizedRequest, HttpAuthorizer } from '../http-auth.ts';
import { redact } from '../secret-redaction.ts';
import { bodyExcerpt, describeRequest, isTransientStatus, parseRetryAfter, transportError } from '../target/http-errors.ts';
import { requestSignal, type RequestSignal } from '../target/request-signal.ts';
import { requestTurn, type Release } from '../target/concurrency-limiter.ts';

export interface PageRequest {
  method: 'GET' | 'POST';
  url: string;
  /** JSON body of a POST query. */
  body?: string;
  /** 1 for the first page; for messages. */
  pageNo: number;
}

export interface PageReply {
  url: string;
  status: number;
  bytes: Uint8Array;
  header(name: string): string | null;
}

export interface RetryPolicy {
  /** Tries per page, the first included. */
  maxAttempts: number;
  /** Wait before the second try; doubled for each further one. */
  backoffMs: number;
  /** Longest wait between tries; a `Retry-After` asking for more fails the page instead. */
  maxWaitMs: number;
}

export interface PageClient {
  connectionName: string;
  connection: HttpConnection;
  authorizer: HttpAuthorizer;
  fetch: typeof fetch;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
  nodeId: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Headers of every request (the connection's, and Accept). */
  headers: Record<string, string>;
  /** Values to hide from messages. */
  hidden: string[];
}

/** `page 3 of connection 'procurement' (GET http://host/api/orders)`: the query is left out, it may carry a key. */
export function describePage(client: PageClient, request: PageRequest): string {
  return `page ${request.pageNo} of connection '${client.connectionName}' (${describeRequest(request.method, request.url)})`;
}

/** `text` with the connection's secrets (and the current token) hidden. */
export function hideSecrets(client: PageClient, text: string): string {
  return redact(text, [...client.hidden, ...client.authorizer.secrets]);
}

function hide(client: PageClient, error: FlowError): FlowError {
  const message = hideSecrets(client, error.message);
  const { cause: _cause, ...details } = error.details;
  return new FlowError(error.errorClass, message, details);
}

/** Waits out the rate limit, sends once, and reads the whole answer. Throws transport errors as FlowErrors. */
async function sendOnce(client: PageClient, request: PageRequest): Promise<{ status: number; statusText: string; reply: PageReply; text: () => string; authorized: AuthorizedRequest }> {
  const what = describePage(client, request);
  let limit: RequestSignal | undefined;
  let release: Release | undefined;
  try {
    release = await requestTurn(client.connection, client.signal);
    const authorized = await client.authorizer.apply({ url: request.url, headers: { ...client.headers } }, client.signal);
    if (request.body !== undefined) authorized.headers['Content-Type'] = 'application/json';
    limit = requestSignal(client.signal, client.timeoutMs);
    const response = await client.fetch(authorized.url, { method: request.method, headers: authorized.headers, body: request.body, signal: limit.signal });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const reply: PageReply = { url: request.url, status: response.status, bytes, header: (name) => response.headers.get(name) };
    return { status: response.status, statusText: response.statusText, reply, text: () => new TextDecoder().decode(bytes), authorized };
  } catch (err) {
    if (err instanceof FlowError) throw err;
    throw transportError(what, err, client.nodeId, limit?.timedOut() === true, client.timeoutMs);
  } finally {
    limit?.clear();
    await release?.().catch(() => {}); // a place not given back lapses with its lease
  }
}

/** Requests a page until it answers 2xx, retrying what a retry may cure; see the module comment. */
export async function requestPage(client: PageClient, request: PageRequest): Promise<PageReply> {
  const what = describePage(client, request);
  let renewed = false;
  for (let attempt = 1; ; attempt++) {
    let failure: FlowError;
    try {
      const answer = await sendOnce(client, request);
      const { status } = answer;
      if (status >= 200 && status < 300) return answer.reply;
      const said = bodyExcerpt(answer.text());
      const statusText = answer.statusText ? ` ${answer.statusText}` : '';
      if (status === 401 && !renewed && client.authorizer.renew(answer.authorized)) {
        // The token may have expired or been revoked mid-run: fetch a new one and ask again, once.
        renewed = true;
        attempt--;
        continue;
      }
      if (!isTransientStatus(status)) {
        const refused = status === 401 || status === 403 ? ' (are the connection\'s credentials right?)' : '';
        throw hide(client, new FlowError('permanent', `${what} answered ${status}${statusText}${refused}${said ? `: ${said}` : ''}`, { nodeId: client.nodeId, status }));
      }
      const retryAfterMs = parseRetryAfter(answer.reply.header('retry-after'));
      failure = new FlowError('transient', `${what} answered ${status}${statusText}${said ? `: ${said}` : ''}`, {
        nodeId: client.nodeId, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    } catch (err) {
      if (!(err instanceof FlowError) || err.errorClass !== 'transient' || client.signal.aborted) throw err instanceof FlowError ? hide(client, err) : err;
      failure = err;
    }
    if (attempt >= client.retry.maxAttempts) {
      throw hide(client, new FlowError('transient', `${failure.message.replace(/; will retry$/, '')} (after ${attempt} ${attempt === 1 ? 'try' : 'tries'})`, failure.details));
    }
    const asked = failure.details.retryAfterMs;
    if (asked !== undefined && asked > client.retry.maxWaitMs) {
      throw hide(client, new FlowError('transient', `${failure.message.replace(/; will retry$/, '')}; it asked to retry after ${Math.ceil(asked / 1000)} s, longer than the ${Math.ceil(client.retry.maxWaitMs / 1000)} s this source waits`, failure.details));
    }
    const wait = asked ?? Math.min(client.retry.maxWaitMs, client.retry.backoffMs * 2 ** (attempt - 1));
    await client.sleep(wait, client.signal);
  }
}

/** A timer that an abort ends early (rejecting with the signal's reason). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
