/**
 * Classifies Postgres errors into FlowErrors. Browser-safe: errors from `pg`
 * and PGlite are plain objects carrying a SQLSTATE `code` (and `table`,
 * `column`, `constraint`, `detail` when Postgres knows them), so no driver
 * import is needed. Used by the runtime's pg client and by the SQL nodes.
 */
import { FlowError, type ErrorClass } from '../errors.ts';

/** What the failing statement was about, for the message. */
export interface SqlErrorContext {
  /** Table written or read, e.g. `erp.po_commitment`. */
  table?: string;
  nodeId?: string;
  /** Column the failing value belongs to, when the caller could tell. */
  column?: string;
}

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  table?: unknown;
  schema?: unknown;
  column?: unknown;
  constraint?: unknown;
  errno?: unknown;
  cause?: unknown;
  /** The database engine named before the code; absent: Postgres. */
  engine?: unknown;
}

// Node socket errors: the database could not be reached or dropped the connection.
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
]);

// SQLSTATEs worth retrying: the same statement may well succeed a moment later.
const TRANSIENT_STATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);

// Messages `pg` uses for connection loss without a code.
const TRANSIENT_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection.*(closed|ended)/i];

/**
 * SQLSTATE classes that concern one row's values: a batch failing with these is retried row by row.
 * P0002 (no_data_found) is also what the Postgres target raises for a record whose row an update-only write did not find.
 */
export function isRowLevelSqlState(code: string | undefined): boolean {
  if (!code) return false;
  return code.startsWith('22') || code.startsWith('23') || code === 'P0001' || code === 'P0002' || code === '21000';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function classOf(code: string | undefined, message: string): ErrorClass {
  if (code) {
    if (NETWORK_CODES.has(code)) return 'transient';
    if (code.startsWith('08')) return 'transient';
    if (TRANSIENT_STATES.has(code)) return 'transient';
    if (/^[0-9A-Z]{5}$/.test(code)) return 'permanent';
  }
  if (TRANSIENT_MESSAGES.some((re) => re.test(message))) return 'transient';
  // Unknown failures while talking to a database are most often the network; retrying is the safer default.
  return 'transient';
}

/**
 * Turns an error thrown by a Postgres driver into a FlowError: connection
 * problems, deadlocks, serialization failures and shutdowns are `transient`;
 * constraint (23xxx), data (22xxx), syntax and permission errors are
 * `permanent`. The message names the table, column or constraint and the
 * database's detail. A FlowError whose `cause` is a driver error is classified
 * again from that cause with the new context.
 */
export function classifyPgError(err: unknown, context: SqlErrorContext = {}): FlowError {
  let source = err;
  if (err instanceof FlowError) {
    const cause = err.details.cause as PgLikeError | undefined;
    if (!cause || typeof cause !== 'object' || (cause.code === undefined && !(cause instanceof Error))) {
      if (context.nodeId && !err.details.nodeId) (err.details as { nodeId?: string }).nodeId = context.nodeId;
      return err;
    }
    source = cause;
  }
  const e = (source ?? {}) as PgLikeError;
  const nested = e.cause && typeof e.cause === 'object' ? (e.cause as PgLikeError) : undefined;
  const code = str(e.code) ?? str(nested?.code);
  const rawMessage = str(e.message) ?? String(source);
  const errorClass = classOf(code, rawMessage);

  const table =
    context.table ?? (str(e.table) ? [str(e.schema), str(e.table)].filter(Boolean).join('.') : undefined);
  const column = str(e.column) ?? context.column;
  const where = table ? `${table}: ` : '';
  let message: string;
  if (errorClass === 'transient' && code && (NETWORK_CODES.has(code) || code.startsWith('08'))) {
    message = `${where}could not reach the database (${code}: ${rawMessage}); will retry`;
  } else {
    // "Failing row contains (…)" repeats every value of the row, sensitive ones included: leave it out.
    const detail = str(e.detail)?.startsWith('Failing row contains') ? undefined : str(e.detail);
    const lead = isRowLevelSqlState(code) ? (table ? `${table} refused the record: ` : 'the database refused the record: ') : where;
    const facts = [
      code ? `${str(e.engine) ?? 'Postgres'} ${code}` : undefined,
      column ? `column ${column}` : undefined,
      str(e.constraint) ? `constraint ${str(e.constraint)}` : undefined,
    ].filter(Boolean);
    message = `${lead}${rawMessage}${detail ? ` — ${detail}` : ''}${facts.length ? ` (${facts.join(', ')})` : ''}`;
  }
  return new FlowError(errorClass, message, {
    ...(context.nodeId ? { nodeId: context.nodeId } : {}),
    ...(column ? { field: column } : {}),
    ...(code ? { code } : {}),
    cause: source,
  });
}
