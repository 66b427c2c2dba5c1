/**
 * How the HTTP target reads a failed call: which statuses are worth retrying,
 * how long the server asked us to wait, and a message naming the request, the
 * status and what the server said. Browser-safe.
 */
import { FlowError } from '../errors.ts';

const EXCERPT_CHARS = 300;

/**
 * Milliseconds to wait from a `Retry-After` header: delta-seconds (`120`) or
 * an HTTP-date. Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** `POST https://erp.example/api/invoices`, without the query string (it may hold tokens). */
export function describeRequest(method: string, url: string): string {
  try {
    const u = new URL(url);
    return `${method} ${u.origin}${u.pathname}`;
  } catch {
    return `${method} ${url}`;
  }
}

/** The start of a response body, on one line, for messages. */
export function bodyExcerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

/** Statuses a retry may cure: timeout, too early, rate limited, server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** The FlowError for a non-success response (transient for 408/425/429/5xx, permanent otherwise). */
export function statusError(
  request: string,
  response: { status: number; statusText?: string; retryAfter?: string | null; body: string },
  nodeId: string,
  now: number = Date.now(),
): FlowError {
  const { status } = response;
  const excerpt = bodyExcerpt(response.body);
  const said = excerpt ? `: ${excerpt}` : '';
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  if (isTransientStatus(status)) {
    const retryAfterMs = parseRetryAfter(response.retryAfter, now);
    const wait = retryAfterMs !== undefined ? `; it asked to retry after ${Math.ceil(retryAfterMs / 1000)} s` : '';
    return new FlowError('transient', `${request} answered ${status}${statusText}${wait}${said}`, {
      nodeId,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return new FlowError('permanent', `${request} refused the record with ${status}${statusText}${said}`, { nodeId, status });
}

/** The FlowError for a call that got no response: timeout, refused or reset connection, cancelled run. */
export function transportError(request: string, err: unknown, nodeId: string, timedOut: boolean, timeoutMs: number): FlowError {
  if (timedOut) {
    return new FlowError('transient', `${request} gave no answer within ${timeoutMs} ms; will retry`, { nodeId, cause: err });
  }
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'AbortError') {
    return new FlowError('transient', `${request} was interrupted because the run was stopped`, { nodeId, cause: err });
  }
  const code = e?.cause?.code;
  if (code === 'ERR_OUTBOUND_REFUSED') {
    return new FlowError('permanent', `${request} was not sent: ${e.cause?.message}`, { nodeId, code });
  }
  const reason = code ? `${code}${e.cause?.message ? ` ${e.cause.message}` : ''}` : e?.message ?? String(err);
  return new FlowError('transient', `${request} could not be sent (${reason}); will retry`, {
    nodeId,
    ...(code ? { code } : {}),
    cause: err,
  });
}
