/**
 * Errors are values with a class. The class decides what happens to the record:
 * - `validation`: the record breaks a rule → quarantined (fix the data or the rule, then replay)
 * - `mapping`: the transform could not produce output → dead-lettered (fix the mapping, then replay)
 * - `transient`: the target was unavailable (timeout, 429, 5xx) → retried, then dead-lettered
 * - `permanent`: the target refused the record (4xx, constraint) → dead-lettered
 */
export type ErrorClass = 'validation' | 'mapping' | 'transient' | 'permanent';

export const ERROR_CLASSES: readonly ErrorClass[] = ['validation', 'mapping', 'transient', 'permanent'];

/** One failed validation rule; an invalid record carries all of them. */
export interface RuleFailure {
  rule: string;
  message: string;
  severity: 'error' | 'warning';
  field?: string;
}

export interface FlowErrorDetails {
  /** Node the error concerns, when known. */
  nodeId?: string;
  /** Field path within the record or config, when known. */
  field?: string;
  /** Character position in an expression, for syntax errors. */
  position?: number;
  /** Error code of the underlying library (e.g. JSONata `T2001`). */
  code?: string;
  /** For transient errors: the target asked us to wait this long before retrying. */
  retryAfterMs?: number;
  /** Every failed rule, for validation errors. */
  failures?: RuleFailure[];
  /** HTTP status or similar from a target. */
  status?: number;
  cause?: unknown;
}

/** An error with a class, a message an analyst understands, and what it concerns. */
export class FlowError extends Error {
  readonly errorClass: ErrorClass;
  readonly details: FlowErrorDetails;

  constructor(errorClass: ErrorClass, message: string, details: FlowErrorDetails = {}) {
    super(message);
    this.name = 'FlowError';
    this.errorClass = errorClass;
    this.details = details;
  }

  toJSON(): SerializedError {
    const { cause: _cause, ...rest } = this.details;
    return { errorClass: this.errorClass, message: this.message, ...rest };
  }
}

/** The stored form of an error (traces, dead letters, API). */
export interface SerializedError extends Omit<FlowErrorDetails, 'cause'> {
  errorClass: ErrorClass;
  message: string;
}

/**
 * Turns anything thrown into a FlowError. Unknown errors thrown while mapping are
 * `mapping` errors unless the caller says otherwise (e.g. `transient` in a target).
 */
export function toFlowError(err: unknown, fallbackClass: ErrorClass, details: FlowErrorDetails = {}): FlowError {
  if (err instanceof FlowError) {
    if (details.nodeId && !err.details.nodeId) (err.details as FlowErrorDetails).nodeId = details.nodeId;
    return err;
  }
  const e = err as { message?: string; code?: string; position?: number; token?: string };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new FlowError(fallbackClass, message, {
    ...details,
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.position === 'number' ? { position: e.position } : {}),
    cause: err,
  });
}
