/**
 * Which job errors another attempt cannot fix. A retried job costs minutes of
 * backoff (ten attempts: ~3.5 min) before its run fails; input that can never
 * be processed should fail its run at once, saying why.
 */
import { FlowError } from '../../nodes/errors.ts';

/**
 * Postgres SQLSTATE classes that no retry fixes: 22 data exception (e.g. 22P05
 * a NUL character, 22021 bad encoding, 22003 number out of range) and 54
 * program limit exceeded (e.g. 54000 index row too large).
 */
const PERMANENT_SQLSTATE = /^(22|54)/;

/** True when retrying the job cannot succeed: the run should fail now. */
export function isPermanentJobError(err: unknown): boolean {
  if (err instanceof FlowError) return err.errorClass !== 'transient';
  // A record nested deeper than the stack allows (deep JSON through JSON.stringify, jsonata, structuredClone).
  if (err instanceof RangeError && /call stack size/i.test(err.message)) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && PERMANENT_SQLSTATE.test(code);
}

/** The error's words for an analyst: Postgres's own message names neither the problem's cause nor a remedy. */
export function describeJobError(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.code === '22P05') return `a value contains a NUL character (\\u0000), which cannot be stored (${message}); remove it at the source`;
  if (err instanceof RangeError && /call stack size/i.test(message)) return 'a record is nested too deeply to be processed (maximum call stack size exceeded)';
  return message;
}
