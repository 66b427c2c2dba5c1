/** Read-side conversions: pg and PGlite return some types differently (int8, timestamptz). */

/** A timestamptz as an ISO string. */
export function isoOf(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : isoOf(value);
}

/** int8/int4 as a number (pg returns int8 as a string, PGlite as a number). */
export function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : numberOf(value);
}

/** Leaves out null columns, for optional fields. */
export function optional<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}
