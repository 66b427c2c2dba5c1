/**
 * Which of two watermark values is later, for sources that track the largest
 * value of a record field (`updatedAt`, a change number): numbers compared as
 * exact decimals, timestamps by the instant they name (offsets included),
 * anything else as text. Browser-safe.
 */
import { ExactDecimal } from '../expression/money.ts';

const NUMBER = /^-?\d+(\.\d+)?$/;
// An ISO 8601 date, optionally with a time and an offset: 2026-03-01, 2026-03-01T10:00:00.123+01:00.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Negative when `a` is earlier than `b`, positive when later, 0 when equal. */
export function compareWatermarks(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return new ExactDecimal(a).cmp(new ExactDecimal(b));
  if (TIMESTAMP.test(a) && TIMESTAMP.test(b)) {
    const byInstant = Date.parse(a) - Date.parse(b);
    // Same millisecond: finer fractions (microseconds) decide as text.
    if (byInstant !== 0 && Number.isFinite(byInstant)) return byInstant;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The watermark text of a field value: text and numbers as written, nothing for anything else. */
export function watermarkText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  return undefined;
}
