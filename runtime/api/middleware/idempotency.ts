/**
 * `Idempotency-Key` on requests that start or change work (replay, discard,
 * manual run): a client retrying after a timeout or a lost answer gets the
 * first answer again, and no second run is started. Keys are per user and
 * remembered for 24 hours; the same key for a different request is refused.
 * A retry while the first request is still being answered gets 409.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { SqlClient } from '../../../nodes/define-node.ts';
import { idempotencyKeysRepo } from '../../store/idempotency-keys-repo.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiProblem } from '../problem.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Set on an answer given again for a retried request. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Answers a retry may get again: successes and the client's own mistakes; not sign-in problems or server errors. */
const keepsAnswer = (status: number) => status < 500 && status !== 401 && status !== 403 && status !== 429;

/** Middleware for one route: with the header, the first answer is stored and given again to retries. */
export function idempotent(sql: SqlClient): MiddlewareHandler<AppEnv> {
  const keys = idempotencyKeysRepo(sql);
  return async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    const user = c.get('user');
    if (key === undefined || c.req.method !== 'POST' || !user) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new ApiProblem(400, `The ${IDEMPOTENCY_HEADER} header must be 1 to 255 visible ASCII characters (e.g. a UUID).`);
    }
    // Through hono's body cache: the input checks may have read the body already.
    const body = await c.req.arrayBuffer();
    const fingerprint = `${c.req.method} ${c.req.path} ${createHash('sha256').update(new Uint8Array(body)).digest('hex')}`;
    const stored = await keys.claim(user.username, key, fingerprint);
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        throw new ApiProblem(422, `This ${IDEMPOTENCY_HEADER} was already used for a different request; use a new key for a new request.`);
      }
      if (stored.status === null) {
        throw new ApiProblem(409, `The first request with this ${IDEMPOTENCY_HEADER} is still being answered, or the server stopped while answering it. `
          + 'Retry in a moment; if this persists, check the runs list before sending the request again with a new key.');
      }
      return new Response(stored.response, {
        status: stored.status,
        headers: { ...(stored.contentType ? { 'Content-Type': stored.contentType } : {}), [REPLAYED_HEADER]: 'true' },
      });
    }
    try {
      await next();
    } catch (err) {
      await keys.release(user.username, key);
      throw err;
    }
    if (keepsAnswer(c.res.status)) {
      await keys.complete(user.username, key, c.res.status, await c.res.clone().text(), c.res.headers.get('content-type'));
    } else {
      await keys.release(user.username, key);
    }
  };
}
