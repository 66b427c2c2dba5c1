/**
 * What a use case refuses, and why: a status in HTTP's vocabulary (404 no such
 * thing, 409 conflict, 422 unprocessable, 403 not allowed), a message for a
 * person, and the items wrong. The API renders it as an RFC 9457 problem
 * document (runtime/api/problem.ts); the CLI prints the message.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { Role } from '../auth/roles.ts';
import type { MappingTestResult } from '../mapping-tests.ts';

/** One thing wrong with a request: where (JSON pointer or field), what, and which node. */
export interface ProblemItem {
  path: string;
  message: string;
  nodeId?: string;
  position?: number;
  /** What kind of problem, where a client shows kinds apart (`SAMPLE_VALUE_DOES_NOT_FIT`). */
  code?: string;
}

export const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Not signed in', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict',
  413: 'Request body too large', 415: 'Unsupported media type', 422: 'Unprocessable content', 429: 'Too many requests', 500: 'Server error', 503: 'Service unavailable',
};

/** The extension members a problem may carry: these and no others (the API contract's Problem schema lists them too). */
export interface ProblemExtensions {
  /** 409 on a draft save: the draft saved since, and by whom. */
  revision?: number;
  updatedBy?: string | null;
  updatedAt?: string;
  draft?: FlowDocument;
  /** 422 on a deploy gated on mapping tests. */
  testResults?: MappingTestResult[];
  /** 429 on sign-in. */
  retryAfterSeconds?: number;
}

export class AppProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly problems?: ProblemItem[];
  readonly requiredRole?: Role | Role[];
  /** Extension members of the problem document (each declared in the API contract's Problem schema). */
  readonly extra?: ProblemExtensions;

  constructor(status: number, detail: string, options: { title?: string; problems?: ProblemItem[]; requiredRole?: Role | Role[]; extra?: ProblemExtensions } = {}) {
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.title = options.title ?? TITLES[status] ?? 'Error';
    this.problems = options.problems;
    this.requiredRole = options.requiredRole;
    this.extra = options.extra;
  }
}

export const notFound = (detail: string) => new AppProblem(404, detail);
export const conflict = (detail: string) => new AppProblem(409, detail);
export const badRequest = (detail: string, problems?: ProblemItem[]) => new AppProblem(400, detail, { problems });
export const unprocessable = (detail: string, problems?: ProblemItem[], extra?: ProblemExtensions) => new AppProblem(422, detail, { problems, extra });

