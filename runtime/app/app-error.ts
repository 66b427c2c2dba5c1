/**
 * What a use case refuses, and why, independent of who asked, named by kind:
 * an `AppProblem` (runtime/app/problem.ts) whose status follows from the kind,
 * so the API renders it as a problem document and the CLI prints one line
 * (exit 2) — one refusal type for every use case.
 */
import { AppProblem, type ProblemItem } from './problem.ts';

export type AppErrorKind = 'not-found' | 'conflict' | 'invalid' | 'unprocessable';

export type AppErrorItem = ProblemItem;

const STATUS_OF_KIND: Record<AppErrorKind, number> = { 'not-found': 404, conflict: 409, invalid: 400, unprocessable: 422 };

export class AppError extends AppProblem {
  constructor(readonly kind: AppErrorKind, message: string, problems?: AppErrorItem[]) {
    super(STATUS_OF_KIND[kind], message, { problems });
    this.name = 'AppError';
  }
}
