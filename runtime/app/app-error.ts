/**
 * What a use case refuses, and why, independent of who asked: the API turns
 * it into a problem document (404, 409, 400, 422), the CLI into one line and
 * exit code 2.
 */
export type AppErrorKind = 'not-found' | 'conflict' | 'invalid' | 'unprocessable';

export interface AppErrorItem {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(readonly kind: AppErrorKind, message: string, readonly problems?: AppErrorItem[]) {
    super(message);
    this.name = 'AppError';
  }
}
