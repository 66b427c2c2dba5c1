/**
 * API errors as RFC 9457 problem documents: `{ type, title, status, detail,
 * problems?, requiredRole? }` with Content-Type application/problem+json.
 * Routes throw `ApiProblem`; the app's error handler renders it.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { FlowError } from '../../nodes/errors.ts';
import { AppError } from '../app/app-error.ts';
import type { Role } from '../auth/roles.ts';

/** One thing wrong with a request: where (JSON pointer or field), what, and which node. */
export interface ProblemItem {
  path: string;
  message: string;
  nodeId?: string;
  position?: number;
}

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Not signed in', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict',
  413: 'Request body too large', 415: 'Unsupported media type', 422: 'Unprocessable content', 429: 'Too many requests', 500: 'Server error', 503: 'Service unavailable',
};

const SLUGS: Record<number, string> = {
  400: 'bad-request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 409: 'conflict',
  413: 'too-large', 415: 'unsupported-media-type', 422: 'unprocessable', 429: 'too-many-requests', 500: 'server-error', 503: 'unavailable',
};

export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly problems?: ProblemItem[];
  readonly requiredRole?: Role | Role[];
  /** Extra members of the problem document (e.g. `testResults`). */
  readonly extra?: Record<string, unknown>;

  constructor(status: number, detail: string, options: { title?: string; problems?: ProblemItem[]; requiredRole?: Role | Role[]; extra?: Record<string, unknown> } = {}) {
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.title = options.title ?? TITLES[status] ?? 'Error';
    this.problems = options.problems;
    this.requiredRole = options.requiredRole;
    this.extra = options.extra;
  }
}

export const notFound = (detail: string) => new ApiProblem(404, detail);
export const conflict = (detail: string) => new ApiProblem(409, detail);
export const badRequest = (detail: string, problems?: ProblemItem[]) => new ApiProblem(400, detail, { problems });
export const unprocessable = (detail: string, problems?: ProblemItem[], extra?: Record<string, unknown>) => new ApiProblem(422, detail, { problems, extra });

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

const APP_ERROR_STATUS = { 'not-found': 404, conflict: 409, invalid: 400, unprocessable: 422 } as const;

/** Anything thrown → a problem. Unknown errors become a 500 that does not leak internals. */
export function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  if (err instanceof AppError) return new ApiProblem(APP_ERROR_STATUS[err.kind], err.message, { problems: err.problems });
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
