/**
 * API errors as RFC 9457 problem documents: `{ type, title, status, detail,
 * problems?, requiredRole? }` with Content-Type application/problem+json.
 * Routes throw `ApiProblem`; the app's error handler renders it.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { FlowError } from '../../nodes/errors.ts';

export { AppProblem as ApiProblem, badRequest, conflict, notFound, unprocessable, type ProblemItem } from '../app/problem.ts';
import { AppProblem as ApiProblem, TITLES } from '../app/problem.ts';

const SLUGS: Record<number, string> = {
  400: 'bad-request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 409: 'conflict',
  413: 'too-large', 415: 'unsupported-media-type', 422: 'unprocessable', 429: 'too-many-requests', 500: 'server-error', 503: 'unavailable',
};

/** The problem document body for `p`. */
export function problemBody(p: ApiProblem, instance?: string): Record<string, unknown> {
  return {
    type: `/api/docs#problem-${SLUGS[p.status] ?? 'error'}`,
    title: p.title,
    status: p.status,
    detail: p.message,
    ...(instance ? { instance } : {}),
    ...(p.problems ? { problems: p.problems } : {}),
    ...(p.requiredRole ? { requiredRole: p.requiredRole } : {}),
    ...(p.extra ?? {}),
  };
}

export function problemResponse(c: Context, p: ApiProblem): Response {
  return new Response(JSON.stringify(problemBody(p, c.req.path)), {
    status: p.status,
    headers: {
      'Content-Type': 'application/problem+json',
      ...(typeof p.extra?.retryAfterSeconds === 'number' ? { 'Retry-After': String(p.extra.retryAfterSeconds) } : {}),
    },
  });
}

/** Anything thrown → a problem. Unknown errors become a 500 that does not leak internals. */
export function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) {
      return new ApiProblem(400, 'The request body is not valid JSON.', { problems: [{ path: '', message: err.message }] });
    }
    return new ApiProblem(err.status, err.message || TITLES[err.status] || 'Error');
  }
  if (err instanceof FlowError) {
    const status = err.errorClass === 'validation' ? 422 : 500;
    return new ApiProblem(status, err.message, {
      problems: [{ path: err.details.field ?? '', message: err.message, ...(err.details.nodeId ? { nodeId: err.details.nodeId } : {}), ...(err.details.position !== undefined ? { position: err.details.position } : {}) }],
    });
  }
  const e = err as { code?: string; message?: string };
  if (typeof e?.message === 'string' && e.message.includes('page cursor')) return new ApiProblem(400, e.message, { problems: [{ path: 'cursor', message: e.message }] });
  // A NUL byte or a byte sequence that is not UTF-8 reached the database: the request's fault, and nothing was written.
  if (e?.code === '22021' || e?.code === '22P05') {
    return new ApiProblem(400, 'The request contains a character that cannot be stored (a NUL byte or invalid text); remove it and try again.', { problems: [{ path: '', message: 'invalid character' }] });
  }
  // Postgres unique violation that slipped past a check: a conflict, not a crash.
  if (e?.code === '23505') return new ApiProblem(409, 'That already exists.');
  return new ApiProblem(500, 'The server could not complete this request; it has been logged.');
}
