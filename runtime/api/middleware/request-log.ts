/**
 * Gives every request an id — the caller's `X-Request-Id` when it is sane,
 * otherwise a new UUID — returns it in `X-Request-Id` on every response, and
 * logs one line per request with it (`reqId`). Routes log through
 * `c.get('log')`, a child logger carrying the id.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../observability/logger.ts';
import type { AppEnv } from '../app-env.ts';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Ids a proxy or client may send (UUIDs, trace ids, …); anything else is replaced, never echoed into logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes come every few seconds: their lines are debug, not info. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header(REQUEST_ID_HEADER);
    const reqId = given && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    const log = logger.child({ reqId });
    c.set('requestId', reqId);
    c.set('log', log);
    const started = performance.now();
    await next();
    try {
      c.res.headers.set(REQUEST_ID_HEADER, reqId);
    } catch {
      // Headers of a redirect or a proxied fetch response are immutable: answer with a copy.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set(REQUEST_ID_HEADER, reqId);
    }
    const status = c.res.status;
    const line = { method: c.req.method, path: c.req.path, status, ms: Math.round((performance.now() - started) * 10) / 10 };
    if (status >= 500) log.error(line, 'request failed');
    else if (QUIET_PATHS.has(c.req.path)) log.debug(line, 'request');
    else log.info(line, 'request');
  };
}
